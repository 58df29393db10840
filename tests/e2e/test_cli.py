"""``calven-sync`` as a user runs it: a subprocess configured by environment variables."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from tests.e2e.conftest import source_options

BIN = Path(sys.executable).parent


def cli(
    tmp_path: Path, simulator, *args: str, secret: str | None = None, tool: str = "calven-sync"
):
    options = source_options(simulator)
    env = {
        **os.environ,
        "SOURCES__CALVEN__BASE_URL": options["base_url"],
        "SOURCES__CALVEN__AUTH_TYPE": "hmac",
        "SOURCES__CALVEN__START_DATE": options["start_date"],
        "SOURCES__CALVEN__CREDENTIALS__API_KEY_ID": options["credentials"]["api_key_id"],
        "SOURCES__CALVEN__CREDENTIALS__API_SECRET": secret or options["credentials"]["api_secret"],
        "DESTINATION__DUCKDB__CREDENTIALS": str(tmp_path / "cli.duckdb"),
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }
    common = ["--pipelines-dir", str(tmp_path / "state"), "--today", options["today"]]
    command = [str(BIN / tool), *args]
    if tool == "calven-sync" and args[0] not in ("simulate", "demo"):
        command += common
    return subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240
    )


def test_run_then_state_show_and_dlt_info(tmp_path, simulator):
    result = cli(tmp_path, simulator, "run")
    assert result.returncode == 0, result.stderr
    assert "bookings_attendance" in result.stdout and "requests" in result.stdout

    shown = cli(tmp_path, simulator, "state", "show")
    assert shown.returncode == 0, shown.stderr
    for location in simulator.sim.tenant.location_ids():
        assert location in shown.stdout

    info = subprocess.run(
        [
            str(BIN / "dlt"),
            "pipeline",
            "--pipelines-dir",
            str(tmp_path / "state"),
            "calven_warehouse",
            "info",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert info.returncode == 0, info.stderr
    assert "bookings_attendance" in info.stdout


def test_backfill_dry_run_prints_plan_and_loads_nothing(tmp_path, simulator):
    result = cli(tmp_path, simulator, "backfill", "--start", "2026-01-01", "--dry-run")
    assert result.returncode == 0, result.stderr
    locations = len(simulator.sim.tenant.location_ids())
    assert "bookings_attendance: " in result.stdout
    assert f"over {locations} partition(s)" in result.stdout
    assert "nothing was loaded" in result.stdout
    loaded = cli(tmp_path, simulator, "state", "show")
    assert loaded.stdout.strip() == "nothing loaded yet", loaded.stdout + loaded.stderr


def test_check_reports_every_dataset(tmp_path, simulator):
    result = cli(tmp_path, simulator, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" ok (") == 7


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("state", "reset"), 2, "add --yes to confirm"),
        (("run", "--datasets", "bookings,users"), 2, "unknown dataset(s) bookings; valid:"),
        (
            ("backfill", "--start", "yesterday-ish"),
            2,
            "argument --start: expected a date YYYY-MM-DD (e.g. 2026-01-31), got 'yesterday-ish'",
        ),
    ],
    ids=["reset-needs-yes", "unknown-dataset", "bad-start"],
)
def test_bad_input_exits_with_config_code(tmp_path, simulator, args, code, message):
    result = cli(tmp_path, simulator, *args)
    assert result.returncode == code, result.stdout + result.stderr
    assert message in result.stderr


def test_wrong_secret_is_an_auth_error_without_the_secret(tmp_path, simulator):
    wrong = "not-the-secret-0123456789"
    result = cli(tmp_path, simulator, "run", secret=wrong)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "authentication error" in result.stderr
    assert wrong not in result.stdout + result.stderr


def test_state_reset_rereads_only_that_dataset_without_duplicates(tmp_path, simulator):
    assert cli(tmp_path, simulator, "run").returncode == 0
    reset = cli(tmp_path, simulator, "state", "reset", "--dataset", "presence", "--yes")
    assert reset.returncode == 0, reset.stderr
    shown = cli(tmp_path, simulator, "state", "show").stdout
    assert "presence" not in shown and "bookings_attendance" in shown
    simulator.sim.clear_requests()

    again = cli(tmp_path, simulator, "run")

    assert again.returncode == 0, again.stderr
    tenant = simulator.sim.tenant
    presence = simulator.sim.requests("/v1/analytics/presence")
    assert min(e.params["startDate"] for e in presence) == tenant.first_day.isoformat()
    with duckdb.connect(str(tmp_path / "cli.duckdb"), read_only=True) as con:
        [(rows, keys)] = con.sql(
            "select count(*), count(distinct presence_id) from calven.presence"
        ).fetchall()
    expected = tenant.truth("presence", tenant.first_day, tenant.today - timedelta(days=1))
    assert rows == keys == expected.count
