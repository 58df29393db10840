"""``calven-sync report``: one self-contained HTML file of sync health and attendance.

Reads the destination through the pipeline (``reader``), shapes sync health (``health``) and the
marts' attendance (``attendance``), draws static SVG charts (``charts``) and tables from the
same rows (``tables``), and writes the page (``template.html.j2``) to a temporary file that is
renamed into place, so a failed report never leaves a half-written file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import dlt
import jinja2

from pipelines.operations.runlog import package_version
from pipelines.report import attendance, charts, health
from pipelines.report.reader import Reader, open_reader
from pipelines.report.tables import table


@dataclass(frozen=True)
class ReportOptions:
    output: Path
    weeks: int = 12
    locations: Sequence[str] = ()
    today: date | None = None
    command_options: Sequence[str] = ()
    """The pipeline options the report was made with, repeated in the commands it prints."""

    def scope(self) -> health.Scope:
        end = self.today or datetime.now(UTC).date()
        start = end - timedelta(weeks=self.weeks)
        return health.Scope(start - timedelta(days=start.weekday()), end, tuple(self.locations))


@dataclass(frozen=True)
class Written:
    path: Path
    bytes: int
    charts: int
    gaps: int
    anomalies: int
    attendance: bool


def write_report(pipeline: dlt.Pipeline, options: ReportOptions) -> Written:
    """Write the report of ``pipeline``'s destination to ``options.output``."""
    scope = options.scope()
    with open_reader(pipeline) as reader:
        page = _page(reader, scope, options)
        page["meta"]["destination"] = pipeline.destination.destination_name
        page["meta"]["pipeline"] = pipeline.pipeline_name
    template = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    source = resources.files(__package__).joinpath("template.html.j2").read_text("utf-8")
    html = template.from_string(source).render(**page)
    _write_atomically(options.output, html)
    shown = [*page["coverage"], *page["rows_charts"], page["runs_chart"], *page["attendance"]]
    return Written(
        path=options.output,
        bytes=len(html.encode()),
        charts=sum(1 for item in shown if isinstance(item, charts.Chart)),
        gaps=len(page["gaps"]),
        anomalies=len(page["anomalies"].rows),
        attendance=not page["missing_marts"],
    )


def _page(reader: Reader, scope: health.Scope, options: ReportOptions) -> dict[str, Any]:
    names = health.location_names(reader, scope)
    cells = health.coverage(reader, scope, names)
    datasets = list(dict.fromkeys(cell["dataset"] for cell in cells))
    per_day = health.rows_per_day(reader, scope, names)
    runs = health.last_runs(reader)
    missing = attendance.missing_marts(reader)
    transform = " ".join(["calven-sync", "transform", *options.command_options])
    return {
        "meta": {
            "dataset": reader.dataset,
            "start": scope.start,
            "last_day": scope.end - timedelta(days=1),
            "weeks": options.weeks,
            "locations": ", ".join(names.get(loc, loc) for loc in scope.locations),
            "made": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "version": package_version(),
        },
        "coverage": [
            charts.coverage(name, [c for c in cells if c["dataset"] == name]) for name in datasets
        ],
        "coverage_table": table(
            "coverage",
            "Days per state, dataset and partition",
            [
                ("dataset", "dataset", "text"),
                ("location", "location", "text"),
                ("partition", "partition", "text"),
                ("loaded earlier", health.LOADED, "int"),
                ("read by the last run", health.REREAD, "int"),
                ("missing", health.MISSING, "int"),
            ],
            health.coverage_summary(cells),
        ),
        "gaps": [
            {
                "dataset": g.dataset,
                "location": g.location,
                "start": g.start,
                "days": g.days,
                "command": g.command(options.command_options),
            }
            for g in health.gaps(cells)
        ],
        "rows_charts": [
            charts.rows_per_day(name, [r for r in per_day if r["dataset"] == name])
            for name in dict.fromkeys(row["dataset"] for row in per_day)
        ],
        "anomalies": table(
            "anomalies",
            "Anomalies",
            [
                ("dataset", "dataset", "text"),
                ("location", "location", "text"),
                ("day", "day", "day"),
                ("rows", "rows", "int"),
                ("why", "anomaly", "text"),
            ],
            [row for row in per_day if row["anomaly"]],
        ),
        "rows_table": table(
            "rows-per-day",
            "Rows per day and location",
            [
                ("dataset", "dataset", "text"),
                ("location", "location", "text"),
                ("day", "day", "day"),
                ("rows", "rows", "int"),
            ],
            per_day,
        ),
        "runs_source": (
            "From the run log, _calven_sync_runs."
            if "_calven_sync_runs" in reader.tables
            else "From the window audit, _calven_sync_windows (the run log is not there yet)."
        ),
        "runs_chart": charts.runs(runs) if runs else None,
        "runs_table": table(
            "runs",
            "Runs, newest first",
            [
                ("started (UTC)", "started_at", "time"),
                ("command", "command", "text"),
                ("status", "status", "text"),
                ("duration", "seconds", "seconds"),
                ("rows", "rows", "int"),
                ("failed windows", "failed_windows", "int"),
            ],
            runs,
        ),
        "missing_marts": missing,
        "transform_command": transform,
        "attendance": [] if missing else _attendance(reader, scope, names),
    }


def _attendance(reader: Reader, scope: health.Scope, names: dict[str, str]) -> list[object]:
    weekly = attendance.weekly_by_location(reader, scope)
    weekdays = attendance.by_weekday(reader, scope)
    zones = attendance.zone_utilisation(reader, scope, names)
    teams = attendance.group_weeks(reader, scope)
    return [
        charts.weekly_rate(
            "attendance-rate", "attendance_rate", "Weekly attendance rate per location",
            "Attended (% of office plans)",
            "Share of the days planned in the office on which people came in.", weekly,
        ),
        charts.weekly_rate(
            "no-show-rate", "no_show_rate", "Weekly no-show rate per location",
            "No-shows (% of bookings)", "Share of booked days on which nobody turned up.", weekly,
        ),
        table("weekly", "Weekly attendance and no-shows per location",
              [("location", "location", "text"), ("week", "week", "day"),
               ("office plans", "office_plans", "int"), ("attended", "attended", "int"),
               ("attendance rate", "attendance_rate", "pct"), ("booked", "booked", "int"),
               ("no-shows", "no_shows", "int"), ("no-show rate", "no_show_rate", "pct")], weekly),
        charts.weekday_heatmap(weekdays),
        table("weekdays", "Attendance by location and weekday",
              [("location", "location", "text"), ("weekday", "weekday", "text"),
               ("office plans", "office_plans", "int"), ("attended", "attended", "int"),
               ("attendance rate", "attendance_rate", "pct")], weekdays),
        charts.utilisation(zones),
        table("zones", "Utilisation per zone",
              [("zone", "zone", "text"), ("desk-days", "desk_days", "int"),
               ("desk bookings", "desk_bookings", "int"),
               ("desk utilisation", "desk_utilisation", "pct"), ("all bookings", "booked", "int"),
               ("zone utilisation", "zone_utilisation", "pct")], zones),
        charts.team_heatmap(
            "target-adherence", "target_adherence", "Teams: members meeting the office-day target",
            "Members meeting target", "Share of each team's members who reached the weekly "
            "office-day target.", teams,
        ),
        charts.team_heatmap(
            "colocation", "colocation_days", "Teams: co-location days per week",
            "Co-location days", "Days of the week on which at least half of a team was in.", teams,
        ),
        table("teams", "Teams per week",
              [("team", "team", "text"), ("week", "week", "day"), ("members", "members", "int"),
               ("co-location days", "colocation_days", "int"),
               ("meeting target", "members_meeting_target", "int"),
               ("target (days)", "office_days_target", "int"),
               ("target adherence", "target_adherence", "pct")], teams),
    ]  # fmt: skip


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in its folder and a rename."""
    folder = path.resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 would hide the report from others
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
