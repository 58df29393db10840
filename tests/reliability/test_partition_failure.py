"""One location fails on every request: the run says which windows, loads the rest, and the next
healthy run fetches exactly the gap (plus the usual lookback of the other partitions)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest

from pipelines import exit_codes
from sources.calven.catalog import ALL_PARTITION, WINDOWED
from sources.calven.http.retry import RetryPolicy
from sources.calven.incremental.windows import Window, normalize, split
from sources.calven_sim.faults import FaultConfig, FaultRule
from sources.calven_sim.requestlog import RequestLogEntry
from tests.e2e.test_incremental import windowed_requests
from tests.reliability.cli import run_cli, simulator_env
from tests.reliability.ledger_check import snapshot, truth_slices

DAY = timedelta(days=1)
WINDOW_DAYS = 15
PER_LOCATION = ("bookings_attendance", "presence")


def _partition_rows(shot, dataset: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    names = list(next(d for d in WINDOWED if d.name == dataset).fields)
    at = names.index("primaryLocationId" if dataset == "bookings_attendance" else "locationId")
    for row, count in shot.rows[dataset].items():
        counts[row[at]] += count
    return counts


@pytest.mark.slow
def test_one_failing_location_is_reported_and_only_its_gap_is_refetched(tmp_path, simulator):
    tenant = simulator.sim.tenant
    bad, *good = tenant.location_ids()
    full = [(tenant.first_day, tenant.today)]
    truth = truth_slices(tenant)
    env = {**simulator_env(simulator), "SOURCES__CALVEN__MAX_WINDOW_DAYS": str(WINDOW_DAYS)}
    simulator.sim.set_faults(FaultConfig(rules=(FaultRule("500", location_id=bad),)))

    # One package, so the failing windows retry side by side rather than chunk after chunk.
    failed = run_cli(tmp_path, env, "run")

    assert failed.returncode == exit_codes.API, failed.stderr
    windows = list(split(full, WINDOW_DAYS))
    assert f"FAILED windows: {len(PER_LOCATION) * len(windows)}" in failed.stdout
    for dataset in PER_LOCATION:
        for window in windows:
            line = f"{dataset} partition={bad} window={window}: "
            assert line in failed.stdout, failed.stdout
    assert "failed with 500 Internal Server Error" in failed.stdout
    shot = snapshot(tmp_path / "warehouse.duckdb", "calven_warehouse", tmp_path / "inspect")
    assert shot.violations(truth) == []
    for dataset in PER_LOCATION:
        assert shot.ledgers[dataset] == {location: full for location in good}, dataset
        assert bad not in _partition_rows(shot, dataset)
    assert shot.ledgers["user_change_log"] == {ALL_PARTITION: full}
    attempts = defaultdict(list)
    for dataset, partition, entry in windowed_requests_any_status(simulator):
        if partition == bad:
            attempts[(dataset, entry.params["startDate"])].append(entry.time)
    assert len(attempts) == len(PER_LOCATION) * len(windows)
    policy = RetryPolicy()
    waits = sum(
        min(policy.backoff_max, policy.backoff_base * 2 ** (n - 1))
        for n in range(1, policy.max_attempts)
    )
    for key, times in attempts.items():
        assert len(times) == policy.max_attempts, key
        assert max(times) - min(times) <= waits + 2.0, key

    simulator.sim.set_faults(None)
    simulator.sim.clear_requests()
    healthy = run_cli(tmp_path, env, "run", "--checkpoint-windows", "3")

    assert healthy.returncode == exit_codes.OK, healthy.stderr
    lookback = Window(tenant.today - 7 * DAY, tenant.today)
    fetched: dict[tuple[str, str], list[tuple[date, date]]] = defaultdict(list)
    for dataset, partition, start, last in windowed_requests(simulator):
        fetched[(dataset, partition)].append((start, last + DAY))
    for (dataset, partition), spans in fetched.items():
        if partition == bad:
            assert sorted(spans) == [(w.start, w.end) for w in windows], dataset
        else:
            assert spans == [(lookback.start, lookback.end)], (dataset, partition)
    assert {p for _, p in fetched} == {bad, *good, ALL_PARTITION}
    shot = snapshot(tmp_path / "warehouse.duckdb", "calven_warehouse", tmp_path / "inspect")
    assert shot.violations(truth) == []
    for dataset in WINDOWED:
        partitions = [*good, bad] if dataset.name in PER_LOCATION else [ALL_PARTITION]
        assert {p: normalize(s) for p, s in shot.ledgers[dataset.name].items()} == dict.fromkeys(
            partitions, full
        )
        want = sum(sum(rows.values()) for rows in truth[dataset.name].values())
        assert sum(shot.rows[dataset.name].values()) == want, dataset.name


def windowed_requests_any_status(simulator) -> list[tuple[str, str, RequestLogEntry]]:
    """(dataset, partition, entry) of every windowed request received, faulted or not."""
    paths = {d.path: d for d in WINDOWED}
    found = []
    for entry in simulator.sim.requests("/v1/analytics/"):
        dataset = paths.get(entry.path.rstrip("/").removesuffix("/basic"))
        if dataset is not None:
            partition = entry.params.get(dataset.location_param or "", ALL_PARTITION)
            found.append((dataset.name, partition, entry))
    return found
