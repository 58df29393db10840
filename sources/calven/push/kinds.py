"""The four kinds of event ``calven-sync push`` sends, described once (``calven-api.md`` §3).

Each kind names its endpoint, the body key holding the list, the id field the response echoes,
its fields with their parsers, and the rule across fields (e.g. exactly one of ``userId`` /
``userEmail``). Validation and batching are generated from this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sources.calven.push import fields as f
from sources.calven.push.fields import FieldError, Parser

MAX_BATCH = 100
"""Events per request: the documented limit of presence and access credentials, assumed for all."""

LOCATION_TYPES = ("location", "level", "zone", "place", "space")


@dataclass(frozen=True)
class Field:
    name: str
    parse: Parser
    required: bool = False


@dataclass(frozen=True)
class EventKind:
    """How one kind of event is validated and sent.

    Attributes:
        name: the CLI name, e.g. ``presence``.
        path: the token-auth endpoint.
        list_key: the body key of the event list, e.g. ``presenceEvents``.
        id_field: the id the response echoes per event (``eventId`` or ``updateId``).
        fields: the API fields a row may provide (the id field included, always optional).
        rule: cross-field check; returns the reason a row is invalid, or None.
        has_source_id: the body carries a batch-level ``sourceId``.
        has_basic: a ``/basic`` twin exists (only presence).
        per_update: the response is an array of update results (access credentials), not
            ``{"results": [...]}``.
    """

    name: str
    path: str
    list_key: str
    id_field: str
    fields: tuple[Field, ...]
    rule: Callable[[dict[str, Any]], str | None]
    has_source_id: bool = False
    has_basic: bool = False
    per_update: bool = False


def _exactly_one(first: str, second: str) -> Callable[[dict[str, Any]], str | None]:
    def rule(event: dict[str, Any]) -> str | None:
        present = (first in event) + (second in event)
        return None if present == 1 else f"exactly one of {first} and {second} is required"

    return rule


def _occupancy_rule(event: dict[str, Any]) -> str | None:
    if "occupied" in event or "occupancy" in event:
        return None
    return "at least one of occupied and occupancy is required"


def _timeoff_rule(event: dict[str, Any]) -> str | None:
    if "uid" not in event and "email" not in event:
        return "one of uid and email is required"
    if "startDate" in event and "endDate" in event and event["endDate"] < event["startDate"]:
        return f"endDate {event['endDate']} is before startDate {event['startDate']}"
    return None


def _cards(value: Any) -> list[dict[str, Any]]:
    """The ``credentials`` list: every card validated like an event's fields."""
    cards = []
    for position, card in enumerate(f.json_list(value)):
        if not isinstance(card, dict):
            raise FieldError(f"card {position} is not an object")
        parsed: dict[str, Any] = {}
        for spec in CARD_FIELDS:
            raw = card.get(spec.name)
            if f.is_missing(raw):
                if spec.required:
                    raise FieldError(f"card {position} has no {spec.name}")
                continue
            try:
                parsed[spec.name] = spec.parse(raw)
            except FieldError as exc:
                raise FieldError(f"card {position} {spec.name}: {exc}") from None
        cards.append(parsed)
    return cards


def _texts(value: Any) -> list[str]:
    return [f.text(item) for item in f.json_list(value)]


CARD_FIELDS = (
    Field("active", f.boolean, required=True),
    Field("cardNumber", f.text, required=True),
    Field("facilityCode", f.text),
    Field("scanData", _texts),
    Field("credentialType", f.text, required=True),
)

_WHERE = (
    Field("timestamp", f.timestamp, required=True),
    Field("locationId", f.text, required=True),
    Field("locationType", f.one_of(*LOCATION_TYPES), required=True),
    Field("eventId", f.text),
)

PRESENCE = EventKind(
    name="presence",
    path="/v1/presence",
    list_key="presenceEvents",
    id_field="eventId",
    fields=(
        *_WHERE,
        Field("sourceUserId", f.text),
        Field("userId", f.text),
        Field("userEmail", f.text),
    ),
    rule=_exactly_one("userId", "userEmail"),
    has_source_id=True,
    has_basic=True,
)
OCCUPANCY = EventKind(
    name="occupancy",
    path="/v1/occupancy",
    list_key="occupancyEvents",
    id_field="eventId",
    fields=(*_WHERE, Field("occupied", f.boolean), Field("occupancy", f.count)),
    rule=_occupancy_rule,
    has_source_id=True,
)
TIMEOFF = EventKind(
    name="timeoff",
    path="/v1/timeoff",
    list_key="timeOffEvents",
    id_field="eventId",
    fields=(
        Field("eventId", f.text),
        Field("uid", f.text),
        Field("email", f.text),
        Field("eventType", f.one_of("scheduled", "cancelled"), required=True),
        Field("startDate", f.day, required=True),
        Field("endDate", f.day, required=True),
        Field("timeOffType", f.text),
    ),
    rule=_timeoff_rule,
)
ACCESS_CREDENTIALS = EventKind(
    name="access-credentials",
    path="/v1/access-credentials",
    list_key="data",
    id_field="updateId",
    fields=(
        Field("updateId", f.text),
        Field("username", f.text, required=True),
        Field("credentials", _cards, required=True),
    ),
    rule=lambda event: None,
    per_update=True,
)

KINDS: dict[str, EventKind] = {
    kind.name: kind for kind in (PRESENCE, OCCUPANCY, TIMEOFF, ACCESS_CREDENTIALS)
}
