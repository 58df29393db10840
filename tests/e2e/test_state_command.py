"""``state reset --yes`` without ``--dataset`` forgets the ledger of every windowed dataset, here
and in the destination, keeps every table's rows, and the next run re-reads the whole range.

(``state reset --dataset presence`` is in ``test_cli``.)
"""

from __future__ import annotations

import shutil

import pytest

from pipelines import exit_codes
from sources.calven.catalog import DIMENSIONS, WINDOWED, WINDOWED_NAMES
from tests.e2e.test_destinations import assert_loaded_truth
from tests.e2e.test_restore import expected_reads, requested
from tests.e2e.truth import loaded_rows
from tests.reliability.cli import run_cli, simulator_env
from tests.reliability.ledger_check import inspector


def tables(reader) -> dict:
    return {d.name: loaded_rows(reader, d) for d in (*DIMENSIONS, *WINDOWED)}


def show(tmp_path, env) -> list[str]:
    shown = run_cli(tmp_path, env, "state", "show")
    assert shown.returncode == exit_codes.OK, shown.stdout + shown.stderr
    return shown.stdout.strip().splitlines()


@pytest.mark.parametrize("fresh_machine", [False, True], ids=["same-machine", "fresh-machine"])
def test_state_reset_forgets_every_ledger_and_keeps_the_rows(tmp_path, simulator, fresh_machine):
    tenant = simulator.sim.tenant
    env = simulator_env(simulator)
    assert run_cli(tmp_path, env, "run").returncode == exit_codes.OK
    partitions = 2 * len(tenant.location_ids()) + 1
    assert len(show(tmp_path, env)) == partitions
    reader = inspector(tmp_path / "warehouse.duckdb", tmp_path / "inspect")
    before = tables(reader)
    simulator.sim.clear_requests()

    reset = run_cli(tmp_path, env, "state", "reset", "--yes")

    assert reset.returncode == exit_codes.OK, reset.stdout + reset.stderr
    assert reset.stdout.strip() == f"ledger reset for {', '.join(WINDOWED_NAMES)}"
    if fresh_machine:
        # The reset must reach the destination, or a restore would bring the ledger back.
        shutil.rmtree(tmp_path / "state")
    assert show(tmp_path, env) == ["nothing loaded yet"]
    assert tables(reader) == before
    assert simulator.sim.requests("/v1/") == []

    again = run_cli(tmp_path, env, "run")

    assert again.returncode == exit_codes.OK, again.stdout + again.stderr
    assert requested(simulator) == expected_reads(tenant, (tenant.first_day, tenant.today))
    assert_loaded_truth(reader, tenant)
    full = f"[{tenant.first_day}, {tenant.today})"
    ledger = show(tmp_path, env)
    assert len(ledger) == partitions and all(line.endswith(full) for line in ledger)


def test_state_reset_before_any_load_changes_nothing(tmp_path, simulator):
    reset = run_cli(tmp_path, simulator_env(simulator), "state", "reset", "--yes")

    assert reset.returncode == exit_codes.OK, reset.stdout + reset.stderr
    expected = f"nothing to reset: no ledger for {', '.join(WINDOWED_NAMES)} (nothing loaded yet)"
    assert reset.stdout.strip() == expected
    assert simulator.sim.requests("/v1/") == []
