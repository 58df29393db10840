"""Request bodies (validated strictly) and the small response objects of submit and auth.

Submit bodies are validated here so a malformed batch is refused whole with 400 before anything
reaches the tenant. Unknown fields are ignored. Types are strict: a number where a string is
documented is malformed, not coerced.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sources.calven_sim.api.errors import ApiError
from sources.calven_sim.api.validation import parse_day

MAX_BATCH = 100
LocationType = Literal["level", "location", "place", "space", "zone"]


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


def _iso_timestamp(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO-8601 timestamp") from None
    return value


class PresenceEvent(_Body):
    """One presence event; exactly one of ``userId`` / ``userEmail``."""

    timestamp: str
    locationId: str = Field(min_length=1)
    locationType: LocationType
    eventId: str = Field(min_length=1)
    sourceUserId: str | None = None
    userId: str | None = None
    userEmail: str | None = None

    _timestamp = field_validator("timestamp")(_iso_timestamp)

    @model_validator(mode="after")
    def _one_user(self) -> Self:
        if (self.userId is None) == (self.userEmail is None):
            raise ValueError("exactly one of userId and userEmail is required")
        return self


class PresenceBody(_Body):
    """``POST /v1/presence`` and ``/v1/presence/basic``."""

    sourceId: str = Field(min_length=1)
    presenceEvents: list[PresenceEvent] = Field(max_length=MAX_BATCH)


class OccupancyEvent(_Body):
    """One occupancy event; at least one of ``occupied`` / ``occupancy``."""

    timestamp: str
    locationId: str = Field(min_length=1)
    locationType: LocationType
    eventId: str = Field(min_length=1)
    occupied: bool | None = None
    occupancy: int | None = Field(default=None, ge=0)

    _timestamp = field_validator("timestamp")(_iso_timestamp)

    @model_validator(mode="after")
    def _has_reading(self) -> Self:
        if self.occupied is None and self.occupancy is None:
            raise ValueError("at least one of occupied and occupancy is required")
        return self


class OccupancyBody(_Body):
    """``POST /v1/occupancy``."""

    sourceId: str = Field(min_length=1)
    occupancyEvents: list[OccupancyEvent] = Field(max_length=MAX_BATCH)


class TimeOffEvent(_Body):
    """One time-off event; ``uid`` or ``email`` names the user."""

    eventId: str = Field(min_length=1)
    email: str | None = None
    uid: str | None = None
    eventType: Literal["scheduled", "cancelled"]
    startDate: str
    endDate: str
    timeOffType: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> Self:
        if self.uid is None and self.email is None:
            raise ValueError("one of uid and email is required")
        try:
            first, last = parse_day("startDate", self.startDate), parse_day("endDate", self.endDate)
        except ApiError:
            raise ValueError("startDate and endDate must be YYYY-MM-DD or ISO timestamps") from None
        if last < first:
            raise ValueError("endDate is before startDate")
        return self


class TimeOffBody(_Body):
    """``POST /v1/timeoff``."""

    timeOffEvents: list[TimeOffEvent] = Field(max_length=MAX_BATCH)


class AccessCredential(_Body):
    """One card; the list sent for a user replaces the user's cards."""

    active: bool
    cardNumber: str = Field(min_length=1)
    facilityCode: str | None = None
    scanData: list[str] | None = None
    credentialType: str = Field(min_length=1)


class AccessCredentialUpdate(_Body):
    """The full list of cards for one user."""

    username: str = Field(min_length=1)
    updateId: str = Field(min_length=1)
    credentials: list[AccessCredential]


class AccessCredentialsBody(_Body):
    """``POST /v1/access-credentials``."""

    data: list[AccessCredentialUpdate] = Field(max_length=MAX_BATCH)


class AuthRequest(_Body):
    """``POST /v1/auth``: ``hash`` = hex HMAC-SHA256 of ``apiKey + str(timestamp)``."""

    apiKey: str
    timestamp: int
    hash: str


class AuthResponse(BaseModel):
    """A token from the HMAC flow; ``expiration`` in unix seconds."""

    authenticated: bool
    message: str
    token: str
    expiration: int


class OAuthRequest(_Body):
    """``POST /v1/auth/token`` (JSON, or form-encoded with ``grant_type=client_credentials``)."""

    client_id: str
    client_secret: str
    grant_type: str | None = None


class OAuthResponse(BaseModel):
    """A token from the client-secret flow."""

    access_token: str
    expires_in: int
    token_type: str


class EventResult(BaseModel):
    """Per-event outcome: 0 stored, 1 user not found, 2 location not found, 3 other."""

    eventId: str
    resultCode: int
    message: str


class EventsResponse(BaseModel):
    """Answer to presence and occupancy submissions."""

    sourceId: str
    timestamp: str
    results: list[EventResult]


class TimeOffResponse(BaseModel):
    """Answer to time-off submissions (no ``sourceId``)."""

    timestamp: str
    results: list[EventResult]


class CardResult(BaseModel):
    """Outcome for one card of an access-credential update."""

    cardNumber: str
    facilityCode: str | None
    result: str
    message: str


class AccessCredentialResult(BaseModel):
    """Outcome of one access-credential update."""

    updateId: str
    result: str
    message: str
    results: list[CardResult]


class ErrorBody(BaseModel):
    """Every error response."""

    statusCode: int
    error: str
    message: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 429, 500, 502, 503)
}
"""The error statuses every API operation documents, all with the same body."""
