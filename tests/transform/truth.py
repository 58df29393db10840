"""The figures of the marts, computed straight from the simulator's rows (never from our tables).

Each function takes the API's rows (camelCase, as ``Tenant.rows`` returns them) and returns
``{key: {column: value}}`` with the marts' keys and column names.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

Rows = list[dict[str, Any]]
ATTENDED = ("confirmed", "walkIn")


def _day(row: dict[str, Any]) -> date:
    return date.fromisoformat(row["day"][:10])


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def location_days(bookings: Rows) -> dict[tuple[str, date], dict[str, Any]]:
    """``agg_location_day`` by (location_id, day), exactly as the issue defines its figures."""
    out: dict[tuple[str, date], dict[str, Any]] = {}
    for row in bookings:
        key = (row["primaryLocationId"], _day(row))
        figures = out.setdefault(
            key,
            {
                "location_name": row["primaryLocationName"],
                **dict.fromkeys(
                    ("users", "office_plans", "remote_plans", "away_plans", "booked",
                     "attended", "no_shows", "walk_ins", "unconfirmed"), 0,
                ),
            },
        )  # fmt: skip
        attendance = row["attendanceType"]
        figures["users"] += 1
        figures["office_plans"] += row["plan"] == "o"
        figures["remote_plans"] += row["plan"] == "r"
        figures["away_plans"] += row["plan"] == "a"
        figures["booked"] += row["bookingDepth"] is not None
        figures["attended"] += attendance in ATTENDED
        figures["no_shows"] += attendance == "noShow"
        figures["walk_ins"] += attendance == "walkIn"
        figures["unconfirmed"] += attendance == "unconfirmed"
    for figures in out.values():
        figures["attendance_rate"] = _ratio(figures["attended"], figures["office_plans"])
        figures["no_show_rate"] = _ratio(figures["no_shows"], figures["booked"])
    return out


def group_weeks(bookings: Rows, target: int = 2) -> dict[tuple[str, date], dict[str, Any]]:
    """``agg_group_week`` by (group_id, week_start): members are the users with that primary
    group who have a row that week; a co-location day has at least half of them in."""
    office_days: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    in_office: dict[tuple[str, date], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in bookings:
        if row["primaryGroupId"] is None:
            continue
        day = _day(row)
        key = (row["primaryGroupId"], day - timedelta(days=day.weekday()))
        attended = row["attendanceType"] in ATTENDED
        office_days[key][row["userId"]] += attended
        in_office[key][day] += attended
    out = {}
    for key, members in office_days.items():
        days = in_office[key]
        total = sum(members.values())
        out[key] = {
            "members": len(members),
            "days": len(days),
            "member_office_days": total,
            "avg_office_days_per_member": total / len(members),
            "colocation_days": sum(1 for n in days.values() if 2 * n >= len(members)),
            "office_days_target": target,
            "members_meeting_target": sum(1 for n in members.values() if n >= target),
        }
    return out


def zone_days(bookings: Rows, desks: Rows) -> dict[tuple[str, date], dict[str, Any]]:
    """``agg_zone_day`` by (zone_id, day): every zone of ``desks`` on every day with bookings."""
    capacity: dict[str, int] = defaultdict(int)
    zone_of_desk = {}
    for desk in desks:
        capacity[desk["zoneId"]] += 1
        zone_of_desk[desk["deskId"]] = desk["zoneId"]
    counts: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
    days = set()
    for row in bookings:
        day = _day(row)
        days.add(day)
        if row["bookingDepth"] == 3:
            counts[(zone_of_desk[row["bookingPlaceId"]], day)][0] += 1
        elif row["bookingDepth"] == 2:
            counts[(row["bookingZoneId"], day)][1] += 1
    out = {}
    for zone, desks_in_zone in capacity.items():
        for day in days:
            desk_bookings, zone_bookings = counts.get((zone, day), (0, 0))
            out[(zone, day)] = {
                "desks": desks_in_zone,
                "desk_bookings": desk_bookings,
                "zone_bookings": zone_bookings,
                "booked": desk_bookings + zone_bookings,
                "desk_utilisation": desk_bookings / desks_in_zone,
                "zone_utilisation": (desk_bookings + zone_bookings) / desks_in_zone,
            }
    return out
