"""Incremental behaviour, asserted on what the simulator received and on the loaded rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from pipelines.runner import sync
from sources.calven.catalog import ALL_PARTITION, SYNC_DATASETS, WINDOWED
from sources.calven.incremental.windows import normalize
from tests.e2e.conftest import source_options
from tests.e2e.test_first_load import API_NAME as API
from tests.e2e.truth import expected_rows, loaded_rows

WINDOWED_PATHS = {d.path: d for d in WINDOWED}
DAY = timedelta(days=1)


def windowed_requests(simulator) -> list[tuple[str, str, date, date]]:
    """(dataset, partition, first day, last day) of every windowed request the server answered."""
    found = []
    for entry in simulator.sim.requests("/v1/analytics/"):
        dataset = WINDOWED_PATHS.get(entry.path.rstrip("/").removesuffix("/basic"))
        if dataset is None:
            continue
        assert entry.status == 200, entry
        partition = entry.params.get(dataset.location_param or "", ALL_PARTITION)
        start = date.fromisoformat(entry.params["startDate"])
        end = date.fromisoformat(entry.params["endDate"])
        found.append((dataset.name, partition, start, end))
    return found


def assert_matches_truth(pipeline, tenant, skip_history_of: set[str] = frozenset()) -> None:
    """Every windowed table equals the truth; ``skip_history_of`` users' change-log entries
    older than the lookback are not expected (the change log is one tenant-wide partition)."""
    last_day = tenant.today - DAY
    lookback_start = tenant.today - 7 * DAY
    for dataset in WINDOWED:
        rows = tenant.rows(API[dataset.name], tenant.first_day, last_day)
        if dataset.partitioning == "none":
            rows = [
                r
                for r in rows
                if r["userId"] not in skip_history_of
                or date.fromisoformat(r["eventTime"][:10]) >= lookback_start
            ]
        assert loaded_rows(pipeline, dataset) == expected_rows(dataset, rows), dataset.name


def run(simulator, pipeline, **extra):
    report = sync(pipeline, SYNC_DATASETS, source_options(simulator, **extra), checkpoint_windows=5)
    assert report.ok, report.session.failures
    return report


def test_first_run_requests_are_gap_free_and_within_30_days(simulator, duckdb_pipeline):
    tenant = simulator.sim.tenant
    report = run(simulator, duckdb_pipeline)

    spans = defaultdict(list)
    for dataset, partition, start, end in windowed_requests(simulator):
        assert (end - start).days + 1 <= 30
        spans[(dataset, partition)].append((start, end + DAY))
    assert len(spans) == 2 * len(tenant.location_ids()) + 1
    for key, intervals in spans.items():
        total_days = sum((e - s).days for s, e in intervals)
        assert normalize(intervals) == [(tenant.first_day, tenant.today)], key
        assert total_days == (tenant.today - tenant.first_day).days, f"overlap in {key}"
    assert len(report.load_ids) > 1, "checkpoints should split the run into several packages"


def test_second_run_reads_only_lookback_and_changes_nothing(simulator, duckdb_pipeline):
    tenant = simulator.sim.tenant
    run(simulator, duckdb_pipeline)
    before = {d.name: loaded_rows(duckdb_pipeline, d) for d in WINDOWED}
    simulator.sim.clear_requests()

    run(simulator, duckdb_pipeline)

    requests = windowed_requests(simulator)
    assert len(requests) == 2 * len(tenant.location_ids()) + 1
    assert {(start, end) for _, _, start, end in requests} == {
        (tenant.today - 7 * DAY, tenant.today - DAY)
    }
    assert {d.name: loaded_rows(duckdb_pipeline, d) for d in WINDOWED} == before


def test_next_day_reads_lookback_and_applies_late_corrections(simulator, duckdb_pipeline):
    tenant = simulator.sim.tenant
    run(simulator, duckdb_pipeline)
    bookings = WINDOWED[0]
    stale = loaded_rows(duckdb_pipeline, bookings)
    simulator.sim.advance(1)
    simulator.sim.clear_requests()

    run(simulator, duckdb_pipeline)

    assert {(s, e) for _, _, s, e in windowed_requests(simulator)} == {
        (tenant.today - 7 * DAY, tenant.today - DAY)
    }
    assert_matches_truth(duckdb_pipeline, tenant)
    assert loaded_rows(duckdb_pipeline, bookings) != stale, "expected late corrections"


def test_new_location_is_backfilled_alone(simulator, duckdb_pipeline):
    tenant = simulator.sim.tenant
    run(simulator, duckdb_pipeline)
    new_location = simulator.sim.add_location(users=15)
    simulator.sim.clear_requests()

    run(simulator, duckdb_pipeline)

    full = (tenant.first_day, tenant.today)
    lookback = (tenant.today - 7 * DAY, tenant.today)
    for dataset, partition, start, end in windowed_requests(simulator):
        if partition == new_location:
            continue
        assert lookback[0] <= start and end < lookback[1], (dataset, partition, start)
    new_spans = [(s, e + DAY) for _, p, s, e in windowed_requests(simulator) if p == new_location]
    assert normalize(new_spans) == [full]
    assert_matches_truth(duckdb_pipeline, tenant, set(tenant.user_ids(new_location)))


def test_backfill_then_run_refetches_nothing_in_that_range(simulator, duckdb_pipeline):
    tenant = simulator.sim.tenant
    end = tenant.today - 20 * DAY
    report = sync(
        duckdb_pipeline,
        [d.name for d in WINDOWED],
        source_options(simulator, end_date=end.isoformat(), lookback_days=0),
    )
    assert report.ok
    simulator.sim.clear_requests()

    run(simulator, duckdb_pipeline)

    for _, _, start, _ in windowed_requests(simulator):
        assert start >= end
    assert_matches_truth(duckdb_pipeline, tenant)


def test_a_row_budget_ends_each_package_after_the_windows_in_flight(simulator, duckdb_pipeline):
    """One worker and a budget of one row: a package takes the two windows submitted at first
    (one in flight, one queued) and the one submitted when the first completed, before its rows
    were counted; then the next package starts."""
    options = source_options(simulator, max_concurrency=1)
    report = sync(
        duckdb_pipeline, SYNC_DATASETS, options, checkpoint_windows=None, checkpoint_rows=1
    )
    assert report.ok, report.session.failures
    with duckdb_pipeline.sql_client() as client:
        per_package = client.execute_sql(
            "select _dlt_load_id, dataset, count(*) from _calven_sync_windows group by 1, 2"
        )
    assert max(count for _, _, count in per_package) == 3
    assert len(report.load_ids) >= sum(report.session.windows.values()) / (3 * len(WINDOWED))
    assert_matches_truth(duckdb_pipeline, simulator.sim.tenant)
