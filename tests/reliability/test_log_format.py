"""What ``calven-sync`` writes when no one watches a terminal: one line per checkpoint as text,
and with ``--log-format json`` nothing but JSON objects, summary and failure included."""

from __future__ import annotations

import json
import re
from typing import Any

import duckdb
import pytest

from pipelines import exit_codes
from sources.calven.catalog import DIMENSIONS, WINDOWED_NAMES
from tests.reliability.cli import run_cli, simulator_env

CHECKPOINT = re.compile(r" INFO pipelines\.checkpoints: checkpoint (\d+) landed: ")
LOAD_PACKAGES = re.compile(r"load packages (\d+),")


def objects(text: str) -> list[dict[str, Any]]:
    """Every line of ``text`` as a JSON object (fails on the first line that is not one)."""
    lines = text.splitlines()
    assert lines, "nothing was written"
    parsed = []
    for line in lines:
        value = json.loads(line)
        assert isinstance(value, dict) and {"ts", "level", "logger", "event", "message"} <= set(
            value
        ), line
        parsed.append(value)
    return parsed


def loaded_rows(database) -> dict[str, int]:
    """Rows the destination holds per dataset: a windowed dataset's by its audit table (a merge
    keeps one copy of a row read twice), a dimension's by counting its table."""
    with duckdb.connect(str(database), read_only=True) as con:
        windowed = con.execute(
            "select dataset, sum(rows) from calven._calven_sync_windows group by dataset"
        ).fetchall()
        rows = {name: int(total) for name, total in windowed}
        for dataset in DIMENSIONS:
            (count,) = con.execute(f"select count(*) from calven.{dataset.name}").fetchone()
            rows[dataset.name] = int(count)
    return rows


def test_json_lines_only_with_a_summary_of_what_loaded(tmp_path, simulator):
    env = {**simulator_env(simulator), "SOURCES__CALVEN__MAX_WINDOW_DAYS": "10"}
    result = run_cli(tmp_path, env, "run", "--log-format", "json", "--checkpoint-windows", "4")

    assert result.returncode == exit_codes.OK, result.stdout + result.stderr
    written = objects(result.stdout) + objects(result.stderr)
    (summary,) = [line for line in written if line["event"] == "summary"]
    held = loaded_rows(tmp_path / "warehouse.duckdb")
    assert {name: d["rows"] for name, d in summary["datasets"].items()} == held
    assert summary["rows"] == sum(held.values()) and summary["scope"] == "sync"
    checkpoints = [line for line in written if line["event"] == "checkpoint"]
    assert len(checkpoints) == summary["load_packages"] > 1
    last = checkpoints[-1]
    assert last["windows"] == last["planned"] == summary["windows"]
    assert {name for name, d in last["datasets"].items() if "planned" in d} == set(WINDOWED_NAMES)
    assert not [line for line in written if line["event"] == "window"], "only with -v"


@pytest.mark.parametrize(
    ("args", "env", "code", "says"),
    [
        (
            ("run", "--log-format", "json"),
            {"SOURCES__CALVEN__LOOKBACK_DAYS": "abc"},
            exit_codes.CONFIG,
            "SOURCES__CALVEN__LOOKBACK_DAYS",
        ),
        (("--log-format=json", "run", "--no-such-option"), {}, exit_codes.CONFIG, "usage error"),
    ],
    ids=["bad-setting", "usage-error"],
)
def test_a_failure_in_json_is_one_error_object_with_the_exit_code(
    tmp_path, shared_simulator, args, env, code, says
):
    result = run_cli(tmp_path, {**simulator_env(shared_simulator), **env}, *args)

    assert result.returncode == code, result.stdout + result.stderr
    written = objects(result.stderr) + (objects(result.stdout) if result.stdout else [])
    (error,) = [line for line in written if line["event"] == "error"]
    assert error["exit_code"] == code and error["level"] == "error"
    assert error["message"].startswith("calven-sync: ") and says in error["message"]


def test_off_a_terminal_one_line_per_checkpoint_and_per_window_only_with_verbose(
    tmp_path, simulator
):
    env = {**simulator_env(simulator), "SOURCES__CALVEN__MAX_WINDOW_DAYS": "10"}
    args = ("run", "--datasets", "users,presence", "--checkpoint-windows", "2")
    for name in ("quiet", "verbose"):
        (tmp_path / name).mkdir()
    quiet = run_cli(tmp_path / "quiet", env, *args)
    verbose = run_cli(tmp_path / "verbose", env, *args, "-v")

    for result in (quiet, verbose):
        assert result.returncode == exit_codes.OK, result.stdout + result.stderr
        (packages,) = LOAD_PACKAGES.findall(result.stdout)
        numbers = [int(n) for n in CHECKPOINT.findall(result.stderr)]
        assert numbers == list(range(1, int(packages) + 1)) and int(packages) > 1
    assert " partition=" not in quiet.stderr
    (presence,) = [line for line in verbose.stdout.splitlines() if line.startswith("presence ")]
    windows = [
        line for line in verbose.stderr.splitlines() if " INFO " in line and " window=" in line
    ]
    assert len(windows) == int(presence.split()[-1]) > 0
