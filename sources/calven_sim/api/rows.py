"""Row shapes of the warehouse datasets, for the OpenAPI document only.

Responses are streamed as bytes straight from the tenant; nothing is validated or serialised
through these models. Optional fields are always present, with ``null``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, RootModel


class UserRow(BaseModel):
    """``/v1/analytics/users``."""

    userId: str
    userName: str
    email: str
    firstName: str
    lastName: str
    onboarded: bool
    primaryGroupId: str | None
    primaryLocationId: str | None
    status: str


class GroupRow(BaseModel):
    """``/v1/analytics/groups``."""

    groupId: str
    groupName: str
    groupType: str
    parentGroupId: str | None
    status: str


class LocationRow(BaseModel):
    """``/v1/analytics/locations``."""

    locationId: str
    locationName: str
    address: str | None
    status: str


class DeskRow(BaseModel):
    """``/v1/analytics/desks``."""

    deskId: str
    deskName: str
    locationId: str
    locationName: str
    levelId: str
    levelName: str
    zoneId: str
    zoneName: str
    status: str


class BookingAttendanceRow(BaseModel):
    """``/v1/analytics/user-booking-attendance``: one row per active user per weekday."""

    userId: str
    day: str
    primaryLocationId: str
    primaryLocationName: str
    plan: str
    bookingDepth: int | None
    attendanceType: str | None
    bookingLocationId: str | None
    bookingLocationName: str | None
    bookingLevelId: str | None
    bookingLevelName: str | None
    bookingZoneId: str | None
    bookingZoneName: str | None
    bookingPlaceId: str | None
    bookingPlaceName: str | None
    primaryGroupId: str | None
    primaryGroupName: str | None
    bookingGroupId: str | None
    bookingGroupName: str | None
    bookingSource: str | None
    bookingReasonCode: str | None
    onWaitlist: bool | None


class PresenceRow(BaseModel):
    """``/v1/analytics/presence``: one row per presence event."""

    presenceId: str
    eventId: str
    userId: str
    userEmail: str | None
    sourceId: str
    sourceUserId: str | None
    locationId: str
    locationName: str
    detectedLocationId: str
    detectedLocationType: str
    timestamp: str
    day: str


class ChangeLogRow(BaseModel):
    """``/v1/analytics/change-log/user``: one row per plan or booking change."""

    changeLogId: str
    userId: str
    userName: str
    eventTime: str
    bookingDay: str
    action: str
    description: str
    previousPlan: str | None
    newPlan: str | None
    changedBy: str
    reasonCode: str | None
    locationId: str | None


class Users(RootModel[list[UserRow]]):
    """A bare JSON array of users."""


class Groups(RootModel[list[GroupRow]]):
    """A bare JSON array of groups."""


class Locations(RootModel[list[LocationRow]]):
    """A bare JSON array of locations."""


class Desks(RootModel[list[DeskRow]]):
    """A bare JSON array of desks."""


class BookingsAttendance(RootModel[list[BookingAttendanceRow]]):
    """A bare JSON array of bookings & attendance rows."""


class Presences(RootModel[list[PresenceRow]]):
    """A bare JSON array of presence rows."""


class ChangeLog(RootModel[list[ChangeLogRow]]):
    """A bare JSON array of change-log rows."""


RESPONSE_MODELS: dict[str, type[RootModel[Any]]] = {
    "users": Users,
    "groups": Groups,
    "locations": Locations,
    "desks": Desks,
    "user-booking-attendance": BookingsAttendance,
    "presence": Presences,
    "change-log/user": ChangeLog,
}
