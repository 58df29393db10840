"""``_calven_sync_runs`` holds one row per run with its outcome, alerts reach a webhook, and a
schema change (the API adding a field) is named in the log, the run log and the alert.

Each status is produced for real: a complete run (success), a run whose presence windows the
API refuses (partial), a run whose key is refused (failed), Ctrl-C (interrupted) and SIGKILL
(started, never finished).
"""

from __future__ import annotations

import json
import signal

import duckdb
import pytest

from pipelines import exit_codes
from sources.calven_sim.faults import FaultConfig, FaultRule
from tests.reliability.cli import run_cli, simulator_env
from tests.reliability.test_lock_interrupt import _start, _wait_for
from tests.reliability.webhook import webhook

pytestmark = pytest.mark.slow


def runs(workdir) -> list[dict]:
    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as con:
        cursor = con.execute("select * from calven._calven_sync_runs order by started_at")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_each_outcome_is_one_row_and_failures_are_alerted(tmp_path, simulator):
    with webhook() as hook:
        env = {**simulator_env(simulator), "RUNTIME__SLACK_INCOMING_HOOK": hook.url}
        secret = env["SOURCES__CALVEN__CREDENTIALS__API_SECRET"]

        ok = run_cli(tmp_path, env, "run")
        simulator.sim.set_faults(
            FaultConfig(rules=(FaultRule("400", path="/v1/analytics/presence"),))
        )
        partial = run_cli(tmp_path, env, "run")
        simulator.sim.set_faults(FaultConfig(rules=(FaultRule("400", path="/v1/auth"),)))
        simulator.sim.expire_tokens()
        failed = run_cli(tmp_path, env, "future")
        simulator.sim.set_faults(None)

    assert [ok.returncode, partial.returncode, failed.returncode] == [
        exit_codes.OK, exit_codes.API, exit_codes.AUTH,
    ]  # fmt: skip
    first, second, third = runs(tmp_path)
    assert first["status"] == "success" and first["exit_code"] == 0
    assert first["command"] == "run" and first["finished_at"] is not None
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        (bookings,) = con.execute("select count(*) from calven.bookings_attendance").fetchone()
        loads = {row[0] for row in con.execute("select load_id from calven._dlt_loads").fetchall()}
        (stored,) = con.execute(
            "select schema from calven._dlt_version order by inserted_at desc limit 1"
        ).fetchone()
    # the table came from dlt's schema (DDL), not from a load package of its own
    assert loads == set(json.loads(first["load_ids"]) + json.loads(second["load_ids"]))
    described = json.loads(stored)["tables"]["_calven_sync_runs"]["columns"]
    assert all(column.get("description") for column in described.values()), described
    assert json.loads(first["rows"])["bookings_attendance"] == bookings
    assert first["requests"] > 0 and json.loads(first["load_ids"])
    assert second["status"] == "partial" and second["exit_code"] == exit_codes.API
    assert second["failed_windows"] > 0 and "presence" in second["first_error"]
    assert third["status"] == "failed" and third["exit_code"] == exit_codes.AUTH
    assert third["command"] == "future"
    assert third["first_error"].startswith("calven-sync: authentication error:")

    texts = [message["text"] for message in hook.messages]
    assert len(texts) == 2, texts
    assert "calven-sync run of pipeline calven_warehouse loaded only in part" in texts[0]
    assert "Resume with: `calven-sync run --pipelines-dir" in texts[0]
    assert "calven-sync future of pipeline calven_warehouse failed (exit code 3)" in texts[1]
    everything = json.dumps(runs(tmp_path), default=str) + "".join(texts)
    everything += ok.stderr + partial.stderr + failed.stderr + ok.stdout
    assert secret not in everything


def _packages(workdir) -> int:
    loaded = workdir / "state" / "calven_warehouse" / "load" / "loaded"
    return len(list(loaded.iterdir())) if loaded.exists() else 0


def _signal_after_a_package(workdir, env, sig: signal.Signals) -> None:
    before = _packages(workdir)
    run = _start(workdir, env, "run", "--checkpoint-windows", "2")
    try:
        _wait_for(lambda: _packages(workdir) > before)
        run.send_signal(sig)
        run.wait(timeout=30)
    finally:
        run.kill()


def test_a_killed_run_stays_started_and_an_interrupted_one_says_so(tmp_path, simulator):
    env = {**simulator_env(simulator), "SOURCES__CALVEN__MAX_WINDOW_DAYS": "2"}
    # the first run creates the table; a run writes its start only into a table that exists
    assert run_cli(tmp_path, env, "run", "--datasets", "users").returncode == exit_codes.OK
    _signal_after_a_package(tmp_path, env, signal.SIGKILL)
    _signal_after_a_package(tmp_path, env, signal.SIGINT)

    _, killed, interrupted = runs(tmp_path)
    assert killed["status"] == "running" and killed["finished_at"] is None
    assert interrupted["status"] == "interrupted"
    assert interrupted["exit_code"] == exit_codes.INTERRUPTED


def test_a_new_api_field_is_a_named_schema_change_and_a_dead_webhook_only_warns(
    tmp_path, simulator
):
    env = {**simulator_env(simulator), "RUNTIME__SLACK_INCOMING_HOOK": "http://127.0.0.1:9/hook"}
    assert run_cli(tmp_path, env, "run").returncode == exit_codes.OK
    simulator.sim.add_field("presence", "deviceId", "panel-7")
    simulator.sim.advance(1)

    changed = run_cli(tmp_path, {**env, **simulator_env(simulator)}, "run")

    assert changed.returncode == exit_codes.OK, changed.stdout + changed.stderr
    assert "schema change: the API added presence.device_id" in changed.stderr
    assert "schema changes: presence.device_id (new column(s)" in changed.stdout
    assert runs(tmp_path)[-1]["schema_changes"] == '["presence.device_id"]'
    assert "not sent: the webhook (runtime.slack_incoming_hook) could not be reached" in (
        changed.stderr
    )
    assert "127.0.0.1:9" not in changed.stderr + changed.stdout
