"""Soak: a backfill of over 200 windows with 15% of requests failing in the full fault mix.

Every fault kind the simulator injects (500, 502, 503, 429 + Retry-After, read timeout,
connection reset, truncated JSON) is retried; the tables end up equal to the simulator's truth
with nothing lost and nothing duplicated. The figures are printed for the closing note.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from pipelines.runner import sync
from sources.calven.catalog import DIMENSIONS, SYNC_DATASETS, WINDOWED
from sources.calven_sim.control import SimulatorConfig
from sources.calven_sim.faults import FAULT_KINDS, FaultConfig
from sources.calven_sim.tenant import TenantConfig
from tests.e2e.conftest import source_options
from tests.e2e.test_first_load import API_NAME
from tests.e2e.truth import expected_rows, loaded_rows
from tests.reliability.ledger_check import duckdb_pipeline, duplicate_keys

SOAK = SimulatorConfig(
    tenant=TenantConfig(
        seed=23, users=60, locations=4, history_days=120, future_days=7, today=date(2026, 3, 18)
    ),
    faults=FaultConfig(
        rate=0.15,
        mix=dict.fromkeys(FAULT_KINDS, 1.0),
        retry_after_seconds=1,
        timeout_seconds=1.0,
        seed=4,
    ),
)
"""120 days in 5-day windows over 4 locations: 24 x (4 + 4 + 1) = 216 windows."""
REQUEST_TIMEOUT = 0.75
"""Just below the injected timeout, so a ``timeout`` fault is a read timeout for the client."""


@pytest.mark.slow
@pytest.mark.parametrize("simulator", [SOAK], indirect=True)
def test_soak_full_fault_mix_loses_and_duplicates_nothing(simulator, tmp_path) -> None:
    tenant = simulator.sim.tenant
    pipeline = duckdb_pipeline(tmp_path)
    options = source_options(
        simulator, max_window_days=5, request_timeout=REQUEST_TIMEOUT, max_concurrency=8
    )

    report = sync(pipeline, SYNC_DATASETS, options, checkpoint_windows=60)

    assert report.ok, report.session.failures
    windows = sum(report.session.windows.values())
    assert windows >= 200
    last_day = tenant.today - timedelta(days=1)
    lost = duplicated = rows = 0
    for dataset in (*DIMENSIONS, *WINDOWED):
        span = (tenant.first_day, last_day) if dataset.windowed else (None, None)
        want = expected_rows(dataset, tenant.rows(API_NAME[dataset.name], *span))
        have = loaded_rows(pipeline, dataset)
        lost += sum((want - have).values())
        duplicated += sum((have - want).values()) + duplicate_keys(pipeline, dataset)
        rows += sum(have.values())
        assert have == want, dataset.name
    entries = simulator.sim.requests("/v1/")
    faults = Counter(e.fault for e in entries if e.fault is not None)
    assert set(faults) == set(FAULT_KINDS), f"every kind should occur: {faults}"
    assert 0.10 < sum(faults.values()) / len(entries) < 0.20
    # Every injected fault was retried (a loaded machine may add a genuine timeout or two).
    assert report.session.retries >= sum(faults.values())
    assert (lost, duplicated) == (0, 0)
    print(
        f"\nsoak: {windows} windows in {len(report.load_ids)} packages, {len(entries)} requests, "
        f"{sum(faults.values())} faults injected {dict(sorted(faults.items()))}, "
        f"{report.session.retries} retries, {rows} rows, lost {lost}, duplicated {duplicated}, "
        f"{report.seconds:.1f} s"
    )
