"""``calven-sync demo``: the simulated API and a full load into a local DuckDB file."""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import dlt
import duckdb

from pipelines import exit_codes
from pipelines.cli.extras import needs_extra
from pipelines.cli.output import Progress, show_summary
from pipelines.cli.transform import show_node, show_transform_summary
from pipelines.pipeline import PipelineSpec, make_pipeline
from pipelines.runner import SyncReport, new_report, sync
from pipelines.transform import transform
from sources.calven.catalog import BOOKINGS_FUTURE, SYNC_DATASETS
from sources.calven_sim.server import SimulatorConfig, run_simulator
from sources.calven_sim.tenant import TenantConfig

SAMPLE_QUERY = """
select location_name as location,
       strftime(date_trunc('week', day), '%Y-%m-%d') as week,
       sum(office_plans) as office_plans,
       round(100.0 * sum(attended) / nullif(sum(office_plans), 0), 1) as attendance_pct
from calven_marts.agg_location_day
group by all
order by week desc, location
limit 12
"""


def _print_sample(database: Path) -> None:
    with duckdb.connect(str(database), read_only=True) as con:
        result = con.sql(SAMPLE_QUERY)
        columns = result.columns
        rows = result.fetchall()
    print("\nAttendance rate per location per week (most recent first):")
    print("  ".join(f"{c:<24}" if i == 0 else f"{c:>14}" for i, c in enumerate(columns)))
    for row in rows:
        print("  ".join(f"{v!s:<24}" if i == 0 else f"{v!s:>14}" for i, v in enumerate(row)))


def demo(args: argparse.Namespace) -> int:
    with needs_extra("report", "the report"):
        from pipelines.report import ReportOptions, write_report

    output = Path(args.output).resolve()
    for leftover in (output, output.with_suffix(output.suffix + ".wal")):
        leftover.unlink(missing_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="calven-demo-"))
    tenant = TenantConfig(
        seed=args.seed, users=args.users, locations=args.locations, history_days=args.days
    )
    try:
        with run_simulator(SimulatorConfig(tenant=tenant)) as simulator:
            key = simulator.key(role="warehouse", basic=False)
            today = simulator.sim.tenant.today
            print(
                f"Simulated Calven API at {simulator.base_url} "
                f"({args.users:,} users, {args.locations} locations, {args.days} days)"
            )
            pipeline = make_pipeline(
                PipelineSpec(
                    pipeline_name="calven_demo",
                    destination=dlt.destinations.duckdb(str(output)),
                    pipelines_dir=workdir,
                )
            )
            options = {
                "base_url": simulator.base_url,
                "auth_type": "hmac",
                "credentials": {"api_key_id": key.key_id, "api_secret": key.secret},
                "today": today.isoformat(),
                "start_date": (today - timedelta(days=args.days)).isoformat(),
            }
            progress = Progress()
            report = new_report(on_window=progress, on_planned=progress.planned)
            try:
                sync(pipeline, [*SYNC_DATASETS, BOOKINGS_FUTURE.name], options, report=report)
            finally:
                progress.close()
            if report.ok:
                show_summary(report)
                show_transform_summary(transform(pipeline, on_node=show_node))
                write_report(pipeline, ReportOptions(output=Path(args.report), today=today))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    code = _report(report, output)
    if report.ok:
        print(f"Open the report: {Path(args.report).resolve().as_uri()}")
    return code


def try_command(database: Path) -> str:
    """A shell command that queries the demo's database with what this install has (the
    ``duckdb`` command-line tool is not part of it; the duckdb Python package is)."""
    python = Path(sys.executable)
    here = Path.cwd()
    shown = python.relative_to(here) if python.is_relative_to(here) else python
    path = database.relative_to(here) if database.is_relative_to(here) else database
    code = (
        f"import duckdb; duckdb.connect('{path}', read_only=True)"
        ".sql('select user_id, day, plan, attended, presence_events '"
        "'from calven_marts.fct_attendance_day limit 5').show()"
    )
    return f"{shlex.quote(str(shown))} -c {shlex.quote(code)}"


def _report(report: SyncReport, output: Path) -> int:
    if not report.ok:
        show_summary(report)
        return exit_codes.API
    print(f"\nLoaded into {output} (dataset 'calven', models in 'calven_marts').")
    _print_sample(output)
    print(f"\nTry: {try_command(output)}")
    return exit_codes.OK
