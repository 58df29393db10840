"""The opt-in block cache changes nothing a client can see, and follows the clock."""

from __future__ import annotations

import datetime as dt

import pytest

from sources.calven_sim.tenant import Tenant, TenantConfig

CONFIG = TenantConfig(seed=11, users=300, locations=3, history_days=40, today=dt.date(2026, 3, 18))
WINDOW = (dt.date(2026, 2, 20), dt.date(2026, 3, 17))


def body(tenant: Tenant, dataset: str, locations: list[str] | None = None) -> bytes:
    return b"".join(tenant.render(dataset, *WINDOW, location_ids=locations))


@pytest.mark.parametrize("dataset", ["user-booking-attendance", "presence"])
def test_cached_bodies_equal_uncached_before_and_after_the_clock_moves(dataset: str) -> None:
    plain = Tenant(CONFIG)
    cached = Tenant(TenantConfig(**{**CONFIG.__dict__, "cache_user_days": 1_000_000}))
    location = cached.location_ids()[1]
    for _ in range(2):
        assert body(cached, dataset) == body(plain, dataset)
        assert body(cached, dataset, [location]) == body(plain, dataset, [location])
    assert cached.blocks.hits > 0
    before = body(plain, dataset)
    plain.advance(1)  # late corrections: the last days' attendance and presence change
    cached.advance(1)
    after = body(plain, dataset)
    assert after != before
    assert body(cached, dataset) == after


def test_cache_is_bounded() -> None:
    tenant = Tenant(TenantConfig(**{**CONFIG.__dict__, "cache_user_days": 500}))
    body(tenant, "user-booking-attendance")
    assert 0 < tenant.blocks._size <= 500
