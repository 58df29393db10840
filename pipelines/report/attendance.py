"""Attendance figures from the transform's marts (``<dataset>_marts``), one query per chart.

Ratios are computed here from the sums the query returns, so a table shows the same numbers as
its chart and a test can recompute them from the marts directly.
"""

from __future__ import annotations

from pipelines.report.health import Scope
from pipelines.report.reader import Reader, Row

MARTS = ("agg_location_day", "agg_zone_day", "agg_group_week")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def missing_marts(reader: Reader) -> list[str]:
    """The marts the attendance section needs that are not built."""
    return [name for name in MARTS if name not in reader.marts]


def _ratio(part: object, whole: object) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None  # type: ignore[arg-type]


def _in_scope(scope: Scope, column: str = "location_id") -> tuple[str, list[object]]:
    """A WHERE fragment for ``scope``'s locations (none when all)."""
    if not scope.locations:
        return "", []
    return f" AND {column} IN ({', '.join('%s' for _ in scope.locations)})", [*scope.locations]


def weekly_by_location(reader: Reader, scope: Scope) -> list[Row]:
    """Per location and week: office plans, attended, booked, no-shows and their rates."""
    where, params = _in_scope(scope)
    rows = reader.rows(
        "SELECT location_id, max(location_name) AS location, "
        "CAST(date_trunc('week', day) AS DATE) AS week, sum(office_plans) AS office_plans, "
        "sum(attended) AS attended, sum(booked) AS booked, sum(no_shows) AS no_shows "
        f"FROM {reader.mart('agg_location_day')} WHERE day >= %s AND day < %s{where} "
        "GROUP BY location_id, CAST(date_trunc('week', day) AS DATE) ORDER BY 2, 3",
        scope.start,
        scope.end,
        *params,
    )
    for row in rows:
        for name in ("office_plans", "attended", "booked", "no_shows"):
            row[name] = int(row[name])
        row["attendance_rate"] = _ratio(row["attended"], row["office_plans"])
        row["no_show_rate"] = _ratio(row["no_shows"], row["booked"])
    return rows


def by_weekday(reader: Reader, scope: Scope) -> list[Row]:
    """Per location and weekday: attended of office plans over the report's weeks."""
    where, params = _in_scope(scope)
    rows = reader.rows(
        "SELECT location_id, max(location_name) AS location, "
        "CAST(extract(isodow FROM day) AS INTEGER) AS weekday_number, "
        "sum(office_plans) AS office_plans, sum(attended) AS attended "
        f"FROM {reader.mart('agg_location_day')} WHERE day >= %s AND day < %s{where} "
        "GROUP BY location_id, CAST(extract(isodow FROM day) AS INTEGER) ORDER BY 2, 3",
        scope.start,
        scope.end,
        *params,
    )
    for row in rows:
        row["weekday"] = WEEKDAYS[int(row["weekday_number"]) - 1]
        row["office_plans"], row["attended"] = int(row["office_plans"]), int(row["attended"])
        row["attendance_rate"] = _ratio(row["attended"], row["office_plans"])
    return rows


def zone_utilisation(reader: Reader, scope: Scope, names: dict[str, str]) -> list[Row]:
    """Per zone over the report's days: desk bookings and all bookings against desk-days."""
    where, params = _in_scope(scope)
    rows = reader.rows(
        "SELECT location_id, zone_id, max(zone_name) AS zone_name, sum(desks) AS desk_days, "
        "sum(desk_bookings) AS desk_bookings, sum(booked) AS booked "
        f"FROM {reader.mart('agg_zone_day')} WHERE day >= %s AND day < %s{where} "
        "GROUP BY location_id, zone_id ORDER BY 1, 3",
        scope.start,
        scope.end,
        *params,
    )
    for row in rows:
        for name in ("desk_days", "desk_bookings", "booked"):
            row[name] = int(row[name])
        location = names.get(row["location_id"], row["location_id"])
        row["zone"] = f"{location} · {row['zone_name'] or row['zone_id']}"
        row["desk_utilisation"] = _ratio(row["desk_bookings"], row["desk_days"])
        row["zone_utilisation"] = _ratio(row["booked"], row["desk_days"])
    return sorted(rows, key=lambda row: row["zone"])


def group_weeks(reader: Reader, scope: Scope) -> list[Row]:
    """Per team and week: members, co-location days and members meeting the office-day target."""
    names = "groups" in reader.tables
    group_name = "coalesce(g.group_name, w.group_id)" if names else "w.group_id"
    join = f" LEFT JOIN {reader.table('groups')} g ON g.group_id = w.group_id" if names else ""
    rows = reader.rows(
        f"SELECT w.group_id, {group_name} AS team, w.week_start AS week, w.members, "
        "w.colocation_days, w.members_meeting_target, w.office_days_target "
        f"FROM {reader.mart('agg_group_week')} w{join} "
        "WHERE w.week_start >= %s AND w.week_start < %s ORDER BY 2, 3",
        scope.start,
        scope.end,
    )
    for row in rows:
        for name in ("members", "colocation_days", "members_meeting_target", "office_days_target"):
            row[name] = int(row[name])
        row["target_adherence"] = _ratio(row["members_meeting_target"], row["members"])
    return rows
