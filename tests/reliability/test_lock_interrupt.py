"""Two runs on one pipeline, a stale lock, and Ctrl-C in the middle of a backfill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest

from pipelines import exit_codes
from sources.calven_sim.control import SimulatorConfig
from sources.calven_sim.faults import Latency
from sources.calven_sim.tenant import TenantConfig
from tests.reliability.cli import BIN, run_cli, simulator_env

SLOW = SimulatorConfig(
    tenant=TenantConfig(seed=3, users=40, locations=3, history_days=120, today=date(2026, 3, 18)),
    latency=Latency(fixed_ms=250),
)


def _start(workdir, env, *args: str) -> subprocess.Popen[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__CALVEN")}
    full_env.update({"DESTINATION__DUCKDB__CREDENTIALS": str(workdir / "warehouse.duckdb"), **env})
    return subprocess.Popen(
        [str(BIN / "calven-sync"), *args, "--pipelines-dir", str(workdir / "state")],
        cwd=workdir,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def _lock_held(workdir) -> bool:
    lock = workdir / "state" / "calven_warehouse.lock"
    return lock.exists() and lock.read_text().startswith("pid")


@pytest.mark.parametrize("simulator", [SLOW], indirect=True)
def test_second_run_refuses_then_waits(tmp_path, simulator):
    env = {**simulator_env(simulator), "SOURCES__CALVEN__MAX_WINDOW_DAYS": "10"}
    first = _start(tmp_path, env, "run")
    try:
        _wait_for(lambda: _lock_held(tmp_path))
        refused = run_cli(tmp_path, env, "run")
        assert refused.returncode == exit_codes.BUSY, refused.stderr
        assert "is in use by another calven-sync (pid" in refused.stderr
        assert "pass --wait" in refused.stderr

        waited = run_cli(tmp_path, env, "run", "--wait")
        assert first.wait(timeout=120) == 0, first.stderr.read() if first.stderr else ""
        assert waited.returncode == 0, waited.stderr
    finally:
        first.kill()


def test_lock_of_a_killed_process_does_not_block(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pipelines.lock import pipeline_lock\n"
            "with pipeline_lock(sys.argv[1], 'calven_warehouse'):\n"
            "    print('locked', flush=True); time.sleep(60)\n",
            str(tmp_path / "state"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.send_signal(signal.SIGKILL)
    holder.wait()

    from pipelines.lock import pipeline_lock

    with pipeline_lock(tmp_path / "state", "calven_warehouse"):
        pass


@pytest.mark.parametrize("simulator", [SLOW], indirect=True)
def test_ctrl_c_stops_quickly_and_keeps_checkpoints(tmp_path, simulator):
    env = {**simulator_env(simulator), "SOURCES__CALVEN__MAX_WINDOW_DAYS": "5"}
    run = _start(
        tmp_path,
        env,
        "backfill",
        "--start",
        simulator.sim.tenant.first_day.isoformat(),
        "--checkpoint-windows",
        "3",
    )
    loaded = tmp_path / "state" / "calven_warehouse" / "load" / "loaded"
    try:
        _wait_for(lambda: loaded.exists() and any(loaded.iterdir()))
        interrupted_at = time.monotonic()
        run.send_signal(signal.SIGINT)
        code = run.wait(timeout=30)
        stopped_in = time.monotonic() - interrupted_at
    finally:
        run.kill()
    assert code == exit_codes.INTERRUPTED, run.stderr.read() if run.stderr else ""
    assert stopped_in < 5, f"took {stopped_in:.1f} s to stop"

    shown = run_cli(tmp_path, env, "state", "show")
    assert shown.returncode == 0, shown.stderr
    assert "[" in shown.stdout, "completed checkpoints should be in the ledger"
