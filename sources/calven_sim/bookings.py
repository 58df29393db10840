"""Bookings & attendance rows of a ``plans.Block``, as dicts or as ready-made JSON bytes.

The JSON path is the hot one (the 30-day windows of every location): each row is the join of a
handful of byte fragments precomputed per site, per department and per (plan, depth,
attendance) combination, selected with numpy object-array indexing. The dict path builds the
same rows field by field; tests hold the two against each other.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from sources.calven_sim.hashing import I64, day_string
from sources.calven_sim.org import NULL_PLACE, PLANS, Groups, Site, fragments, json_str
from sources.calven_sim.plans import ATTENDANCE, SRC_AUTO, SRC_USER, Block

FIELDS = (
    "userId",
    "primaryLocationId",
    "primaryLocationName",
    "day",
    "plan",
    "bookingDepth",
    "attendanceType",
    "bookingLocationId",
    "bookingLocationName",
    "bookingLevelId",
    "bookingLevelName",
    "bookingZoneId",
    "bookingZoneName",
    "bookingPlaceId",
    "bookingPlaceName",
    "primaryGroupId",
    "primaryGroupName",
    "bookingGroupId",
    "bookingGroupName",
    "bookingSource",
    "bookingReasonCode",
    "onWaitlist",
)
SOURCES: dict[int, tuple[str | None, str | None]] = {
    0: (None, None),
    SRC_AUTO: ("autoBooking", "weekPlan"),
    SRC_USER: ("user", "userSelected"),
}
WAITLIST = (None, False, True)
"""By waitlist code + 1 (-1 null, 0 false, 1 true)."""


def _json(value: object) -> bytes:
    return (
        b"null"
        if value is None
        else json_str(value)
        if isinstance(value, str)
        else (b"true" if value is True else b"false" if value is False else str(value).encode())
    )


def _state_code(plan: npt.NDArray[Any], depth: npt.NDArray[Any], att: npt.NDArray[Any]) -> Any:
    return plan.astype(np.int64) * 20 + depth * 5 + att


_STATES = [
    b'"plan":%s,"bookingDepth":%s,"attendanceType":%s,'
    % (_json(PLANS[p]), _json(d or None), _json(ATTENDANCE[a]))
    for p in range(3)
    for d in range(4)
    for a in range(5)
]
_TAILS = fragments(
    [
        b'"bookingSource":%s,"bookingReasonCode":%s,"onWaitlist":%s}'
        % (_json(SOURCES[s][0]), _json(SOURCES[s][1]), _json(WAITLIST[w]))
        for s in range(3)
        for w in range(3)
    ],
    b"",
)
_ROW_START = b'{"userId":"'


def block_json(
    block: Block,
    groups: Groups,
    keep: npt.NDArray[np.bool_] | None = None,
    primary: Site | None = None,
) -> bytes:
    """Comma-separated JSON objects of the block's rows (``keep`` selects a subset).

    ``primary`` is the location that lists the rows, when not the users' home (a user who moved).
    """
    chunk, site = block.chunk, block.chunk.site
    sel = slice(None) if keep is None else keep
    rows = block.rows[sel]
    if not len(rows):
        return b""
    home = primary or site
    mid = b'","primaryLocationId":"%s","primaryLocationName":%s,"day":"%s",' % (
        home.id.encode(),
        json_str(home.name),
        day_string(block.day).encode(),
    )
    states = fragments([mid + s for s in _STATES], b"")
    depth = block.depth[sel]
    columns = (
        chunk.ids[rows].tolist(),
        states[_state_code(block.plan[sel], depth, block.attendance[sel])].tolist(),
        site.location_fragments[np.where(depth > 0, 0, -1)].tolist(),
        site.zone_fragments[block.zone[sel]].tolist(),
        _places(block, block.desk[sel]),
        groups.primary_fragments[chunk.dept[rows]].tolist(),
        groups.booking_fragments[block.booking_group[sel]].tolist(),
        _TAILS[block.source[sel].astype(np.int64) * 3 + block.waitlist[sel] + 1].tolist(),
    )
    return _ROW_START + (b"," + _ROW_START).join(map(b"".join, zip(*columns, strict=True)))


def _places(block: Block, desk: I64) -> list[bytes]:
    """The ``bookingPlace*`` fragment of each row (desk ids and names built for booked desks)."""
    site = block.chunk.site
    places = np.full(len(desk), NULL_PLACE, dtype=object)
    booked = np.flatnonzero(desk >= 0)
    if len(booked):
        ids = site.desk_ids(block.chunk.seed, desk[booked]).tolist()
        names = site.desk_names(desk[booked])
        places[booked] = [
            b'"bookingPlaceId":"%s","bookingPlaceName":%s,' % (i, json_str(n))
            for i, n in zip(ids, names, strict=True)
        ]
    out: list[bytes] = places.tolist()
    return out


def block_dicts(
    block: Block,
    groups: Groups,
    keep: npt.NDArray[np.bool_] | None = None,
    primary: Site | None = None,
) -> list[dict[str, Any]]:
    """The block's rows as dicts with every field of ``FIELDS`` in order (see ``block_json``)."""
    chunk, site = block.chunk, block.chunk.site
    home = primary or site
    sel = slice(None) if keep is None else keep
    day = day_string(block.day)
    desks = block.desk[sel]
    desk_ids = site.desk_ids(chunk.seed, np.maximum(desks, 0)).tolist()
    desk_names = site.desk_names(np.maximum(desks, 0))
    out = []
    for i, (pos, plan, depth, att, zone, desk, bgroup, source, wait) in enumerate(
        zip(
            block.rows[sel].tolist(),
            block.plan[sel].tolist(),
            block.depth[sel].tolist(),
            block.attendance[sel].tolist(),
            block.zone[sel].tolist(),
            block.desk[sel].tolist(),
            block.booking_group[sel].tolist(),
            block.source[sel].tolist(),
            block.waitlist[sel].tolist(),
            strict=True,
        )
    ):
        level = site.zone_level[zone] if zone >= 0 else -1
        group_id, group_name = groups.department(int(chunk.dept[pos]))
        bgroup_id, bgroup_name = groups.department(bgroup) if bgroup >= 0 else (None, None)
        values = (
            chunk.ids[pos].decode(),
            home.id,
            home.name,
            day,
            PLANS[plan],
            depth or None,
            ATTENDANCE[att],
            site.id if depth else None,
            site.name if depth else None,
            site.level_ids[level] if level >= 0 else None,
            site.level_names[level] if level >= 0 else None,
            site.zone_ids[zone] if zone >= 0 else None,
            site.zone_names[zone] if zone >= 0 else None,
            desk_ids[i].decode() if desk >= 0 else None,
            desk_names[i] if desk >= 0 else None,
            group_id,
            group_name,
            bgroup_id,
            bgroup_name,
            *SOURCES[source],
            WAITLIST[wait + 1],
        )
        out.append(dict(zip(FIELDS, values, strict=True)))
    return out
