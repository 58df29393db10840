"""The filesystem destination (plain parquet) run twice through the CLI.

What the files hold after the second run, as the README says: plain parquet cannot merge, so
dlt appends what a merge would have replaced.

- ``users``, ``groups``, ``locations``, ``desks`` (replace): exactly the simulator's rows of the
  second run, once.
- ``bookings_attendance``, ``presence``, ``user_change_log`` (merge, appended here): every row of
  the first run, plus every row of the re-read lookback days again, as the second run read them.
  A lookback row appears twice (or, when Calven corrected it in between, in both versions); a
  reader deduplicates on the keys, keeping the newest ``_dlt_load_id``.
- ``_calven_sync_windows`` (append): one row per window of either run.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import dlt
import pytest

from pipelines import exit_codes
from pipelines.pipeline import PipelineSpec, make_pipeline
from sources.calven.catalog import DIMENSIONS, SYNC_WINDOWS_TABLE, WINDOWED
from tests.e2e.test_first_load import truth
from tests.e2e.test_restore import expected_reads, requested, windows_read
from tests.e2e.truth import loaded_rows, table_count
from tests.reliability.cli import run_cli, simulator_env

DAY = timedelta(days=1)
LOOKBACK = 7 * DAY


def run_to_parquet(tmp_path, simulator) -> None:
    env = {
        **simulator_env(simulator),
        "DESTINATION__FILESYSTEM__BUCKET_URL": str(tmp_path / "lake"),
    }
    result = run_cli(tmp_path, env, "run", "--destination", "filesystem")
    assert result.returncode == exit_codes.OK, result.stdout + result.stderr


def lake(tmp_path) -> dlt.Pipeline:
    """The CLI's own pipeline (its schema lists the tables), opened once the CLI has exited."""
    return make_pipeline(
        PipelineSpec(
            destination=dlt.destinations.filesystem(bucket_url=str(tmp_path / "lake")),
            pipelines_dir=tmp_path / "state",
        )
    )


def windowed_truth(tenant, start, end) -> dict[str, Counter]:
    return {d.name: truth(tenant, d, start, end - DAY) for d in WINDOWED}


@pytest.mark.parametrize("days_later", [0, 1], ids=["same-day", "next-day"])
def test_second_run_appends_the_lookback_and_replaces_the_dimensions(
    tmp_path, simulator, days_later
):
    tenant = simulator.sim.tenant
    run_to_parquet(tmp_path, simulator)
    first_run = windowed_truth(tenant, tenant.first_day, tenant.today)
    assert {d.name: loaded_rows(lake(tmp_path), d) for d in WINDOWED} == first_run
    first_windows = windows_read(requested(simulator))
    if days_later:
        simulator.sim.advance(days_later)
    simulator.sim.clear_requests()

    run_to_parquet(tmp_path, simulator)

    lookback = (tenant.today - LOOKBACK, tenant.today)
    reads = requested(simulator)
    assert reads == expected_reads(tenant, lookback)
    parquet = lake(tmp_path)
    for dataset in DIMENSIONS:
        assert loaded_rows(parquet, dataset) == truth(tenant, dataset), dataset.name
    reread = windowed_truth(tenant, *lookback)
    for dataset in WINDOWED:
        expected = first_run[dataset.name] + reread[dataset.name]
        assert loaded_rows(parquet, dataset) == expected, dataset.name
        assert reread[dataset.name] and max(expected.values()) == 2, "lookback rows twice"
    assert table_count(parquet, SYNC_WINDOWS_TABLE) == first_windows + windows_read(reads)
