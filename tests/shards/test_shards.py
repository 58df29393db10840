"""``run --shard K/N``: jobs that split the locations load exactly what one pipeline loads, at
the same time (PostgreSQL) or queued (DuckDB's one writer); a failing shard fails alone and its
rerun fills its gap; a new N re-reads and says so, never duplicating."""

from __future__ import annotations

import shutil

import pytest

from pipelines import exit_codes
from sources.calven.incremental.shards import shard_of
from sources.calven_sim.faults import FaultConfig, FaultRule
from tests.reliability.cli import run_cli, simulator_env
from tests.shards.conftest import duckdb_differences, run_at_once

pytestmark = pytest.mark.slow
NO_DIFFERENCE = {
    "users": 0, "groups": 0, "locations": 0, "desks": 0, "bookings_attendance": 0,
    "bookings_attendance duplicates": 0, "presence": 0, "presence duplicates": 0,
    "user_change_log": 0, "user_change_log duplicates": 0,
}  # fmt: skip


def _single(tmp_path, env):
    one = tmp_path / "one"
    one.mkdir()
    done = run_cli(one, env, "run")
    assert done.returncode == exit_codes.OK, done.stdout + done.stderr
    return one / "warehouse.duckdb"


def _ledger(workdir, env, k: int) -> str:
    shown = run_cli(workdir, env, "state", "show", "--shard", f"{k}/3")
    assert shown.returncode == exit_codes.OK, shown.stderr
    return shown.stdout


def test_three_shards_at_once_into_duckdb_queue_and_load_what_one_pipeline_loads(
    tmp_path, simulator
):
    env = simulator_env(simulator)
    shards = tmp_path / "shards"
    shards.mkdir()
    done = run_at_once(shards, env, [("run", "--shard", f"{k}/3") for k in (1, 2, 3)])
    for result in done:
        assert result.returncode == exit_codes.OK, result.stdout + result.stderr
    assert duckdb_differences(shards / "warehouse.duckdb", _single(tmp_path, env)) == NO_DIFFERENCE

    # Each location's windows came from its own shard; the tenant-wide tables from shard 1.
    locations = simulator.sim.tenant.location_ids()
    assert {shard_of(loc, 3) for loc in locations} == {1, 2, 3}, "the tenant must fill 3 shards"
    shown = run_cli(shards, env, "state", "show", "--all-shards")
    assert shown.returncode == exit_codes.OK, shown.stderr
    blocks = shown.stdout.split("shard ")[1:]
    assert [block.split(" ", 1)[0] for block in blocks] == ["1/3", "2/3", "3/3"]
    for index, block in enumerate(blocks, start=1):
        mine = {loc for loc in locations if shard_of(loc, 3) == index}
        listed = {line.split()[1] for line in block.splitlines()[1:] if line.strip()}
        assert listed - {"all"} == mine, block
        assert ("all" in listed) == (index == 1), block  # user_change_log: shard 1 only
    assert "users" in done[0].stdout and "users" not in done[1].stdout + done[2].stdout


def test_a_failing_location_fails_only_its_shard_and_rerunning_that_shard_fills_the_gap(
    tmp_path, simulator
):
    env = simulator_env(simulator)
    bad = simulator.sim.tenant.location_ids()[0]
    failing = shard_of(bad, 3)
    simulator.sim.set_faults(FaultConfig(rules=(FaultRule("500", location_id=bad),)))
    codes = {k: run_cli(tmp_path, env, "run", "--shard", f"{k}/3") for k in (1, 2, 3)}
    for k, result in codes.items():
        expected = exit_codes.API if k == failing else exit_codes.OK
        assert result.returncode == expected, (k, result.stdout + result.stderr)
    assert bad in codes[failing].stdout  # the failed windows are named
    others = [k for k in (1, 2, 3) if k != failing]
    before = {k: _ledger(tmp_path, env, k) for k in others}
    assert bad not in _ledger(tmp_path, env, failing)

    simulator.sim.set_faults(None)
    rerun = run_cli(tmp_path, env, "run", "--shard", f"{failing}/3")
    assert rerun.returncode == exit_codes.OK, rerun.stdout + rerun.stderr
    assert {k: _ledger(tmp_path, env, k) for k in others} == before  # untouched
    assert bad in _ledger(tmp_path, env, failing)
    single = _single(tmp_path, env)
    assert duckdb_differences(tmp_path / "warehouse.duckdb", single) == NO_DIFFERENCE


def test_changing_the_number_of_shards_reads_again_says_so_and_duplicates_nothing(
    tmp_path, simulator
):
    env = simulator_env(simulator)
    for k in (1, 2):
        done = run_cli(tmp_path, env, "run", "--shard", f"{k}/2")
        assert done.returncode == exit_codes.OK, done.stdout + done.stderr
    simulator.sim.clear_requests()
    for k in (1, 2, 3):
        done = run_cli(tmp_path, env, "run", "--shard", f"{k}/3")
        assert done.returncode == exit_codes.OK, done.stdout + done.stderr
        assert f"shard {k}/3 (pipeline calven_warehouse_shard_{k}_of_3) has no ledger yet" in (
            done.stderr
        )
    windowed = [r for r in simulator.sim.requests("/v1/analytics/presence")]
    assert len(windowed) >= len(simulator.sim.tenant.location_ids())  # history read again
    assert duckdb_differences(tmp_path / "warehouse.duckdb", _single(tmp_path, env)) == (
        NO_DIFFERENCE
    )


def test_shard_arguments_are_checked_before_anything_loads(tmp_path, simulator):
    env = simulator_env(simulator)
    cases = {
        ("run", "--shard", "4/3"): "--shard '4/3': K must be between 1 and N (3)",
        ("run", "--shard", "two"): "--shard 'two' is not K/N",
        ("run", "--shard", "2/3", "--datasets", "users,presence"): (
            "--shard 2/3: users is not per location, so only shard 1/3 loads it"
        ),
        ("run", "--shard", "1/3", "--transform"): "--shard: the models are built once every",
    }
    for args, message in cases.items():
        done = run_cli(tmp_path, env, *args)
        assert done.returncode == exit_codes.CONFIG, (args, done.stdout + done.stderr)
        assert message in done.stderr, (args, done.stderr)
    assert not (tmp_path / "warehouse.duckdb").exists()
    shutil.rmtree(tmp_path / "state", ignore_errors=True)
