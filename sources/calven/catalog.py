"""Every dataset the source loads, described once; resources are generated from this table.

Field names are the API's (camelCase); dlt turns them into snake_case column names, so primary
keys are given in snake_case. Declared types become the Arrow schema of every page, so dates
land as dates, timestamps as UTC timestamps and ids as text whatever the destination infers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import pyarrow as pa

WriteDisposition = Literal["replace", "merge"]
Partitioning = Literal["location", "none"]
Fetch = Literal["whole", "windows", "ahead"]
"""How a dataset is read: ``whole`` in one request (a dimension), ``windows`` through the ledger's
gaps (``[start_date, today)`` in windows of at most 30 days), ``ahead`` for
``[today, today + future_days)`` on request."""

TEXT = pa.string()
BOOL = pa.bool_()
INT = pa.int64()
DATE = pa.date32()
TIMESTAMP = pa.timestamp("us", tz="UTC")

SYNC_WINDOWS_TABLE = "_calven_sync_windows"
ALL_PARTITION = "all"


@dataclass(frozen=True)
class Dataset:
    """How one warehouse dataset is fetched and loaded."""

    name: str
    path: str
    """The HMAC path; the Basic variant is this path + ``/basic``."""
    fields: dict[str, pa.DataType]
    primary_key: tuple[str, ...]
    write_disposition: WriteDisposition = "replace"
    fetch: Fetch = "whole"
    partitioning: Partitioning = "none"
    location_param: str | None = None
    """Query parameter that restricts a request to one location (per-location partitioning)."""

    @property
    def windowed(self) -> bool:
        """Read through the window ledger (``fetch == "windows"``)."""
        return self.fetch == "windows"

    @cached_property
    def key_fields(self) -> tuple[str, ...]:
        """The primary key as API field names (read for every response)."""
        by_snake = {_snake(field): field for field in self.fields}
        return tuple(by_snake[column] for column in self.primary_key)

    @property
    def columns(self) -> dict[str, pa.DataType]:
        """The declared fields by the column names dlt gives them (snake_case), in order."""
        return {_snake(field): arrow_type for field, arrow_type in self.fields.items()}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


USERS = Dataset(
    name="users",
    path="/v1/analytics/users",
    fields={
        "userId": TEXT,
        "userName": TEXT,
        "email": TEXT,
        "firstName": TEXT,
        "lastName": TEXT,
        "onboarded": BOOL,
        "primaryGroupId": TEXT,
        "primaryLocationId": TEXT,
        "status": TEXT,
    },
    primary_key=("user_id",),
)
GROUPS = Dataset(
    name="groups",
    path="/v1/analytics/groups",
    fields={
        "groupId": TEXT,
        "groupName": TEXT,
        "groupType": TEXT,
        "parentGroupId": TEXT,
        "status": TEXT,
    },
    primary_key=("group_id",),
)
LOCATIONS = Dataset(
    name="locations",
    path="/v1/analytics/locations",
    fields={"locationId": TEXT, "locationName": TEXT, "address": TEXT, "status": TEXT},
    primary_key=("location_id",),
)
DESKS = Dataset(
    name="desks",
    path="/v1/analytics/desks",
    fields={
        "deskId": TEXT,
        "deskName": TEXT,
        "locationId": TEXT,
        "locationName": TEXT,
        "levelId": TEXT,
        "levelName": TEXT,
        "zoneId": TEXT,
        "zoneName": TEXT,
        "status": TEXT,
    },
    primary_key=("desk_id",),
)
_BOOKING_FIELDS: dict[str, pa.DataType] = {
    "userId": TEXT,
    "day": DATE,
    "primaryLocationId": TEXT,
    "primaryLocationName": TEXT,
    "plan": TEXT,
    "bookingDepth": INT,
    "attendanceType": TEXT,
    "bookingLocationId": TEXT,
    "bookingLocationName": TEXT,
    "bookingLevelId": TEXT,
    "bookingLevelName": TEXT,
    "bookingZoneId": TEXT,
    "bookingZoneName": TEXT,
    "bookingPlaceId": TEXT,
    "bookingPlaceName": TEXT,
    "primaryGroupId": TEXT,
    "primaryGroupName": TEXT,
    "bookingGroupId": TEXT,
    "bookingGroupName": TEXT,
    "bookingSource": TEXT,
    "bookingReasonCode": TEXT,
    "onWaitlist": BOOL,
}
BOOKINGS_ATTENDANCE = Dataset(
    name="bookings_attendance",
    path="/v1/analytics/user-booking-attendance",
    fields=_BOOKING_FIELDS,
    primary_key=("user_id", "day"),
    write_disposition="merge",
    fetch="windows",
    partitioning="location",
    location_param="locationId",
)
PRESENCE = Dataset(
    name="presence",
    path="/v1/analytics/presence",
    fields={
        "presenceId": TEXT,
        "eventId": TEXT,
        "userId": TEXT,
        "userEmail": TEXT,
        "sourceId": TEXT,
        "sourceUserId": TEXT,
        "locationId": TEXT,
        "locationName": TEXT,
        "detectedLocationId": TEXT,
        "detectedLocationType": TEXT,
        "timestamp": TIMESTAMP,
        "day": DATE,
    },
    primary_key=("presence_id",),
    write_disposition="merge",
    fetch="windows",
    partitioning="location",
    location_param="locationIds",
)
USER_CHANGE_LOG = Dataset(
    name="user_change_log",
    path="/v1/analytics/change-log/user",
    fields={
        "changeLogId": TEXT,
        "userId": TEXT,
        "userName": TEXT,
        "eventTime": TIMESTAMP,
        "bookingDay": DATE,
        "action": TEXT,
        "description": TEXT,
        "previousPlan": TEXT,
        "newPlan": TEXT,
        "changedBy": TEXT,
        "reasonCode": TEXT,
        "locationId": TEXT,
    },
    primary_key=("change_log_id",),
    write_disposition="merge",
    fetch="windows",
)
BOOKINGS_FUTURE = Dataset(
    name="bookings_future",
    path=BOOKINGS_ATTENDANCE.path,
    fields=_BOOKING_FIELDS,
    primary_key=("user_id", "day"),
    fetch="ahead",
    partitioning="location",
    location_param="locationId",
)

CATALOG: tuple[Dataset, ...] = (
    USERS,
    GROUPS,
    LOCATIONS,
    DESKS,
    BOOKINGS_ATTENDANCE,
    PRESENCE,
    USER_CHANGE_LOG,
    BOOKINGS_FUTURE,
)
"""Every dataset, in load order; the views below are derived from it."""
DATASETS: dict[str, Dataset] = {d.name: d for d in CATALOG}
DIMENSIONS: tuple[Dataset, ...] = tuple(d for d in CATALOG if d.fetch == "whole")
WINDOWED: tuple[Dataset, ...] = tuple(d for d in CATALOG if d.windowed)
WINDOWED_NAMES: tuple[str, ...] = tuple(d.name for d in WINDOWED)
SYNC_DATASETS: tuple[str, ...] = tuple(d.name for d in (*DIMENSIONS, *WINDOWED))
"""What a scheduled ``run`` loads; ``bookings_future`` (``fetch="ahead"``) is on request."""
