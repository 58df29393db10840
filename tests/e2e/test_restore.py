"""A fresh machine: the pipelines dir is gone, the DuckDB file is kept. The next run restores the
ledger from the destination and fetches only what a run on the old machine would have fetched.

Also home of the request accounting the other CLI tests share: every warehouse read the
simulator answered, as (path, first day, last day), against what a sync of given spans must read.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, timedelta

import pytest

from pipelines import exit_codes
from sources.calven.catalog import DIMENSIONS, SYNC_WINDOWS_TABLE, WINDOWED
from sources.calven.incremental.windows import MAX_WINDOW_DAYS, Interval, split
from tests.e2e.test_destinations import assert_loaded_truth
from tests.e2e.truth import table_count
from tests.reliability.cli import run_cli, simulator_env
from tests.reliability.ledger_check import inspector

DAY = timedelta(days=1)
LOOKBACK = 7 * DAY
ANALYTICS = "/v1/analytics/"
Read = tuple[str, date | None, date | None]


def requested(simulator) -> Counter[Read]:
    """(path, startDate, endDate) of every warehouse read the simulator answered, each a 200."""
    found: Counter[Read] = Counter()
    for entry in simulator.sim.requests(ANALYTICS):
        assert entry.status == 200, entry
        start, end = (_day(entry.params.get(name)) for name in ("startDate", "endDate"))
        found[(entry.path, start, end)] += 1
    return found


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def expected_reads(tenant, span: Interval) -> Counter[Read]:
    """A sync's reads: one per dimension, and for every partition of each windowed dataset the
    windows of at most 30 days that cover ``span`` (half-open)."""
    reads: Counter[Read] = Counter({(d.path, None, None): 1 for d in DIMENSIONS})
    for dataset in WINDOWED:
        partitions = len(tenant.location_ids()) if dataset.partitioning == "location" else 1
        for window in split([span], MAX_WINDOW_DAYS):
            reads[(dataset.path, window.start, window.last_day)] += partitions
    return reads


def windows_read(reads: Counter[Read]) -> int:
    return sum(n for (_, start, _), n in reads.items() if start is not None)


def other_requests(simulator) -> Counter[str]:
    """Paths of the requests that are not warehouse reads (the token, nothing else)."""
    return Counter(
        e.path for e in simulator.sim.requests("/v1/") if not e.path.startswith(ANALYTICS)
    )


@pytest.mark.parametrize(
    ("backfilled_until", "days_later"),
    [(None, 0), (None, 1), (20, 0)],
    ids=["same-day", "next-day", "after-a-backfill-ending-20-days-ago"],
)
def test_a_fresh_machine_restores_the_ledger_from_duckdb(
    tmp_path, simulator, backfilled_until, days_later
):
    tenant = simulator.sim.tenant
    if backfilled_until is None:
        # The old machine ran the nightly sync: the next run re-reads the lookback only.
        first = ["run"]
        refetched_from = tenant.today + days_later * DAY - LOOKBACK
    else:
        # The ledger stops short of today: the gap, not the whole history, is what is missing.
        refetched_from = tenant.today - backfilled_until * DAY
        first = ["backfill", "--start", tenant.first_day.isoformat()]
        first += ["--end", refetched_from.isoformat()]
    loaded = run_cli(tmp_path, simulator_env(simulator), *first)
    assert loaded.returncode == exit_codes.OK, loaded.stdout + loaded.stderr
    first_reads = requested(simulator)
    shutil.rmtree(tmp_path / "state")
    assert (tmp_path / "warehouse.duckdb").is_file()
    if days_later:
        simulator.sim.advance(days_later)
    simulator.sim.clear_requests()

    again = run_cli(tmp_path, simulator_env(simulator), "run")

    assert again.returncode == exit_codes.OK, again.stdout + again.stderr
    reads = requested(simulator)
    assert reads == expected_reads(tenant, (refetched_from, tenant.today))
    assert other_requests(simulator) == {"/v1/auth": 1}
    reader = inspector(tmp_path / "warehouse.duckdb", tmp_path / "inspect")
    assert_loaded_truth(reader, tenant)
    audited = windows_read(first_reads) + windows_read(reads)
    assert table_count(reader, SYNC_WINDOWS_TABLE) == audited
