"""Changes that are not new loads still give the marts a full refresh would: a new desk
inventory (a dimension replaced on every sync), a new ``office_days_target``; and datasets never
loaded give empty marts, not errors."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipelines import exit_codes
from tests.reliability.cli import run_cli, simulator_env
from tests.transform.conftest import MARTS, mart_differences

pytestmark = pytest.mark.slow


def _ok(result) -> None:
    assert result.returncode == exit_codes.OK, result.stdout + result.stderr


def _equals_full_refresh(tmp_path, env) -> dict[str, int]:
    copy = tmp_path / "full"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir()
    shutil.copy(tmp_path / "warehouse.duckdb", copy / "warehouse.duckdb")
    _ok(run_cli(copy, env, "transform", "--full-refresh"))
    return mart_differences(tmp_path / "warehouse.duckdb", copy / "warehouse.duckdb")


def test_a_new_desk_inventory_or_target_rebuilds_what_it_changes(tmp_path, simulator):
    _ok(run_cli(tmp_path, simulator_env(simulator), "run", "--transform"))
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(
            "delete from calven.desks where desk_id in "
            "(select desk_id from calven.desks order by desk_id limit 7)"
        )
        con.execute(
            "update calven.desks set zone_name = 'Renamed' where zone_id = "
            "(select max(zone_id) from calven.desks)"
        )

    _ok(run_cli(tmp_path, {}, "transform"))
    assert _equals_full_refresh(tmp_path, {}) == dict.fromkeys(MARTS, 0)

    target = {"TRANSFORM__OFFICE_DAYS_TARGET": "3"}
    _ok(run_cli(tmp_path, target, "transform"))
    assert _equals_full_refresh(tmp_path, target) == dict.fromkeys(MARTS, 0)
    with duckdb.connect(str(database), read_only=True) as con:
        targets = con.execute(
            "select distinct office_days_target from calven_marts.agg_group_week"
        ).fetchall()
    assert targets == [(3,)]


def test_datasets_never_loaded_give_empty_marts(tmp_path, simulator):
    only = "users,groups,locations,desks,bookings_attendance"
    result = run_cli(tmp_path, simulator_env(simulator), "run", "--datasets", only, "--transform")

    _ok(result)
    assert "transform: 16 model(s) built" in result.stdout
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        (changes,) = con.execute(
            "select count(*) from calven_marts.agg_booking_changes_day"
        ).fetchall()
        (seen,) = con.execute(
            "select count(*), sum(presence_events) from calven_marts.fct_attendance_day"
        ).fetchall()
    assert changes == (0,)
    assert seen[0] > 0 and seen[1] == 0
