"""The simulated tenant's reads: date windows, location and user filters, truth, resolvers."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import orjson
import pytest

from sources.calven_sim.tenant import Tenant
from sources.calven_sim.truth import row_digest
from tests.sim.tenantkit import CONFIG, TODAY, WINDOW, body, day_of, window


def test_windows_cover_weekdays_history_and_future_only(
    tenant: Tenant, bookings: list[dict[str, Any]], presence: list[dict[str, Any]]
) -> None:
    days = {day_of(r["day"]) for r in bookings}
    assert all(d.weekday() < 5 for d in days)
    assert max(days) == TODAY + dt.timedelta(days=9)
    assert max(day_of(r["day"]) for r in presence) < TODAY
    changes = list(tenant.rows("change-log/user", **WINDOW))
    assert max(day_of(r["eventTime"]) for r in changes) < TODAY
    before = TODAY - dt.timedelta(days=CONFIG.history_days + 10)
    assert not list(tenant.rows("presence", start=before, end=tenant.first_day - dt.timedelta(1)))
    later = TODAY + dt.timedelta(days=CONFIG.future_days)
    assert not list(
        tenant.rows("user-booking-attendance", start=later, end=later + dt.timedelta(5))
    )
    one = list(tenant.rows("presence", start=TODAY - dt.timedelta(1), end=TODAY - dt.timedelta(1)))
    assert {day_of(r["day"]) for r in one} == {TODAY - dt.timedelta(1)}


@pytest.mark.parametrize(
    ("dataset", "field"),
    [
        ("user-booking-attendance", "primaryLocationId"),
        ("presence", "locationId"),
        ("users", "primaryLocationId"),
        ("desks", "locationId"),
        ("change-log/user", "locationId"),
    ],
    ids=["bookings", "presence", "users", "desks", "change-log"],
)
def test_location_filter_partitions_rows_exactly(tenant: Tenant, dataset: str, field: str) -> None:
    everything = list(tenant.rows(dataset, **window(dataset)))
    parts = []
    for location_id in tenant.location_ids():
        part = list(tenant.rows(dataset, **window(dataset), location_ids=[location_id]))
        assert part and all(row[field] == location_id for row in part)
        parts.extend(part)
    assert sorted(map(orjson.dumps, parts)) == sorted(map(orjson.dumps, everything))
    assert not list(tenant.rows(dataset, **window(dataset), location_ids=["unknown"]))


@pytest.mark.parametrize(
    "dataset", ["presence", "change-log/user", "user-booking-attendance", "users"]
)
def test_user_filter_is_exact(tenant: Tenant, dataset: str) -> None:
    everything = list(tenant.rows(dataset, **window(dataset)))
    chosen = sorted({row["userId"] for row in everything})[::7]
    wanted = [row for row in everything if row["userId"] in set(chosen)]
    got = list(tenant.rows(dataset, **window(dataset), user_ids=[*chosen, "unknown-user"]))
    assert got == wanted and got
    assert orjson.loads(body(tenant, dataset, **window(dataset), user_ids=chosen)) == wanted


def test_range_is_inclusive_and_exact(tenant: Tenant) -> None:
    start, end = dt.date(2024, 5, 20), dt.date(2024, 5, 24)
    rows = list(tenant.rows("presence", start=start, end=end))
    assert {day_of(r["timestamp"]) for r in rows} == {start + dt.timedelta(i) for i in range(5)}
    changes = list(tenant.rows("change-log/user", start=start, end=end))
    assert {day_of(r["eventTime"]) for r in changes} <= {start + dt.timedelta(i) for i in range(5)}


def test_truth_counts_rows_and_is_order_independent(
    tenant: Tenant, presence: list[dict[str, Any]]
) -> None:
    truth = tenant.truth("presence", **WINDOW)
    assert truth.count == len(presence)
    shuffled = presence[:]
    random.Random(1).shuffle(shuffled)
    assert f"{sum(map(row_digest, shuffled)) % 2**64:016x}" == truth.checksum
    assert re.fullmatch(r"[0-9a-f]{16}", truth.checksum)
    one = tenant.location_ids()[0]
    assert tenant.truth("presence", **WINDOW, location_ids=[one]).count < truth.count


def test_resolvers(tenant: Tenant) -> None:
    desk = next(iter(tenant.rows("desks")))
    office = desk["locationId"]
    assert tenant.resolve_location(office) == (office, "location")
    assert tenant.resolve_location(desk["levelId"]) == (office, "level")
    assert tenant.resolve_location(desk["zoneId"]) == (office, "zone")
    assert tenant.resolve_location(desk["deskId"].upper()) == (office, "place")
    assert tenant.resolve_location("3a2b0fd7-5f5a-4472-ab61-a2cc1784d38b") is None
    user = next(u for u in tenant.rows("users") if u["email"] != u["email"].lower())
    assert tenant.resolve_user(user_id=user["userId"].upper()) == user["userId"]
    assert tenant.resolve_user(email=user["email"]) == user["userId"]
    assert tenant.resolve_user(email=user["email"].lower()) is None
    assert tenant.resolve_user(email="nobody@example.com") is None
    assert tenant.resolve_user(user_id="not-a-uuid") is None
