"""Benchmark of the simulated tenant: body generation speed and memory for large tenants.

Run ``.venv/bin/python bench/bench_simulator.py``; ``run()`` returns the measured rows for a
bench runner. Bars: bookings & attendance render >= 300,000 rows/s; a 30-day window of a
5,000-user location < 2 s; memory of a 100,000-user tenant about that of a 1,000-user one.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sources.calven_sim import org, people
from sources.calven_sim.tenant import Tenant, TenantConfig

TODAY = dt.date(2024, 6, 12)
WINDOW = {"start": TODAY - dt.timedelta(days=30), "end": TODAY - dt.timedelta(days=1)}


def _clear_caches() -> None:
    people.build_chunk.cache_clear()
    org.build_site.cache_clear()
    org.build_groups.cache_clear()


def _drain(chunks: Iterator[bytes]) -> int:
    """Consume a render stream without keeping the body; returns its size."""
    return sum(len(piece) for piece in chunks)


def _count(chunks: Iterator[bytes]) -> int:
    return sum(piece.count(b'{"') for piece in chunks)


def _timed(
    label: str, make: Callable[[], Iterator[bytes]], bar: float | None = None
) -> dict[str, Any]:
    _clear_caches()
    start = time.perf_counter()
    size = _drain(make())
    cold = time.perf_counter() - start
    start = time.perf_counter()
    _drain(make())
    warm = time.perf_counter() - start
    rows = _count(make())
    return {
        "case": label,
        "rows": rows,
        "mb": round(size / 1e6, 1),
        "cold_s": round(cold, 3),
        "warm_s": round(warm, 3),
        "rows_per_s": int(rows / cold),
        "bar": bar,
    }


def _peak_mb(action: Callable[[], object]) -> float:
    _clear_caches()
    tracemalloc.start()
    try:
        action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 1e6, 1)


def _memory(users: int) -> dict[str, Any]:
    config = TenantConfig(seed=1, users=users, locations=max(1, users // 5000), today=TODAY)
    tenant: Tenant | None = None

    def build() -> None:
        nonlocal tenant
        tenant = Tenant(config)

    built = _peak_mb(build)
    assert tenant is not None
    t = tenant
    users_mb = _peak_mb(lambda: _drain(t.render("users")))
    window_mb = _peak_mb(lambda: _drain(t.render("user-booking-attendance", **WINDOW)))
    return {
        "case": f"memory, {users:,} users",
        "construct_mb": built,
        "render_users_mb": users_mb,
        "render_30d_bookings_mb": window_mb,
    }


def run() -> list[dict[str, Any]]:
    """Measure and return one dict per case."""
    site = Tenant(TenantConfig(seed=3, users=5_000, locations=1, today=TODAY))
    one = site.location_ids()[0]
    tenant = Tenant(TenantConfig(seed=4, users=20_000, locations=4, today=TODAY))
    big = Tenant(TenantConfig(seed=5, users=100_000, locations=4, today=TODAY))
    return [
        _timed(
            "bookings, 30 days, one 5,000-user location",
            lambda: site.render("user-booking-attendance", **WINDOW, location_ids=[one]),
            bar=2.0,
        ),
        _timed(
            "bookings, 30 days, 20,000 users / 4 locations",
            lambda: tenant.render("user-booking-attendance", **WINDOW),
        ),
        _timed("presence, 30 days, 5,000 users", lambda: site.render("presence", **WINDOW)),
        _timed(
            "change log, 30 days, 5,000 users", lambda: site.render("change-log/user", **WINDOW)
        ),
        _timed("users, 20,000", lambda: tenant.render("users")),
        _timed(
            "bookings, 7 days, 100,000 users / 4 locations",
            lambda: big.render(
                "user-booking-attendance",
                start=TODAY - dt.timedelta(days=7),
                end=TODAY - dt.timedelta(days=1),
            ),
        ),
        _memory(1_000),
        _memory(10_000),
        _memory(100_000),
    ]


def main() -> None:
    """Print the measurements as a small table."""
    for row in run():
        print("  ".join(f"{k}={v}" for k, v in row.items() if v is not None))


if __name__ == "__main__":
    main()
