"""A run that fails part way says what it kept, what it did not, and how to resume.

The key is refused in the middle of a checkpointed run (once presence is being read, the token
expires and the token endpoint answers 400 to the refresh): the bookings checkpoints before it
are in the destination, and the summary must say so exactly, by the rows the destination holds,
and name the command that resumes. The rerun then fetches only what is missing.
"""

from __future__ import annotations

import threading
import time

import duckdb

from pipelines import exit_codes
from sources.calven.incremental.windows import split
from sources.calven_sim.faults import FaultConfig, FaultRule
from tests.reliability.cli import run_cli, simulator_env

ARGS = ("run", "--datasets", "bookings_attendance,presence", "--checkpoint-windows", "2")


def _refuse_the_key_once_presence_starts(simulator, stop: threading.Event) -> None:
    while not stop.is_set():
        if simulator.sim.requests("/v1/analytics/presence"):
            simulator.sim.set_faults(FaultConfig(rules=(FaultRule("400", path="/v1/auth"),)))
            simulator.sim.expire_tokens()
            return
        time.sleep(0.005)


def _landed(database) -> tuple[int, int]:
    with duckdb.connect(str(database), read_only=True) as con:
        windows, rows = con.execute(
            "select count(*), coalesce(sum(rows), 0) from calven._calven_sync_windows"
        ).fetchone()
    return int(windows), int(rows)


def test_a_run_cut_short_prints_what_it_kept_and_how_to_resume(tmp_path, simulator):
    env = {**simulator_env(simulator), "SOURCES__CALVEN__MAX_WINDOW_DAYS": "10"}
    stop = threading.Event()
    watcher = threading.Thread(
        target=_refuse_the_key_once_presence_starts, args=(simulator, stop), daemon=True
    )
    watcher.start()
    try:
        failed = run_cli(tmp_path, env, *ARGS)
    finally:
        stop.set()
        watcher.join()

    assert failed.returncode == exit_codes.AUTH, failed.stdout + failed.stderr
    windows, rows = _landed(tmp_path / "warehouse.duckdb")
    assert windows > 0
    assert f"kept: {windows:,} window(s), {rows:,} row(s) in " in failed.stdout, failed.stdout
    assert "FAILED: " in failed.stdout and "was refused with 400" in failed.stdout
    command = f"calven-sync {' '.join(ARGS)} --pipelines-dir {tmp_path / 'state'}"
    assert f"resume with: {command}" in failed.stdout
    errors = [line for line in failed.stderr.splitlines() if line.startswith("calven-sync:")]
    assert len(errors) == 1 and errors[0].startswith("calven-sync: authentication error:")

    simulator.sim.set_faults(None)
    simulator.sim.clear_requests()
    resumed = run_cli(tmp_path, env, *ARGS)

    assert resumed.returncode == exit_codes.OK, resumed.stdout + resumed.stderr
    refetched, _ = _landed(tmp_path / "warehouse.duckdb")
    requests = simulator.sim.requests("/v1/analytics/")
    windowed = [r for r in requests if "startDate" in r.params]
    tenant = simulator.sim.tenant
    full_run = (
        2 * len(tenant.location_ids()) * len(list(split([(tenant.first_day, tenant.today)], 10)))
    )
    # The rerun fetched fewer windows than a full run; each one it fetched landed.
    assert 0 < len(windowed) < full_run
    assert refetched == windows + len(windowed)
