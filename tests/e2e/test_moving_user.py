"""A user who moves location during a sync is read under both locations and loaded once.

Bookings are read location by location (``locationId`` selects on the user's primary location).
A user whose primary location changes between the sync's read of the old location and its read
of the new one is in both answers, for every day: the same ``(userId, day)`` key arrives twice in
one load package. Into DuckDB the merge skips deduplication of packages proven unique
(``pipelines.destinations.merges``), so only ``merges.verify`` stands between this sync and a
doubled key.

The simulator's straddling move (``sources.calven_sim.moves``) serves exactly that picture
whatever order the concurrent requests take; its truth is the settled state: one row per key,
the moved user under the new location.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, timedelta
from typing import Any

import dlt
import pytest

from pipelines.runner import sync
from sources.calven.catalog import BOOKINGS_ATTENDANCE
from sources.calven_sim.server import RunningSimulator
from tests.e2e.conftest import source_options
from tests.e2e.truth import expected_rows, loaded_rows

API = "user-booking-attendance"
Key = tuple[str, str]
PRIMARY = (
    list(BOOKINGS_ATTENDANCE.fields).index("primaryLocationId"),
    list(BOOKINGS_ATTENDANCE.fields).index("primaryLocationName"),
)


def _mover(simulator: RunningSimulator) -> tuple[str, str, str]:
    """(user id, old location id, new location id): an active user of the first location."""
    tenant = simulator.sim.tenant
    old, new = tenant.location_ids()[:2]
    first = tenant.first_day
    user = next(row["userId"] for row in tenant.rows(API, first, first + timedelta(6), [old]))
    return user, old, new


def _served_keys(simulator: RunningSimulator) -> Counter[Key]:
    """How often each (userId, day) was in the bookings responses the simulator sent."""
    tenant = simulator.sim.tenant
    keys: Counter[Key] = Counter()
    for entry in simulator.sim.requests(BOOKINGS_ATTENDANCE.path):
        assert entry.status == 200, entry
        start, end = (date.fromisoformat(entry.params[p]) for p in ("startDate", "endDate"))
        rows = tenant.rows(API, start, end, [entry.params["locationId"]])
        keys.update((row["userId"], row["day"][:10]) for row in rows)
    return keys


def _loaded_keys(pipeline: dlt.Pipeline) -> Counter[Key]:
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name(BOOKINGS_ATTENDANCE.name)
        found = (
            client.execute_sql(f"SELECT user_id, day, count(*) FROM {table} GROUP BY 1, 2") or []
        )
    return Counter({(user, day.isoformat()): n for user, day, n in found})


def _blind_to_primary(rows: Counter[tuple[Any, ...]], user: str) -> Counter[tuple[Any, ...]]:
    """``rows`` with the moved user's primary location blanked (either reading may survive)."""
    out: Counter[tuple[Any, ...]] = Counter()
    for row, n in rows.items():
        if row[0] == user:
            row = tuple(None if i in PRIMARY else v for i, v in enumerate(row))
        out[row] += n
    return out


@pytest.mark.parametrize("auth_type", ["hmac", "basic"], ids=["token", "basic"])
def test_a_user_read_under_two_locations_is_loaded_once(
    simulator: RunningSimulator,
    duckdb_pipeline: dlt.Pipeline,
    caplog: pytest.LogCaptureFixture,
    auth_type: str,
) -> None:
    tenant = simulator.sim.tenant
    user, old, new = _mover(simulator)
    simulator.sim.move_user(user, new, straddle=True)
    caplog.set_level(logging.WARNING, logger="pipelines.destinations.merges")

    report = sync(
        duckdb_pipeline,
        ["users", BOOKINGS_ATTENDANCE.name],
        source_options(simulator, auth_type),
        checkpoint_windows=None,
        checkpoint_rows=None,
    )

    assert report.ok, report.session.failures
    assert len(report.load_ids) == 1, "both locations' windows must share one package"
    last = tenant.today - timedelta(days=1)
    truth = list(tenant.rows(API, tenant.first_day, last, settled=True))
    truth_keys = Counter((row["userId"], row["day"][:10]) for row in truth)
    mover_days = sum(1 for u, _ in truth_keys if u == user)
    assert mover_days > 20
    served = _served_keys(simulator)
    assert {k for k, n in served.items() if n == 2} == {k for k in truth_keys if k[0] == user}
    assert set(served.values()) == {1, 2}
    assert sum(served.values()) == len(truth) + mover_days

    loaded = _loaded_keys(duckdb_pipeline)
    assert loaded == truth_keys, "each (user_id, day) key exactly once, the truth's keys"
    assert sum(loaded.values()) == tenant.truth(API, tenant.first_day, last).count
    expected = expected_rows(BOOKINGS_ATTENDANCE, truth)
    got = loaded_rows(duckdb_pipeline, BOOKINGS_ATTENDANCE)
    assert _blind_to_primary(got, user) == _blind_to_primary(expected, user)
    assert {row[PRIMARY[0]] for row in got if row[0] == user} <= {old, new}
    assert f"{BOOKINGS_ATTENDANCE.name}: a key repeats in load package" in caplog.text
    with duckdb_pipeline.sql_client() as client:
        users = client.make_qualified_table_name("users")
        homes = client.execute_sql(
            f"SELECT primary_location_id FROM {users} WHERE user_id = %s", user
        )
    assert homes == [(new,)]
