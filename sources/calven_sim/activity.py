"""Presence events and user change-log entries generated from the same draws as the plans.

Presence: every user-day whose ``Block.present`` is set has 1-3 events from ``badge-reader``
(detected at the location), ``wifi`` (the level) and ``desk-sensor`` (the booked place, else the
zone), the first between 07:00 and 10:00 UTC. ``presenceId``/``eventId`` come from the counter
``(day, user, event number)``, so they are stable and sort by user within a day.

Change log: every deviation from the week plan (see ``plans``) is a ``planChanged`` entry by the
user at its decision time, followed a few seconds later by ``bookingCreated`` (deviation to
Office) or ``bookingCancelled`` (an auto-booked Office day given up) by ``autoBooking``. Both
entries carry the plan change in ``previousPlan``/``newPlan``. Changes made through submitted
events are stored by the tenant and emitted with these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np

from sources.calven_sim.hashing import (
    day_string,
    hash_indices,
    key,
    make_id,
    make_ids,
    pick16,
    prefix_base,
    timestamp_string,
)
from sources.calven_sim.names import PRESENCE_SOURCES
from sources.calven_sim.org import K_CHANGE, K_EVENT, K_PRESENCE, OFFICE, PLANS
from sources.calven_sim.people import UserChunk
from sources.calven_sim.plans import MAX_LEAD, Block, DayEdits, Draws

PRESENCE_FIELDS = (
    "presenceId",
    "eventId",
    "userId",
    "userEmail",
    "sourceId",
    "sourceUserId",
    "locationId",
    "locationName",
    "detectedLocationId",
    "detectedLocationType",
    "timestamp",
    "day",
)
CHANGE_FIELDS = (
    "changeLogId",
    "userId",
    "userName",
    "eventTime",
    "bookingDay",
    "action",
    "description",
    "previousPlan",
    "newPlan",
    "changedBy",
    "reasonCode",
    "locationId",
)
PLAN_WORDS = {"o": "Office", "r": "Remote", "a": "Away"}
S_PRESENCE, S_SOURCE = 301, 302
_HOUR = 3_600_000


def presence_rows(seed: int, block: Block) -> list[dict[str, Any]]:
    """Generated presence events of a block's present user-days, in id order."""
    chunk, site = block.chunk, block.chunk.site
    picked = np.flatnonzero(block.present)
    if not len(picked):
        return []
    day = block.day.toordinal()
    gidx = chunk.gidx[block.rows[picked]]
    h = hash_indices(key(seed, S_PRESENCE, day), gidx)
    counts = (1 + pick16(h, 0, 3)).tolist()
    arrival = (7 * _HOUR + pick16(h, 1, 3 * 3600) * 1000 + pick16(h, 2, 1000)).tolist()
    gap = (20 * 60_000 + pick16(h, 3, 3 * 3600) * 1000).tolist()
    sources = [
        pick16(hash_indices(key(seed, S_SOURCE, day, k), gidx), 0, 3).tolist() for k in range(3)
    ]
    # Event counters (day, user, event number), all ids of the block made in one go.
    counters = ((((day << 22) | gidx) << 3)[:, None] + np.arange(3)).ravel()
    presence_ids = make_ids(seed, K_PRESENCE, counters).tolist()
    event_ids = make_ids(seed, K_EVENT, counters).tolist()
    day_s = day_string(block.day)
    positions = block.rows[picked]
    zones = np.where(block.zone[picked] >= 0, block.zone[picked], chunk.home_zone[positions])
    desks = block.desk[picked]
    desk_ids = site.desk_ids(seed, np.maximum(desks, 0)).tolist()
    out = []
    for i, pos in enumerate(positions.tolist()):
        g = int(chunk.gidx[pos])
        zone, desk = int(zones[i]), int(desks[i])
        email = chunk.emails[pos].decode()
        for k in range(counts[i]):
            source = sources[k][i]
            if source == 0:
                detected, kind, source_user = site.id, "location", str(100_000 + g)
            elif source == 1:
                detected, kind = site.level_ids[site.zone_level[zone]], "level"
                source_user = email.lower()
            elif desk >= 0:
                detected, kind, source_user = desk_ids[i].decode(), "place", None
            else:
                detected, kind, source_user = site.zone_ids[zone], "zone", None
            values = (
                presence_ids[3 * i + k].decode(),
                event_ids[3 * i + k].decode(),
                chunk.ids[pos].decode(),
                email,
                PRESENCE_SOURCES[source],
                source_user,
                site.id,
                site.name,
                detected,
                kind,
                timestamp_string(block.day, arrival[i] + k * gap[i]),
                day_s,
            )
            out.append(dict(zip(PRESENCE_FIELDS, values, strict=True)))
    return out


def change_rows(
    seed: int, chunk: UserChunk, event_day: dt.date, edits: Mapping[int, DayEdits]
) -> list[dict[str, Any]]:
    """Generated change-log entries of a chunk's users decided on ``event_day``, in id order."""
    rows = chunk.active
    gidx = chunk.gidx[rows]
    e = event_day.toordinal()
    found: list[tuple[int, int, int, int, int, bool, int]] = []
    for lead in range(MAX_LEAD + 1):
        booking_day = dt.date.fromordinal(e + lead)
        if booking_day.weekday() >= 5:
            continue
        d = e + lead
        draws = Draws.of(seed, gidx, d)
        hit = draws.deviates & (draws.lead == lead)
        plans = edits.get(d)
        if plans is not None and plans.plans:
            for g, override in plans.plans.items():
                if override.since <= e:
                    hit &= gidx != g
        picked = np.flatnonzero(hit)
        if not len(picked):
            continue
        week = chunk.week[rows[picked], booking_day.weekday()]
        sub = draws.take(picked)
        new = sub.alternative(week)
        had_booking = (week == OFFICE) & ~sub.no_booking
        ms = sub.decided_ms
        for i, p in enumerate(picked.tolist()):
            found.append(
                (int(rows[p]), lead, int(week[i]), int(new[i]), int(ms[i]), bool(had_booking[i]), d)
            )
    found.sort(key=lambda item: (item[0], item[1]))
    base = prefix_base(seed, K_CHANGE)
    out = []
    for pos, lead, old, plan, at, booked, d in found:
        g = int(chunk.gidx[pos])
        common = (chunk.ids[pos].decode(), chunk.emails[pos].decode())
        booking_day = dt.date.fromordinal(d)
        before, after = PLANS[old], PLANS[plan]
        counter = (((e << 22) | g) << 4) | (lead * 2)
        out.append(
            change_row(
                make_id(seed, K_CHANGE, counter, base),
                *common,
                timestamp_string(event_day, at),
                booking_day,
                "planChanged",
                f"Plan changed from {PLAN_WORDS[before]} to {PLAN_WORDS[after]}",
                before,
                after,
                "user",
                "userRequest",
                chunk.site.id,
            )
        )
        if plan == OFFICE or booked:
            action = "bookingCreated" if plan == OFFICE else "bookingCancelled"
            verb = "created" if plan == OFFICE else "cancelled"
            out.append(
                change_row(
                    make_id(seed, K_CHANGE, counter | 1, base),
                    *common,
                    timestamp_string(event_day, at + 1000 + g % 3 * 1000),
                    booking_day,
                    action,
                    f"Booking {verb} at {chunk.site.name}",
                    before,
                    after,
                    "autoBooking",
                    "planChanged",
                    chunk.site.id,
                )
            )
    return out


def change_row(
    change_id: str,
    user_id: str,
    user_name: str,
    event_time: str,
    booking_day: dt.date,
    action: str,
    description: str,
    previous_plan: str | None,
    new_plan: str | None,
    changed_by: str,
    reason: str,
    location_id: str,
) -> dict[str, Any]:
    """One change-log row with the fields in API order."""
    values = (
        change_id,
        user_id,
        user_name,
        event_time,
        day_string(booking_day),
        action,
        description,
        previous_plan,
        new_plan,
        changed_by,
        reason,
        location_id,
    )
    return dict(zip(CHANGE_FIELDS, values, strict=True))
