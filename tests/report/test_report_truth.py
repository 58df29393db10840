"""The report's tables show what a direct query of the marts, the ledger, the raw tables and the
run log shows, in one file that fetches nothing and holds no secret."""

from __future__ import annotations

import json
from datetime import date, timedelta

import duckdb
import pytest

from pipelines import exit_codes
from tests.report.conftest import scope_start
from tests.report.page import FETCHES, read_page

pytestmark = pytest.mark.slow
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _rate(text: str, part: int, whole: int) -> bool:
    return (text == "") if not whole else float(text) == pytest.approx(part / whole, abs=5e-5)


@pytest.fixture(scope="module")
def written(warehouse, tmp_path_factory):
    output = tmp_path_factory.mktemp("report") / "report.html"
    done = warehouse.report(output)
    assert done.returncode == exit_codes.OK, done.stdout + done.stderr
    return done, read_page(output)


def _query(warehouse, sql: str, *params):
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _scope(warehouse) -> tuple[date, date]:
    today = warehouse.simulator.sim.tenant.today
    return scope_start(today), today


def test_the_command_says_what_it_wrote_in_one_line(written):
    done, page = written
    assert done.stdout.count("\n") == 1, done.stdout
    assert done.stdout.startswith("report written to ")
    assert f"{len(page.charts)} charts, 0 gaps" in done.stdout
    assert "attendance included" in done.stdout
    assert "Traceback" not in done.stderr


def test_one_small_file_that_fetches_nothing_and_holds_no_secret(written, warehouse):
    _, page = written
    assert len(page.html.encode()) < 5_000_000
    assert FETCHES.findall(page.html) == []
    key = warehouse.simulator.key(role="warehouse", basic=False)
    assert key.secret not in page.html
    assert "No gaps" in page.text
    assert "gaps" not in page.tables
    assert {"attendance-rate", "no-show-rate", "weekday-heatmap", "utilisation"} <= set(page.charts)


def test_weekly_attendance_equals_the_mart(written, warehouse):
    start, end = _scope(warehouse)
    truth = _query(
        warehouse,
        "select location_name, cast(date_trunc('week', day) as date) as week, "
        "sum(office_plans), sum(attended), sum(booked), sum(no_shows) "
        "from calven_marts.agg_location_day where day >= ? and day < ? "
        "group by all order by 1, 2",
        start,
        end,
    )
    shown = written[1].tables["weekly"]
    assert len(shown) == len(truth) > 0
    for row, (name, week, plans, attended, booked, no_shows) in zip(shown, truth, strict=True):
        location, monday, *counts = row
        assert (location, monday) == (name, week.isoformat())
        assert [counts[0], counts[1], counts[3], counts[4]] == [
            str(plans),
            str(attended),
            str(booked),
            str(no_shows),
        ]
        assert _rate(counts[2], attended, plans) and _rate(counts[5], no_shows, booked), row


def test_weekdays_teams_and_zones_equal_the_marts(written, warehouse):
    start, end = _scope(warehouse)
    page = written[1]
    weekdays = _query(
        warehouse,
        "select location_name, isodow(day), sum(office_plans), sum(attended) "
        "from calven_marts.agg_location_day where day >= ? and day < ? group by all order by 1, 2",
        start,
        end,
    )
    assert [row[:4] for row in page.tables["weekdays"]] == [
        [name, WEEKDAYS[dow - 1], str(plans), str(attended)]
        for name, dow, plans, attended in weekdays
    ]
    teams = _query(
        warehouse,
        "select g.group_name, w.week_start, w.members, w.colocation_days, "
        "w.members_meeting_target, w.office_days_target from calven_marts.agg_group_week w "
        "join calven.groups g using (group_id) where w.week_start >= ? and w.week_start < ? "
        "order by 1, 2",
        start,
        end,
    )
    assert len(teams) > 0
    assert [row[:6] for row in page.tables["teams"]] == [
        [name, week.isoformat(), *map(str, counts)] for name, week, *counts in teams
    ]
    zones = _query(
        warehouse,
        "select l.location_name || ' · ' || max(z.zone_name), sum(z.desks), sum(z.desk_bookings), "
        "sum(z.booked) from calven_marts.agg_zone_day z join calven.locations l using "
        "(location_id) where z.day >= ? and z.day < ? group by l.location_name, z.zone_id "
        "order by 1",
        start,
        end,
    )
    assert len(zones) > 0
    shown = page.tables["zones"]
    assert [[r[0], r[1], r[2], r[4]] for r in shown] == [[z, *map(str, n)] for z, *n in zones]
    for row, (_, desks, desk_bookings, booked) in zip(shown, zones, strict=True):
        assert _rate(row[3], desk_bookings, desks) and _rate(row[5], booked, desks), row


def test_coverage_equals_the_ledger(written, warehouse):
    """Loaded days and days re-read by the last run, per dataset and partition, from the audit
    table; nothing missing after two complete runs."""
    start, end = _scope(warehouse)
    covered = _query(
        warehouse,
        "with days as (select dataset, partition, run_id, fetched_at, cast(d.day as date) as day "
        "from calven._calven_sync_windows w, "
        "range(w.window_start, w.window_end, interval 1 day) as d(day)), "
        "last as (select arg_max(run_id, fetched_at) as run_id from days), "
        "firsts as (select dataset, min(day) as first from days group by dataset) "
        "select days.dataset, partition, count(distinct day) filter (where run_id <> "
        "(select run_id from last) and (dataset, partition, day) not in "
        "(select dataset, partition, day from days where run_id = (select run_id from last))), "
        "count(distinct day) filter (where run_id = (select run_id from last)) "
        "from days join firsts using (dataset) where day >= greatest(?, first) and day < ? "
        "group by all",
        start,
        end,
    )
    truth = {
        (dataset, partition): [loaded, reread] for dataset, partition, loaded, reread in covered
    }
    shown = {(r[0], r[2]): [int(r[3]), int(r[4])] for r in written[1].tables["coverage"]}
    assert shown == truth
    assert all(loaded > 0 and reread > 0 for loaded, reread in truth.values()), truth
    assert {r[5] for r in written[1].tables["coverage"]} == {"0"}


def test_rows_per_day_equal_the_raw_tables(written, warehouse):
    start, end = _scope(warehouse)
    truth = {}
    for dataset, column in (
        ("bookings_attendance", "primary_location_id"),
        ("presence", "location_id"),
    ):
        for name, day, count in _query(
            warehouse,
            f"select l.location_name, t.day, count(*) from calven.{dataset} t "
            f"join calven.locations l on l.location_id = t.{column} "
            "where t.day >= ? and t.day < ? group by all",
            start,
            end,
        ):
            truth[(dataset, name, day.isoformat())] = str(count)
    shown = written[1].tables["rows-per-day"]
    assert {(d, loc, day): n for d, loc, day, n in shown if n != "0"} == truth
    # The simulated tenant has quiet days of its own: each anomaly is a row of the table above.
    assert all(row[:4] in shown for row in written[1].tables["anomalies"])


def test_last_runs_are_the_run_log(written, warehouse):
    logged = _query(
        warehouse,
        "select command, status, rows, failed_windows from calven._calven_sync_runs "
        "order by started_at desc",
    )
    assert [row[0] for row in logged] == ["run", "transform", "run"]  # run --transform, run
    shown = [[row[1], row[2], row[4], row[5]] for row in written[1].tables["runs"]]
    assert shown == [
        [command, status, str(sum(json.loads(rows).values())), str(failed)]
        for command, status, rows, failed in logged
    ]


def test_locations_narrow_every_section(warehouse, tmp_path):
    tenant = warehouse.simulator.sim.tenant
    chosen = tenant.location_ids()[0]
    (name,) = _query(
        warehouse, "select location_name from calven.locations where location_id = ?", chosen
    )[0]
    output = tmp_path / "one.html"
    done = warehouse.report(output, "--locations", chosen, "--weeks", "2")
    assert done.returncode == exit_codes.OK, done.stdout + done.stderr
    page = read_page(output)
    assert {row[1] for row in page.tables["coverage"] if row[0] != "user_change_log"} == {name}
    assert {row[1] for row in page.tables["rows-per-day"]} == {name}
    assert {row[0] for row in page.tables["weekly"]} == {name}
    days = sorted({row[2] for row in page.tables["rows-per-day"]})
    assert days[0] == scope_start(tenant.today, 2).isoformat()
    assert days[-1] == (tenant.today - timedelta(days=1)).isoformat()
