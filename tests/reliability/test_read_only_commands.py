"""Commands that only look (state show, backfill --dry-run, check), and a reset with nothing to
reset, create and change nothing."""

from __future__ import annotations

import pytest

from pipelines import exit_codes
from tests.reliability.cli import run_cli, simulator_env

LOOKING = [
    ("state", "show"),
    ("backfill", "--start", "2026-03-01", "--dry-run"),
    ("check",),
    ("state", "reset", "--yes"),
]


@pytest.mark.parametrize("args", LOOKING, ids=[" ".join(args) for args in LOOKING])
def test_a_command_that_only_looks_creates_no_database(args, tmp_path, shared_simulator):
    result = run_cli(tmp_path, simulator_env(shared_simulator), *args)

    assert result.returncode == exit_codes.OK, result.stdout + result.stderr
    assert not (tmp_path / "warehouse.duckdb").exists()
