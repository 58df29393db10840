"""A first run into DuckDB loads every table with exactly the simulator's truth."""

from __future__ import annotations

import pytest

from pipelines.runner import sync
from sources.calven.catalog import BOOKINGS_FUTURE, DATASETS, DIMENSIONS, SYNC_DATASETS, WINDOWED
from tests.e2e.conftest import source_options
from tests.e2e.truth import expected_rows, loaded_rows, table_count

API_NAME = {
    "users": "users",
    "groups": "groups",
    "locations": "locations",
    "desks": "desks",
    "bookings_attendance": "user-booking-attendance",
    "presence": "presence",
    "user_change_log": "change-log/user",
}


def truth(tenant, dataset, start=None, end=None):
    return expected_rows(dataset, tenant.rows(API_NAME[dataset.name], start, end))


@pytest.mark.parametrize("auth_type", ["basic", "hmac", "client_secret"])
def test_first_run_loads_exactly_the_truth(simulator, duckdb_pipeline, auth_type):
    tenant = simulator.sim.tenant
    options = source_options(simulator, auth_type)
    report = sync(duckdb_pipeline, [*SYNC_DATASETS, BOOKINGS_FUTURE.name], options)

    assert report.ok, report.session.failures
    last_day = tenant.today.fromordinal(tenant.today.toordinal() - 1)
    for dataset in DIMENSIONS:
        assert loaded_rows(duckdb_pipeline, dataset) == truth(tenant, dataset), dataset.name
    for dataset in WINDOWED:
        expected = truth(tenant, dataset, tenant.first_day, last_day)
        assert sum(expected.values()) > 0, dataset.name
        assert loaded_rows(duckdb_pipeline, dataset) == expected, dataset.name
    future_last = tenant.today.fromordinal(tenant.today.toordinal() + 13)
    future = expected_rows(
        DATASETS["bookings_future"],
        tenant.rows("user-booking-attendance", tenant.today, future_last),
    )
    assert loaded_rows(duckdb_pipeline, BOOKINGS_FUTURE) == future
    windows = table_count(duckdb_pipeline, "_calven_sync_windows")
    assert windows == sum(report.session.windows.values()) > 0
