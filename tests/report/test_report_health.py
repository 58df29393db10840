"""Sync health from a warehouse with holes: a location the API failed on is a gap whose printed
backfill fills it, days with too few rows are marked, and missing marts say how to build them."""

from __future__ import annotations

import math
import shlex
import statistics
from datetime import timedelta

import duckdb
import pytest

from pipelines import exit_codes
from sources.calven_sim.faults import FaultConfig, FaultRule
from tests.reliability.cli import run_cli, simulator_env
from tests.report.page import read_page

pytestmark = pytest.mark.slow
DAY = timedelta(days=1)


def _presence_counts(database, location_id):
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select day, count(*) from calven.presence where location_id = ? group by day",
            [location_id],
        ).fetchall()
    return dict(rows)


def test_a_failed_location_is_a_gap_its_command_fills_and_thin_days_are_anomalies(
    tmp_path, simulator
):
    tenant = simulator.sim.tenant
    bad, good = tenant.location_ids()
    env = simulator_env(simulator)
    simulator.sim.set_faults(
        FaultConfig(rules=(FaultRule("500", path="/v1/analytics/presence", location_id=bad),))
    )
    failed = run_cli(tmp_path, env, "run")
    assert failed.returncode == exit_codes.API, failed.stdout + failed.stderr
    simulator.sim.set_faults(None)

    output = tmp_path / "report.html"
    done = run_cli(tmp_path, env, "report", "--output", str(output))
    assert done.returncode == exit_codes.OK, done.stdout + done.stderr
    assert "1 gaps" in done.stdout and "no attendance models yet" in done.stdout
    page = read_page(output)
    ((dataset, _, first, days, command),) = page.tables["gaps"]
    state = str(tmp_path / "state")
    assert command == shlex.join(
        ["calven-sync", "backfill", "--dataset", "presence", "--start",
         tenant.first_day.isoformat(), "--end", tenant.today.isoformat(), "--locations", bad,
         "--pipelines-dir", state]
    )  # fmt: skip
    assert (dataset, first, days) == (
        "presence", tenant.first_day.isoformat(), str((tenant.today - tenant.first_day).days)
    )  # fmt: skip
    missing = {(r[0], r[2]): r[5] for r in page.tables["coverage"]}
    assert missing[("presence", bad)] == days
    assert {n for key, n in missing.items() if key != ("presence", bad)} == {"0"}
    # Without the models, the attendance section names the command that builds them.
    assert "The attendance models are not built" in page.text
    assert f"calven-sync transform --pipelines-dir {state}" in page.text

    filled = run_cli(tmp_path, env, *shlex.split(command)[1:])
    assert filled.returncode == exit_codes.OK, filled.stdout + filled.stderr

    # Thin days: a weekday emptied between days with rows, and the last Monday cut to just
    # under half the median of the Mondays before it (so "below half" is the rule, not "empty").
    database = tmp_path / "warehouse.duckdb"
    counts = _presence_counts(database, good)
    weekdays = sorted(day for day in counts if day.weekday() < 5)
    emptied = weekdays[len(weekdays) // 2]
    thin = max(day for day in counts if day.weekday() == 0)
    counts.pop(emptied)
    weeks_before = [thin - timedelta(weeks=w) for w in range(1, 9)]
    weeks_before = [day for day in weeks_before if day >= min(counts)]  # the loaded ones
    median = statistics.median(counts.get(day, 0) for day in weeks_before)
    keep = math.ceil(median / 2) - 1
    assert 0 < keep < counts[thin]
    with duckdb.connect(str(database)) as con:
        con.execute(
            "delete from calven.presence where location_id = ? and day = ?", [good, emptied]
        )
        con.execute(
            "delete from calven.presence where location_id = ? and day = ? and presence_id not in "
            "(select presence_id from calven.presence where location_id = ? and day = ? "
            "order by presence_id limit ?)",
            [good, thin, good, thin, keep],
        )

    again = run_cli(tmp_path, env, "report", "--output", str(output))
    assert again.returncode == exit_codes.OK, again.stdout + again.stderr
    assert "0 gaps" in again.stdout
    page = read_page(output)
    assert "gaps" not in page.tables and "No gaps" in page.text
    name = next(row[1] for row in page.tables["coverage"] if row[2] == good)
    marked = {(r[0], r[1], r[2]): (r[3], r[4]) for r in page.tables["anomalies"]}
    assert marked[("presence", name, emptied.isoformat())] == ("0", "no rows on a weekday")
    rows, why = marked[("presence", name, thin.isoformat())]
    assert (rows, why) == (
        str(keep),
        f"below half the {len(weeks_before)}-week median ({median:g})",
    )


@pytest.mark.parametrize("case", ["no database", "empty dataset"])
def test_nothing_to_report_is_one_line_exit_2_and_leaves_the_old_file(tmp_path, case, warehouse):
    workdir = tmp_path if case == "no database" else warehouse.workdir
    extra = ("--dataset-name", "nothing_here") if case == "empty dataset" else ()
    output = tmp_path / "out" / "report.html"
    output.parent.mkdir()
    output.write_text("the last good report", encoding="utf-8")
    done = run_cli(workdir, warehouse.env, "report", "--output", str(output), *extra)
    assert done.returncode == exit_codes.CONFIG, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "nothing to report" in line and "run calven-sync run" in line, line
    assert output.read_text(encoding="utf-8") == "the last good report"
    assert [p.name for p in output.parent.iterdir()] == ["report.html"]
