"""Submitted events: id resolution, per-event results, and the queue of pending changes.

Submissions are checked and answered at once (codes 0 stored, 1 user not found, 2 location not
found, 3 other); presence and time off wait in the ``Inbox`` for the next ``advance()``, where
``nightly`` applies them. Occupancy and access credentials are only stored (they feed no
warehouse dataset).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sources.calven_sim.hashing import counter_of
from sources.calven_sim.org import K_DESK, K_LEVEL, K_LOCATION, K_ZONE
from sources.calven_sim.view import View

MESSAGES = {0: "Success", 1: "User not found", 2: "Location not found"}


@dataclass(frozen=True)
class Presence:
    event_id: str
    user: int
    when: dt.datetime
    source_id: str
    source_user_id: str | None
    site: int
    detected_id: str
    detected_type: str


@dataclass(frozen=True)
class TimeOff:
    event_id: str
    user: int
    scheduled: bool
    start: dt.date
    end: dt.date


@dataclass
class Inbox:
    """Pending and stored submissions (the tenant guards it with its lock)."""

    pending: list[Presence | TimeOff] = field(default_factory=list)
    presence_ids: set[str] = field(default_factory=set)
    occupancy: dict[str, dict[str, Any]] = field(default_factory=dict)
    credentials: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    change_seq: int = 0


def result(event_id: str, code: int, message: str | None = None) -> dict[str, Any]:
    """A per-event result in the documented shape."""
    return {"eventId": event_id, "resultCode": code, "message": message or MESSAGES[code]}


def resolve_location(view: View, any_id: str) -> tuple[int, str, str] | None:
    """(location index, locationType, canonical id) of a location/level/zone/desk id."""
    value = any_id.strip().lower()
    k = counter_of(view.seed, K_LOCATION, value)
    if k is not None:
        return (k, "location", value) if k < len(view.sites) else None
    for kind, name in ((K_DESK, "place"), (K_ZONE, "zone"), (K_LEVEL, "level")):
        counter = counter_of(view.seed, kind, value)
        if counter is None:
            continue
        k, local = counter >> 24, counter & 0xFFFFFF
        if k >= len(view.sites):
            return None
        site = view.site(k)
        size = {"place": site.n_desks, "zone": site.n_zones, "level": len(site.level_ids)}[name]
        return (k, name, value) if local < size else None
    return None


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO timestamp as an aware UTC datetime (naive means UTC), else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def parse_day(value: Any) -> dt.date | None:
    """``YYYY-MM-DD``, ``YYYYMMDD`` or an ISO timestamp (its UTC date), else None."""
    if isinstance(value, str) and len(value.strip()) == 8 and value.strip().isdigit():
        try:
            return dt.datetime.strptime(value.strip(), "%Y%m%d").date()
        except ValueError:
            return None
    moment = parse_time(value)
    return None if moment is None else moment.date()


UserResolver = Callable[[str | None, str | None], int | None]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def submit_presence(
    view: View, inbox: Inbox, source_id: str, events: list[dict[str, Any]], users: UserResolver
) -> list[dict[str, Any]]:
    """Resolve and queue presence events (each ``eventId`` stored once)."""
    results = []
    for event in events:
        event_id = str(event.get("eventId"))
        g = users(_text(event.get("userId")), _text(event.get("userEmail")))
        location = resolve_location(view, str(event.get("locationId", "")))
        when = parse_time(event.get("timestamp"))
        if g is None:
            results.append(result(event_id, 1))
        elif location is None:
            results.append(result(event_id, 2))
        elif when is None:
            results.append(result(event_id, 3, "timestamp is not an ISO-8601 date-time"))
        else:
            if event_id not in inbox.presence_ids:
                inbox.presence_ids.add(event_id)
                source_user = event.get("sourceUserId")
                site, kind, detected = location
                inbox.pending.append(
                    Presence(
                        event_id=event_id,
                        user=g,
                        when=when,
                        source_id=source_id,
                        source_user_id=None if source_user is None else str(source_user),
                        site=site,
                        detected_id=detected,
                        detected_type=kind,
                    )
                )
            results.append(result(event_id, 0))
    return results


def submit_occupancy(
    view: View, inbox: Inbox, source_id: str, events: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Resolve and store occupancy events (each ``eventId`` stored once)."""
    results = []
    for event in events:
        event_id = str(event.get("eventId"))
        if resolve_location(view, str(event.get("locationId", ""))) is None:
            results.append(result(event_id, 2))
            continue
        inbox.occupancy.setdefault(event_id, {**event, "sourceId": source_id})
        results.append(result(event_id, 0))
    return results


def submit_timeoff(
    view: View, inbox: Inbox, events: list[dict[str, Any]], users: UserResolver
) -> list[dict[str, Any]]:
    """Resolve and queue time-off events (applied at the next refresh)."""
    results = []
    for event in events:
        event_id = str(event.get("eventId"))
        g = users(_text(event.get("uid")), _text(event.get("email")))
        start, end = parse_day(event.get("startDate")), parse_day(event.get("endDate"))
        kind = event.get("eventType")
        if g is None:
            results.append(result(event_id, 1))
        elif start is None or end is None or end < start:
            results.append(result(event_id, 3, "startDate/endDate are not a valid date range"))
        elif kind not in ("scheduled", "cancelled"):
            results.append(result(event_id, 3, "eventType must be 'scheduled' or 'cancelled'"))
        else:
            inbox.pending.append(TimeOff(event_id, g, kind == "scheduled", start, end))
            results.append(result(event_id, 0))
    return results


def submit_credentials(
    inbox: Inbox, updates: list[dict[str, Any]], users: Callable[[str], int | None]
) -> list[dict[str, Any]]:
    """Replace each named user's cards; one result object per update."""
    out = []
    for update in updates:
        name = update.get("username")
        cards = [c for c in update.get("credentials") or [] if isinstance(c, dict)]
        g = users(name) if isinstance(name, str) else None
        ok = g is not None
        if g is not None:
            inbox.credentials[g] = cards
        out.append(
            {
                "updateId": update.get("updateId"),
                "result": "OK" if ok else "USER_NOT_FOUND",
                "message": "Credentials updated" if ok else "User not found",
                "results": [
                    {
                        "cardNumber": card.get("cardNumber"),
                        "facilityCode": card.get("facilityCode"),
                        "result": "OK" if ok else "CARD_UPDATE_FAILED",
                        "message": "Card stored" if ok else "User not found",
                    }
                    for card in cards
                ],
            }
        )
    return out
