"""``run --wait`` queues behind the pipeline's lock: it sends nothing while another process holds
the lock, and loads everything once the lock is released.

Without ``--wait`` a second run exits 7 at once: ``test_lock_interrupt`` covers that.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from pipelines import exit_codes
from pipelines.lock import pipeline_lock
from tests.e2e.test_destinations import assert_loaded_truth
from tests.e2e.test_restore import expected_reads, requested
from tests.reliability.cli import BIN, simulator_env
from tests.reliability.ledger_check import inspector

HELD_SECONDS = 2.0
NOTICE = "waiting for pipeline 'calven_warehouse': another calven-sync holds it (pid {pid},"


def start_cli(workdir: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """``calven-sync ARGS`` started in the background, as ``cli.run_cli`` runs it; its stderr
    goes to ``workdir/stderr.txt`` so the test can read it while the command runs."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__CALVEN")}
    full_env.update(
        {
            "DESTINATION__DUCKDB__CREDENTIALS": str(workdir / "warehouse.duckdb"),
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            **env,
        }
    )
    command = [str(BIN / "calven-sync"), *args, "--pipelines-dir", str(workdir / "state")]
    with (workdir / "stderr.txt").open("w") as stderr:
        return subprocess.Popen(
            command, cwd=workdir, env=full_env, stdout=subprocess.PIPE, stderr=stderr, text=True
        )


def wait_for_notice(process: subprocess.Popen[str], path: Path, timeout: float = 60.0) -> None:
    """Until ``path`` holds the notice that the command waits for this process's lock."""
    notice = NOTICE.format(pid=os.getpid())
    deadline = time.monotonic() + timeout
    while notice not in path.read_text():
        assert process.poll() is None, f"exited {process.returncode}: {path.read_text()}"
        assert time.monotonic() < deadline, f"{notice!r} not in {path} after {timeout} s"
        time.sleep(0.05)


def test_run_with_wait_sends_nothing_while_the_lock_is_held_then_loads_everything(
    tmp_path, simulator
):
    tenant = simulator.sim.tenant
    with pipeline_lock(tmp_path / "state", "calven_warehouse"):
        waiting = start_cli(tmp_path, simulator_env(simulator), "run", "--wait")
        try:
            wait_for_notice(waiting, tmp_path / "stderr.txt")
            time.sleep(HELD_SECONDS)
            assert waiting.poll() is None, "the run should still be waiting for the lock"
            assert simulator.sim.requests("/v1/") == []
        except BaseException:
            waiting.kill()
            raise
        released_at = time.time()  # the lock is still held: nothing can be requested before

    stdout, _ = waiting.communicate(timeout=180)
    stderr = (tmp_path / "stderr.txt").read_text()
    assert waiting.returncode == exit_codes.OK, stdout + stderr
    assert requested(simulator) == expected_reads(tenant, (tenant.first_day, tenant.today))
    assert min(entry.time for entry in simulator.sim.requests("/v1/")) > released_at
    assert_loaded_truth(inspector(tmp_path / "warehouse.duckdb", tmp_path / "inspect"), tenant)
