"""SIGKILL a checkpointed sync again and again: the ledger never claims rows that did not land.

One pipeline is killed at many points in a row (each run resumes what the previous kill left):
at exact places inside dlt's steps (``crash_driver`` kill points) and after timed delays from
outside. After every kill the committed ledger is compared day by day with the rows in DuckDB
and the simulator's truth; the local state may be ahead only by packages still on disk. After one
clean run every table equals the truth, with no duplicate.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from sources.calven.catalog import DIMENSIONS, WINDOWED
from sources.calven_sim.control import SimulatorConfig
from sources.calven_sim.faults import Latency
from sources.calven_sim.tenant import TenantConfig
from tests.e2e.test_first_load import truth as dimension_truth
from tests.e2e.truth import loaded_rows
from tests.reliability.cli import simulator_env
from tests.reliability.ledger_check import (
    inspector,
    pending_packages,
    snapshot,
    truth_slices,
    unbacked_local_claims,
)

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = "calven_warehouse"
CRASH_TENANT = SimulatorConfig(
    tenant=TenantConfig(
        seed=5, users=36, locations=3, history_days=48, future_days=7, today=date(2026, 3, 18)
    ),
    latency=Latency(fixed_ms=15),
)
"""48 days in 4-day windows: 84 windows, over 40 packages of 2 windows (lookback included)."""

KILL_POINTS = [
    "window:after:1",  # extract: the first window's rows are handed to dlt
    "window:after:7",  # extract of the fourth chunk
    "extract_commit:before:1",  # extracted, package not committed
    "extract_commit:after:1",  # package committed, local state not yet saved
    "save_state:after:2",
    "normalize:before:2",  # extracted, before normalize
    "normalize_commit:before:1",  # normalized files written, package not committed
    "normalize_commit:after:1",  # normalized package committed
    "load:before:1",  # normalized, before load
    "complete_job:after:1",  # load: one job of a package done
    "complete_job:after:2",
    "complete_job:after:4",
    "complete_package:before:1",  # every job done, package not recorded in _dlt_loads
    "complete_package:before:3",
    "archive_package:before:1",  # _dlt_loads written, package not archived
    "archive_package:before:2",
    "load:after:1",  # between checkpoints
    "load:after:2",
    "load:after:4",
]
STAGES = {
    "window": "extract",
    "extract_commit": "extract: package commit",
    "save_state": "extract: local state save",
    "normalize": "before normalize",
    "normalize_commit": "normalize: package commit",
    "load": "before load",
    "complete_job": "load: some jobs done",
    "complete_package": "load: jobs done, not in _dlt_loads",
    "archive_package": "load: in _dlt_loads, not archived",
}
"""What each kill point hook interrupts (``load:after`` is between checkpoints)."""
TIMED_KILLS = 5
"""Kills from outside after a random delay (seeded), on top of the kill points above."""


@dataclass
class Kill:
    point: str
    stage: str
    returncode: int
    seconds: float


def _env(simulator, window_days: int = 4) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__CALVEN")}
    env.update(
        {
            **simulator_env(simulator),
            "SOURCES__CALVEN__MAX_WINDOW_DAYS": str(window_days),
            "PYTHONPATH": str(ROOT),
            "RUNTIME__DLTHUB_TELEMETRY": "false",
        }
    )
    return env


def _start(workdir: Path, env: dict[str, str], point: str) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "tests.reliability.crash_driver",
        point,
        "run",
        "--checkpoint-windows",
        "2",
        "--pipelines-dir",
        str(workdir / "state"),
    ]
    env = {**env, "DESTINATION__DUCKDB__CREDENTIALS": str(workdir / "warehouse.duckdb")}
    return subprocess.Popen(
        command,
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stage_of(pipeline_dir: Path) -> str:
    """Which step a run was in, judged from its working directory."""
    loading = [
        p
        for p in (pipeline_dir / "load" / "normalized").glob("*/*_jobs/*")
        if p.parent.name in ("started_jobs", "completed_jobs")
    ]
    if loading:
        return "load"
    if any((pipeline_dir / "load" / "new").glob("*")):
        return "normalize"
    if any((pipeline_dir / "load" / "normalized").glob("*")):
        return "normalized, before load"
    if any((pipeline_dir / "normalize" / "extracted").glob("*")):
        return "extracted, before normalize"
    return "extract"


def _kill_point(workdir: Path, env: dict[str, str], point: str) -> Kill:
    started = time.monotonic()
    process = _start(workdir, env, point)
    _, stderr = process.communicate(timeout=120)
    hook, when, _ = point.split(":")
    stage = "between checkpoints" if (hook, when) == ("load", "after") else STAGES[hook]
    if process.returncode != -signal.SIGKILL:
        stage = "not reached"
    assert process.returncode in (-signal.SIGKILL, 0), stderr
    return Kill(point, stage, process.returncode, time.monotonic() - started)


def _kill_after(workdir: Path, env: dict[str, str], delay: float) -> Kill:
    started = time.monotonic()
    process = _start(workdir, env, "none")
    try:
        process.wait(timeout=delay)
        stage = "not reached"
    except subprocess.TimeoutExpired:
        stage = f"timed: {stage_of(workdir / 'state' / PIPELINE)}"
        process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode in (-signal.SIGKILL, 0), stderr
    return Kill(f"after {delay:.2f} s", stage, process.returncode, time.monotonic() - started)


@pytest.mark.slow
@pytest.mark.parametrize("simulator", [CRASH_TENANT], indirect=True)
def test_sigkill_at_any_point_never_loses_or_duplicates(tmp_path: Path, simulator) -> None:
    tenant = simulator.sim.tenant
    truth = truth_slices(tenant)
    env = _env(simulator)
    pipeline_dir = tmp_path / "state" / PIPELINE
    rng = random.Random(20260318)
    plan: list[str | float] = [*KILL_POINTS]
    for _ in range(TIMED_KILLS):
        plan.insert(rng.randrange(len(plan) + 1), round(rng.uniform(1.5, 6.0), 2))

    kills: list[Kill] = []
    raw_ahead = 0
    for step in plan:
        if isinstance(step, str):
            kill = _kill_point(tmp_path, env, step)
        else:
            kill = _kill_after(tmp_path, env, step)
        kills.append(kill)
        shot = snapshot(tmp_path / "warehouse.duckdb", PIPELINE, tmp_path / "inspect")
        assert shot.violations(truth) == [], kill
        assert unbacked_local_claims(pipeline_dir, shot.ledgers) == [], kill
        raw_ahead += bool(shot.violations(truth, raw=True))

    final = _start(tmp_path, env, "none")
    _, stderr = final.communicate(timeout=180)
    assert final.returncode == 0, stderr
    assert pending_packages(pipeline_dir) == []

    shot = snapshot(tmp_path / "warehouse.duckdb", PIPELINE, tmp_path / "inspect")
    assert shot.violations(truth) == []
    full = [(tenant.first_day, tenant.today)]
    for dataset in WINDOWED:
        partitions = tenant.location_ids() if dataset.location_param else ["all"]
        assert shot.ledgers[dataset.name] == {p: full for p in partitions}, dataset.name
        assert sum(shot.rows[dataset.name].values()) == sum(
            sum(rows.values()) for rows in truth[dataset.name].values()
        ), dataset.name
    check = inspector(tmp_path / "warehouse.duckdb", tmp_path / "inspect")
    for dataset in DIMENSIONS:
        assert loaded_rows(check, dataset) == dimension_truth(tenant, dataset), dataset.name

    killed = [k for k in kills if k.returncode == -signal.SIGKILL]
    by_stage: dict[str, int] = {}
    for kill in killed:
        by_stage[kill.stage] = by_stage.get(kill.stage, 0) + 1
    print(f"\ncrash: {len(kills)} kill points tried, {len(killed)} killed, by stage {by_stage}")
    print(f"crash: raw newest state row ahead of the rows after {raw_ahead} kill(s)")
    for kill in kills:
        print(f"  {kill.point:<28} {kill.stage:<36} rc={kill.returncode} {kill.seconds:.1f} s")
    assert len(killed) >= 20


def test_kill_inside_normalize_commit_does_not_wedge(tmp_path: Path, simulator) -> None:
    """dlt renames the normalized package, then deletes the extracted copy: a kill in between
    used to make every later run fail on the rename (``runner.drop_normalized_leftovers``)."""
    env = _env(simulator, window_days=30)
    pipeline_dir = tmp_path / "state" / PIPELINE

    kill = _kill_point(tmp_path, env, "normalize_commit:after:1")
    assert kill.returncode == -signal.SIGKILL
    extracted = {p.name for p in (pipeline_dir / "normalize" / "extracted").iterdir()}
    assert extracted & {p.name for p in (pipeline_dir / "load" / "normalized").iterdir()}

    final = _start(tmp_path, env, "none")
    _, stderr = final.communicate(timeout=120)

    assert final.returncode == 0, stderr
    assert "was normalized before a crash; dropping its copy" in stderr
    assert pending_packages(pipeline_dir) == []
    shot = snapshot(tmp_path / "warehouse.duckdb", PIPELINE, tmp_path / "inspect")
    assert shot.violations(truth_slices(simulator.sim.tenant)) == []
    assert all(shot.ledgers[d.name] for d in WINDOWED)


@pytest.mark.parametrize(
    "point",
    [
        "window:after:3",  # extract: requests in flight are cut
        "normalize_commit:before:1",
        "complete_job:after:1",  # load: the package in progress is finished first
        "complete_package:before:1",
        "archive_package:before:1",
    ],
)
def test_ctrl_c_at_any_step_exits_130_and_keeps_what_it_loaded(
    tmp_path: Path, simulator, point: str
) -> None:
    env = {**_env(simulator, window_days=30), "CRASH_DRIVER_SIGNAL": "SIGINT"}
    pipeline_dir = tmp_path / "state" / PIPELINE
    truth = truth_slices(simulator.sim.tenant)

    started = time.monotonic()
    process = _start(tmp_path, env, point)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 130, stderr
    assert time.monotonic() - started < 30
    assert "Traceback" not in stderr
    if point.split(":")[0] != "window":
        assert "finishing the load in progress" in stderr
        assert pending_packages(pipeline_dir) == []
    shot = snapshot(tmp_path / "warehouse.duckdb", PIPELINE, tmp_path / "inspect")
    assert shot.violations(truth) == []
    assert unbacked_local_claims(pipeline_dir, shot.ledgers) == []

    final = _start(tmp_path, env, "none")
    _, stderr = final.communicate(timeout=120)
    assert final.returncode == 0, stderr
    shot = snapshot(tmp_path / "warehouse.duckdb", PIPELINE, tmp_path / "inspect")
    assert shot.violations(truth) == []
    for dataset in WINDOWED:
        assert sum(shot.rows[dataset.name].values()) == sum(
            sum(rows.values()) for rows in truth[dataset.name].values()
        ), dataset.name
