"""What every loaded table and column means, and how the tables join: the dlt schema's docs.

The descriptions and references below become dlt hints (``column_hints``, ``table_hints``), so
they live in the pipeline's schema: ``dlt pipeline ... schema`` and dlt's dashboard show them,
and ``sources.calven.erd`` draws the README's diagram from it. Columns are keyed by their
snake_case name, the one dlt gives the API's camelCase field. dlt keeps one reference per pair of
tables, so where a table holds two ids of the same table (``primary_location_id`` and
``booking_location_id``) the reference names the first and the other's description says it joins.
"""

from __future__ import annotations

from typing import Any

from dlt.common.data_types import TDataType
from dlt.common.libs.pyarrow import get_column_type_from_py_arrow
from dlt.common.schema.typing import TColumnSchema, TTableReference

from sources.calven.catalog import SYNC_WINDOWS_TABLE, Dataset

_BOOKING_COLUMNS = {
    "user_id": "The user (users.user_id); with day the key: one row per active user per weekday",
    "day": "The day of the plan, booking and attendance (UTC date)",
    "primary_location_id": "The user's primary location (locations.location_id)",
    "primary_location_name": "Name of the user's primary location",
    "plan": "The user's plan for the day: o office, r remote, a away",
    "booking_depth": "What was booked: 1 a location, 2 a zone, 3 a place (desk); null: no booking",
    "attendance_type": "confirmed, noShow, unconfirmed (may still change) or walkIn; null when no "
    "office plan",
    "booking_location_id": "Location of the booking; joins locations.location_id",
    "booking_location_name": "Name of the booked location",
    "booking_level_id": "Level (floor) of the booked zone or desk",
    "booking_level_name": "Name of the booked level",
    "booking_zone_id": "Zone (neighbourhood) of the booking; desks.zone_id lists its desks",
    "booking_zone_name": "Name of the booked zone",
    "booking_place_id": "The booked desk (desks.desk_id); null unless booking_depth is 3",
    "booking_place_name": "Name of the booked desk",
    "primary_group_id": "The user's primary group (groups.group_id)",
    "primary_group_name": "Name of the user's primary group",
    "booking_group_id": "Group the booking was made for; joins groups.group_id",
    "booking_group_name": "Name of the group the booking was made for",
    "booking_source": "Who made the booking: user, or autoBooking from the week plan",
    "booking_reason_code": "Why the booking was made: userSelected or weekPlan",
    "on_waitlist": "The user waits for a desk to free up; null when no booking",
}

COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "users": {
        "user_id": "Calven id of the user (lower-case UUID)",
        "user_name": "Login of the user, usually the e-mail address",
        "email": "E-mail address of the user",
        "first_name": "First name",
        "last_name": "Last name",
        "onboarded": "The user has completed Calven onboarding",
        "primary_group_id": "The group the user sits with by default (groups.group_id)",
        "primary_location_id": "The user's home office (locations.location_id)",
        "status": "active, inactive, provisioned or deprovisioned; only active users have bookings",
    },
    "groups": {
        "group_id": "Calven id of the group",
        "group_name": "Name of the group",
        "group_type": "Kind of group from the directory, such as Division or Department",
        "parent_group_id": "The group one level up (groups.group_id); null at the top",
        "status": "Status of the group, such as active",
    },
    "locations": {
        "location_id": "Calven id of the location (an office)",
        "location_name": "Name of the location",
        "address": "Postal address of the location",
        "status": "active or disabled",
    },
    "desks": {
        "desk_id": "Calven id of the desk (a place)",
        "desk_name": "Name of the desk as shown on the floor map",
        "location_id": "The location the desk is in (locations.location_id)",
        "location_name": "Name of the desk's location",
        "level_id": "Level (floor) the desk is on",
        "level_name": "Name of the level",
        "zone_id": "Zone (neighbourhood) the desk belongs to",
        "zone_name": "Name of the zone",
        "status": "Status of the desk, such as active",
    },
    "bookings_attendance": _BOOKING_COLUMNS,
    "presence": {
        "presence_id": "Unique id of the presence row",
        "event_id": "Id the reporting system gave the event",
        "user_id": "The user seen (users.user_id)",
        "user_email": "E-mail address of the user seen",
        "source_id": "The system that reported the event, such as badge-reader or wifi",
        "source_user_id": "Id of the user in the reporting system, when it sent one",
        "location_id": "The office the event resolved to (locations.location_id)",
        "location_name": "Name of that office",
        "detected_location_id": "Id of where the user was seen: a location, level, zone, place or "
        "space",
        "detected_location_type": "What detected_location_id is: location, level, zone, place or "
        "space",
        "timestamp": "When the user was seen (UTC)",
        "day": "UTC day of timestamp",
    },
    "user_change_log": {
        "change_log_id": "Unique id of the change",
        "user_id": "The user whose plan or booking changed (users.user_id)",
        "user_name": "Login of that user",
        "event_time": "When the change was made (UTC)",
        "booking_day": "The day whose plan or booking changed",
        "action": "planChanged, bookingCreated or bookingCancelled",
        "description": "The change in words, as the activity log shows it",
        "previous_plan": "Plan before the change: o, r or a",
        "new_plan": "Plan after the change: o, r or a",
        "changed_by": "Who made the change: user or autoBooking",
        "reason_code": "Why the change was made, such as userRequest or planChanged",
        "location_id": "The location of the change (locations.location_id)",
    },
    "bookings_future": _BOOKING_COLUMNS,
}
"""Per dataset, a one-line description of each column (keyed by snake_case name)."""

TABLE_DESCRIPTIONS: dict[str, str] = {
    "users": "Every user of the tenant, replaced on each run",
    "groups": "Groups from the directory (divisions, departments), replaced on each run",
    "locations": "Offices, replaced on each run",
    "desks": "Desks (places) with their level and zone, replaced on each run",
    "bookings_attendance": "Plan, booking and attendance of each active user on each weekday",
    "presence": "Presence events: a user seen at an office by a badge reader, Wi-Fi or sensor",
    "user_change_log": "Changes to users' plans and bookings, by the user or auto-booking",
    "bookings_future": "bookings_attendance from today on, replaced on each run that loads it",
    SYNC_WINDOWS_TABLE: "Audit: one row per window of days loaded, per dataset and partition",
}

SYNC_WINDOWS_COLUMNS: dict[str, tuple[TDataType, str]] = {
    "dataset": ("text", "The table the window was loaded into"),
    "partition": ("text", "Location id of the window, or all for a tenant-wide dataset"),
    "window_start": ("date", "First day of the window"),
    "window_end": ("date", "Day after the window's last day (exclusive)"),
    "rows": ("bigint", "Rows the API returned for the window"),
    "run_id": ("text", "The sync that loaded it, shared by the sync's load packages"),
    "fetched_at": ("timestamp", "When the window's rows arrived (UTC)"),
}
"""The audit table's columns, in load order: (dlt data type, description)."""

DLT_COLUMNS: dict[str, str] = {
    "_dlt_load_id": "The load package holding the row (_dlt_loads.load_id)",
    "_dlt_id": "Unique id of the row, made by dlt",
}
"""dlt's own columns where our tables have them (rows given to dlt as dicts)."""


def _ref(columns: str, table: str, referenced: str, *, optional: bool = False) -> TTableReference:
    return {
        "columns": [columns],
        "referenced_table": table,
        "referenced_columns": [referenced],
        "cardinality": "many_to_zero" if optional else "many_to_one",
        "label": columns,
    }


_USER = _ref("user_id", "users", "user_id")
_LOCATION = _ref("location_id", "locations", "location_id")
_BOOKING_REFERENCES = [
    _USER,
    _ref("primary_location_id", "locations", "location_id"),
    _ref("booking_place_id", "desks", "desk_id", optional=True),
    _ref("primary_group_id", "groups", "group_id"),
]
REFERENCES: dict[str, list[TTableReference]] = {
    "users": [
        _ref("primary_group_id", "groups", "group_id"),
        _ref("primary_location_id", "locations", "location_id"),
    ],
    "groups": [_ref("parent_group_id", "groups", "group_id", optional=True)],
    "desks": [_LOCATION],
    "bookings_attendance": _BOOKING_REFERENCES,
    "presence": [_USER, _LOCATION],
    "user_change_log": [_USER, _LOCATION],
    "bookings_future": _BOOKING_REFERENCES,
}
"""Where a table's ids join another table: at most one reference per referenced table."""


def column_hints(dataset: Dataset) -> list[TColumnSchema]:
    """The declared columns of ``dataset`` in load order: name, dlt data type, description.

    The data type is the one dlt derives from the declared Arrow type, and nullability is left
    to the Arrow schema, so the hints add descriptions and change nothing that is loaded. A
    column without a description loads all the same (the tests name it).
    """
    descriptions = COLUMN_DESCRIPTIONS.get(dataset.name, {})
    hints: list[TColumnSchema] = []
    for name, arrow_type in dataset.columns.items():
        column: TColumnSchema = {
            "name": name,
            "data_type": get_column_type_from_py_arrow(arrow_type)["data_type"],
        }
        if name in descriptions:
            column["description"] = descriptions[name]
        hints.append(column)
    return hints


def sync_windows_columns() -> list[TColumnSchema]:
    """The audit table's columns, dlt's own last (described only: dlt types them)."""
    declared: list[TColumnSchema] = [
        {"name": name, "data_type": data_type, "nullable": True, "description": description}
        for name, (data_type, description) in SYNC_WINDOWS_COLUMNS.items()
    ]
    return declared + [{"name": n, "description": d} for n, d in DLT_COLUMNS.items()]


def table_hints(name: str) -> dict[str, Any]:
    """The table-level hints dlt has no argument for (``additional_table_hints``)."""
    return {"description": TABLE_DESCRIPTIONS[name]} if name in TABLE_DESCRIPTIONS else {}


def sync_windows_table_hints() -> dict[str, Any]:
    """The audit table's description, columns and (no) references, as table-level hints.

    The audit rows are a table variant of a windowed dataset's resource, and dlt starts a variant
    from its resource's hints, merging what the variant adds: given as table-level hints, these
    columns and references replace the dataset's instead.
    """
    columns = {column["name"]: column for column in sync_windows_columns()}
    return {**table_hints(SYNC_WINDOWS_TABLE), "columns": columns, "references": []}
