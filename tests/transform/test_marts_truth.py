"""The marts are right to the row: their figures equal figures computed straight from the
simulator's truth, late corrections reach them on the next run, and marts built incrementally
over a sequence of loads equal a ``--full-refresh`` build.

The sequence is a user's: a backfill of the middle of the history first (so later loads fill
days before and after what the marts already hold), ``transform``, the nightly ``run
--transform``, then the simulated nightly refresh moves the clock two days (unconfirmed days turn
confirmed or noShow) and one more ``run --transform``.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipelines import exit_codes
from tests.reliability.cli import run_cli, simulator_env
from tests.transform import truth
from tests.transform.conftest import DAY, MARTS, loaded_bookings, mart_differences, read_mart

pytestmark = pytest.mark.slow

LOCATION_DAY = (
    "location_name", "users", "office_plans", "remote_plans", "away_plans", "booked",
    "attended", "no_shows", "walk_ins", "unconfirmed", "attendance_rate", "no_show_rate",
)  # fmt: skip
GROUP_WEEK = (
    "members", "days", "member_office_days", "avg_office_days_per_member", "colocation_days",
    "office_days_target", "members_meeting_target",
)  # fmt: skip
ZONE_DAY = (
    "desks", "desk_bookings", "zone_bookings", "booked", "desk_utilisation", "zone_utilisation",
)  # fmt: skip


def assert_marts_equal_truth(database, tenant) -> None:
    bookings = loaded_bookings(tenant)
    desks = list(tenant.rows("desks"))
    assert read_mart(database, "agg_location_day", ("location_id", "day"), LOCATION_DAY) == (
        truth.location_days(bookings)
    )
    assert read_mart(database, "agg_group_week", ("group_id", "week_start"), GROUP_WEEK) == (
        truth.group_weeks(bookings)
    )
    assert read_mart(database, "agg_zone_day", ("zone_id", "day"), ZONE_DAY) == (
        truth.zone_days(bookings, desks)
    )


def ok(result) -> None:
    assert result.returncode == exit_codes.OK, result.stdout + result.stderr
    assert "model(s) built" in result.stdout, result.stdout


def test_marts_equal_the_truth_and_a_full_refresh_after_a_sequence_of_syncs(tmp_path, simulator):
    tenant = simulator.sim.tenant
    database = tmp_path / "warehouse.duckdb"
    middle = (tenant.first_day + 12 * DAY).isoformat(), (tenant.first_day + 26 * DAY).isoformat()
    backfill = run_cli(tmp_path, simulator_env(simulator), "backfill", "--start", middle[0],
                       "--end", middle[1])  # fmt: skip
    assert backfill.returncode == exit_codes.OK, backfill.stdout + backfill.stderr
    ok(run_cli(tmp_path, {}, "transform"))
    ok(run_cli(tmp_path, simulator_env(simulator), "run", "--transform"))
    assert_marts_equal_truth(database, tenant)
    before = truth.location_days(loaded_bookings(tenant))

    tenant.advance(2)
    ok(run_cli(tmp_path, simulator_env(simulator), "run", "--transform"))

    after = truth.location_days(loaded_bookings(tenant))
    corrected = [key for key in before if before[key] != after[key]]
    assert corrected, "the refresh corrected no day: the test would prove nothing"
    assert_marts_equal_truth(database, tenant)
    with duckdb.connect(str(database), read_only=True) as con:
        total, rebuilt = con.execute(
            "select count(*), count(*) filter (where _calven_load_id = "
            "(select max(_calven_load_id) from calven_marts.fct_attendance_day)) "
            "from calven_marts.fct_attendance_day"
        ).fetchone()
    assert 0 < rebuilt < total / 3, "the nightly transform should rebuild the lookback days only"

    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(database, copy / "warehouse.duckdb")
    ok(run_cli(copy, {}, "transform", "--full-refresh"))
    assert mart_differences(database, copy / "warehouse.duckdb") == dict.fromkeys(MARTS, 0)
