"""Messages that used to mislead: each says what happened, where, and what to do."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import duckdb

from pipelines import exit_codes
from pipelines.lock import pipeline_lock
from tests.reliability.cli import run_cli, simulator_env

HOLD_DUCKDB = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def _errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("calven-sync:")]


def test_a_locked_duckdb_file_names_the_lock_and_the_process(tmp_path, shared_simulator):
    database = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_DUCKDB, str(database)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = run_cli(tmp_path, simulator_env(shared_simulator), "run", "--datasets", "users")
    finally:
        holder.kill()
        holder.wait()

    assert result.returncode == exit_codes.DESTINATION, result.stdout + result.stderr
    (line,) = _errors(result)
    assert line.startswith(f"calven-sync: destination error: the DuckDB file {database} is ")
    assert "is locked by another process" in line
    assert f"(PID {holder.pid})" in line
    assert "internet connection" not in line and "Traceback" not in result.stderr


def test_location_ids_match_in_any_letter_case(tmp_path, shared_simulator):
    tenant = shared_simulator.sim.tenant
    location = tenant.location_ids()[0]
    args = ("backfill", "--start", tenant.first_day.isoformat(), "--dataset", "presence")
    result = run_cli(
        tmp_path, simulator_env(shared_simulator), *args, "--locations", location.upper()
    )

    assert result.returncode == exit_codes.OK, result.stdout + result.stderr
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        loaded = con.execute("select distinct location_id from calven.presence").fetchall()
    assert loaded == [(location,)]


def test_replacing_a_table_says_how_many_rows_it_held(tmp_path, shared_simulator):
    env = simulator_env(shared_simulator)
    first = run_cli(tmp_path, env, "future", "--days", "7")
    second = run_cli(tmp_path, env, "future", "--days", "2")

    assert first.returncode == second.returncode == exit_codes.OK, first.stderr + second.stderr
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        (now,) = con.execute("select count(*) from calven.bookings_future").fetchone()
    first_rows = next(line for line in first.stdout.splitlines() if line.startswith("bookings_f"))
    assert first_rows.endswith("replaced (no table before)")
    held = int(first_rows.split()[1].replace(",", ""))
    (line,) = [line for line in second.stdout.splitlines() if line.startswith("bookings_future")]
    assert line.split()[1] == f"{now:,}"
    assert line.endswith(f"replaced ({held:,} rows before)")
    assert 0 < now < held


def test_wait_says_what_it_waits_for(tmp_path, shared_simulator):
    env = simulator_env(shared_simulator)
    released = threading.Event()

    def hold() -> None:
        with pipeline_lock(tmp_path / "state", "calven_warehouse"):
            released.wait(timeout=30)

    holder = threading.Thread(target=hold)
    holder.start()
    threading.Timer(1.5, released.set).start()
    started = time.monotonic()
    result = run_cli(tmp_path, env, "run", "--datasets", "users", "--wait")
    holder.join()

    assert result.returncode == exit_codes.OK, result.stdout + result.stderr
    assert time.monotonic() - started >= 1.5
    assert "waiting for pipeline 'calven_warehouse': another calven-sync holds it (pid " in (
        result.stderr
    )
