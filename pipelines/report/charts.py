"""The report's charts: Vega-Lite specs made with altair, rendered to static SVG by vl-convert.

Static SVG needs no script in the page, so the report opens from ``file://`` with nothing
fetched, and reads the same with JavaScript off. Every chart has a title, axis titles with units
and a reading aid (the page prints it under the chart).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import altair as alt
import vl_convert

from pipelines.report.attendance import WEEKDAYS
from pipelines.report.health import LOADED, MISSING, REREAD
from pipelines.report.reader import Row

WIDTH = 640
STATES = alt.Scale(domain=[LOADED, REREAD, MISSING], range=["#59a14f", "#4e79a7", "#e15759"])
PERCENT = alt.Axis(format="%")


@dataclass(frozen=True)
class Chart:
    """One figure of the page: its anchor, title, reading aid and SVG."""

    key: str
    title: str
    aid: str
    svg: str


def _values(rows: Sequence[Row], fields: Sequence[str]) -> alt.Data:
    """The rows as inline data; dates as ISO text (Vega reads them as UTC)."""

    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date | datetime) else value

    return alt.Data(  # type: ignore[no-untyped-call]
        values=[{name: plain(row[name]) for name in fields} for row in rows]
    )


def render(key: str, title: str, aid: str, chart: alt.TopLevelMixin) -> Chart:
    # Room on the right: the SVG is sized with vl-convert's font, a browser's may be wider.
    padding = {"left": 5, "top": 5, "right": 40, "bottom": 5}
    spec = chart.properties(title=title, padding=padding).configure_view(strokeWidth=0).to_dict()
    return Chart(key, title, aid, vl_convert.vegalite_to_svg(spec))


def coverage(dataset: str, cells: Sequence[Row]) -> Chart:
    mondays = sorted({row["day"].isoformat() for row in cells if row["day"].weekday() == 0})
    partitions = len({row["location"] for row in cells})
    chart = (
        alt.Chart(_values(cells, ["location", "day", "state"]))
        .mark_rect()
        .encode(
            x=alt.X("day:O", title="Day (UTC)", axis=alt.Axis(values=mondays, labelAngle=-45)),
            y=alt.Y("location:N", title="Partition (location)"),
            color=alt.Color(
                "state:N", title="Window ledger", scale=STATES, legend=alt.Legend(labelLimit=0)
            ),
            tooltip=["location:N", "day:O", "state:N"],
        )
        .properties(width=WIDTH, height=max(20 * partitions, 80))
    )
    return render(
        f"coverage-{dataset}",
        f"{dataset}: days covered by the window ledger",
        "Each cell is one day of one partition: blue ones the last run read (a first load, or the "
        "recent days a nightly run re-reads), red ones no window has loaded yet.",
        chart,
    )


def rows_per_day(dataset: str, rows: Sequence[Row]) -> Chart:
    base = alt.Chart(_values(rows, ["location", "day", "rows", "anomaly"]))
    line = base.mark_line(strokeWidth=1.5).encode(
        x=alt.X("day:T", title="Day (UTC)"),
        y=alt.Y("rows:Q", title="Rows per day"),
        color=alt.Color("location:N", title="Location"),
    )
    marked = (
        base.transform_filter("datum.anomaly != ''")
        .mark_point(shape="diamond", size=90, color="#e15759", filled=True)
        .encode(x="day:T", y="rows:Q", tooltip=["location:N", "day:T", "rows:Q", "anomaly:N"])
    )
    return render(
        f"rows-{dataset}",
        f"{dataset}: rows per day and location",
        "Red diamonds mark anomalies: a weekday without rows, or a day below half its "
        "weekday's 8-week median.",
        (line + marked).properties(width=WIDTH, height=220),
    )


def runs(rows: Sequence[Row]) -> Chart:
    data = [{**row, "run": row["started_at"].strftime("%Y-%m-%d %H:%M:%S")} for row in rows]
    chart = (
        alt.Chart(_values(data, ["run", "seconds", "status", "command"]))
        .mark_bar()
        .encode(
            x=alt.X("run:O", title="Run started (UTC)", sort="ascending"),
            y=alt.Y("seconds:Q", title="Duration (s)"),
            color=alt.Color("status:N", title="Status"),
            tooltip=["run:O", "command:N", "status:N", "seconds:Q"],
        )
        .properties(width=WIDTH, height=180)
    )
    return render("runs", "Last runs: duration", "Each bar is one run; taller is slower.", chart)


def weekly_rate(
    key: str, field: str, title: str, axis: str, aid: str, rows: Sequence[Row]
) -> Chart:
    chart = (
        alt.Chart(_values(rows, ["location", "week", field]))
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title="Week starting (Monday)"),
            y=alt.Y(f"{field}:Q", title=axis, axis=PERCENT),
            color=alt.Color("location:N", title="Location"),
            tooltip=["location:N", "week:T", alt.Tooltip(f"{field}:Q", format=".1%")],
        )
        .properties(width=WIDTH, height=240)
    )
    return render(key, title, aid, chart)


def weekday_heatmap(rows: Sequence[Row]) -> Chart:
    chart = (
        alt.Chart(_values(rows, ["location", "weekday", "attendance_rate"]))
        .mark_rect()
        .encode(
            x=alt.X("weekday:O", title="Weekday", sort=list(WEEKDAYS)),
            y=alt.Y("location:N", title="Location"),
            color=alt.Color(
                "attendance_rate:Q", title="Attendance rate", legend=alt.Legend(format="%")
            ),
            tooltip=["location:N", "weekday:O", alt.Tooltip("attendance_rate:Q", format=".1%")],
        )
        .properties(width=420)
    )
    return render(
        "weekday-heatmap",
        "Attendance rate by location and weekday",
        "Darker cells are the days people with an office plan actually come in.",
        chart,
    )


def utilisation(rows: Sequence[Row]) -> Chart:
    chart = (
        alt.Chart(_values(rows, ["zone", "desk_utilisation", "zone_utilisation"]))
        .transform_fold(["desk_utilisation", "zone_utilisation"], as_=["measure", "value"])
        .mark_bar()
        .encode(
            y=alt.Y("zone:N", title="Location · zone"),
            x=alt.X("value:Q", title="Bookings per desk-day (%)", axis=PERCENT),
            yOffset="measure:N",
            color=alt.Color("measure:N", title="Measure"),
            tooltip=["zone:N", "measure:N", alt.Tooltip("value:Q", format=".1%")],
        )
        .properties(width=WIDTH - 200)
    )
    return render(
        "utilisation",
        "Desk and zone utilisation per zone",
        "Desk: desk bookings per desk-day; zone: desk and zone bookings per desk-day.",
        chart,
    )


def team_heatmap(
    key: str, field: str, title: str, legend: str, aid: str, rows: Sequence[Row]
) -> Chart:
    percent = field == "target_adherence"
    chart = (
        alt.Chart(_values(rows, ["team", "week", field]))
        .mark_rect()
        .encode(
            x=alt.X("week:O", title="Week starting (Monday)", axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("team:N", title="Team"),
            color=alt.Color(
                f"{field}:Q", title=legend, legend=alt.Legend(format="%" if percent else "d")
            ),
            tooltip=["team:N", "week:O", f"{field}:Q"],
        )
        .properties(width=WIDTH - 200)
    )
    return render(key, title, aid, chart)
