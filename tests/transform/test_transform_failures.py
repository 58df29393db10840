"""What a user sees when the models cannot be built, and what is kept: the loaded tables always,
the marts of the last good build too."""

from __future__ import annotations

import sys

import duckdb
import pytest

from pipelines import exit_codes
from pipelines.cli.main import main
from pipelines.cli.transform import SKIPPED
from pipelines.transform import PROJECT_DIR
from sources.calven_sim.faults import FaultConfig, FaultRule
from tests.reliability.cli import run_cli, simulator_env

pytestmark = pytest.mark.slow


def _counts(database, tables) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in tables}


def _one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("calven-sync:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_failing_model_is_named_and_the_loaded_data_kept(tmp_path, simulator):
    env = {**simulator_env(simulator), "TRANSFORM__AFTER_RUN": "true"}
    first = run_cli(tmp_path, env, "run", "--pipelines-dir", "state")  # relative to the cwd
    assert first.returncode == exit_codes.OK, first.stdout + first.stderr
    assert "transform: 16 model(s) built" in first.stdout
    # dbt reads relative paths against the project folder: its files must land in ours instead
    assert (tmp_path / "state" / "calven_warehouse" / "dbt" / "logs" / "dbt.log").is_file()
    assert sorted(p.name for p in PROJECT_DIR.iterdir()) == ["dbt_project.yml", "macros", "models"]
    database = tmp_path / "warehouse.duckdb"
    tables = ("calven.presence", "calven.bookings_attendance", "calven_marts.fct_attendance_day")
    before = _counts(database, tables)
    with duckdb.connect(str(database)) as con:
        con.execute("alter table calven.presence rename column source_id to source_ref")

    failed = run_cli(tmp_path, {}, "transform", "--full-refresh")

    assert failed.returncode == exit_codes.TRANSFORM, failed.stdout + failed.stderr
    line = _one_error_line(failed)
    assert line.startswith("calven-sync: transform failed: model stg_calven__presence failed: ")
    assert "source_id" in line
    assert _counts(database, tables) == before
    with duckdb.connect(str(database)) as con:
        con.execute("alter table calven.presence rename column source_ref to source_id")

    skipped = run_cli(tmp_path, env, "run", "--no-transform")
    assert skipped.returncode == exit_codes.OK, skipped.stdout + skipped.stderr
    assert "model(s) built" not in skipped.stdout

    documented = run_cli(tmp_path, {}, "transform", "--docs")
    assert documented.returncode == exit_codes.OK, documented.stdout + documented.stderr
    site = tmp_path / "state" / "calven_warehouse" / "dbt" / "target" / "static_index.html"
    assert f"documentation of the models (one file, open it in a browser): {site}" in (
        documented.stdout
    )
    assert "agg_location_day" in site.read_text(encoding="utf-8")

    nothing = run_cli(tmp_path, {}, "transform", "--select", "no_such_model")
    assert nothing.returncode == exit_codes.CONFIG
    assert "--select no_such_model matches no model" in _one_error_line(nothing)


def test_no_models_are_built_after_a_failed_load(tmp_path, simulator):
    simulator.sim.set_faults(FaultConfig(rules=(FaultRule("400", path="/v1/analytics/presence"),)))

    result = run_cli(tmp_path, simulator_env(simulator), "run", "--transform")

    assert result.returncode == exit_codes.API, result.stdout + result.stderr
    assert SKIPPED in result.stdout
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        schemas = {
            row[0] for row in con.execute("select schema_name from duckdb_schemas()").fetchall()
        }
    assert "calven" in schemas and "calven_marts" not in schemas


def test_without_the_transform_extra_the_command_names_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "dbt.cli.main", None)  # import fails, as when not installed

    code = main(["transform", "--pipelines-dir", str(tmp_path / "state")])

    assert code == exit_codes.CONFIG
    assert capsys.readouterr().err.strip() == (
        "calven-sync: configuration error: calven-sync transform needs dbt, which the "
        "'transform' extra installs: pip install 'calven-warehouse[transform]'"
    )
