"""A warehouse loaded and modelled once per module, and the report command run against it."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipelines import exit_codes
from sources.calven_sim.server import RunningSimulator
from tests.reliability.cli import run_cli, simulator_env


@dataclass
class Warehouse:
    workdir: Path
    env: dict[str, str]
    simulator: RunningSimulator

    @property
    def database(self) -> Path:
        return self.workdir / "warehouse.duckdb"

    def report(self, output: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(self.workdir, self.env, "report", "--output", str(output), *args)


def scope_start(today: date, weeks: int = 12) -> date:
    """The report's first day: the Monday of the week ``weeks`` weeks before ``today``."""
    start = today - timedelta(weeks=weeks)
    return start - timedelta(days=start.weekday())


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, shared_simulator) -> Warehouse:
    """Loaded and modelled, then loaded again: the ledger holds days loaded by an earlier run and
    days re-read by the last one (its lookback)."""
    workdir = tmp_path_factory.mktemp("warehouse")
    env = simulator_env(shared_simulator)
    for args in (("run", "--transform"), ("run",)):
        done = run_cli(workdir, env, *args)
        assert done.returncode == exit_codes.OK, done.stdout + done.stderr
    return Warehouse(workdir, env, shared_simulator)
