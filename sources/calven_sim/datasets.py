"""Reading a tenant snapshot: every dataset as a stream of row batches (dicts or JSON bytes).

Reads work on a ``View`` (``sources.calven_sim.view``). Batches are one (location, user chunk,
day) at a time, which keeps memory flat for any tenant size. A location also lists the users who
moved to it (``sources.calven_sim.moves``): their rows come from their home location's blocks,
with this location as their primary one, after the location's own users.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import orjson

from sources.calven_sim import activity, bookings
from sources.calven_sim.moves import kept_at_home, visitors
from sources.calven_sim.names import FIRST_NAMES, LAST_NAMES
from sources.calven_sim.org import CHUNK, STATUSES, Groups, Site
from sources.calven_sim.people import UserChunk, chunks_of
from sources.calven_sim.plans import NO_EDITS, Block, DayEdits, day_block
from sources.calven_sim.view import Query, Row, View

Mask = npt.NDArray[np.bool_] | None
"""Which rows of a block or chunk to keep; None keeps them all."""


class Part(NamedTuple):
    """Rows of one bookings block: which to keep, and the location listing them (None: home)."""

    block: Block
    keep: Mask
    primary: Site | None


def _days(first: int, last: int, query: Query, weekdays: bool = True) -> Iterator[dt.date]:
    """Days (only weekdays if asked) of the query range clipped to [first, last] (ordinals)."""
    assert query.start is not None and query.end is not None
    lo = max(first, query.start.toordinal())
    hi = min(last, query.end.toordinal())
    for d in range(lo, hi + 1):
        day = dt.date.fromordinal(d)
        if not weekdays or day.weekday() < 5:
            yield day


def _chunks(view: View, query: Query, k: int) -> Iterator[UserChunk]:
    site = view.site(k)
    for c in chunks_of(site):
        lo = site.start + c * CHUNK
        if query.users is not None:
            inside = np.searchsorted(query.users, [lo, lo + CHUNK])
            if inside[0] == inside[1]:
                continue
        yield view.chunk(site, c)


def _keep(query: Query, chunk: UserChunk, positions: Any) -> Mask:
    """The query's user filter over ``positions`` of a chunk, less the users who moved away."""
    if query.users is None and not query.moves:
        return None
    users = chunk.gidx[positions]
    wanted = None if query.users is None else np.isin(users, query.users)
    stays = kept_at_home(query.moves, chunk.site.index, users)
    if wanted is None or stays is None:
        return stays if wanted is None else wanted
    return wanted & stays


def _visitors(view: View, query: Query, k: int) -> list[tuple[UserChunk, npt.NDArray[np.int64]]]:
    """Users listed at location ``k`` from another home: (home chunk, their indices) pairs."""
    wanted = visitors(query.moves, k)
    if query.users is not None:
        allowed = query.users_set
        wanted = [g for g in wanted if g in allowed]
    by_chunk: dict[int, tuple[UserChunk, list[int]]] = {}
    for g in wanted:
        chunk, _ = view.user_slot(g)
        by_chunk.setdefault(int(chunk.gidx[0]), (chunk, []))[1].append(g)
    return [(chunk, np.array(users, dtype=np.int64)) for chunk, users in by_chunk.values()]


def _day_block(view: View, query: Query, chunk: UserChunk, day: dt.date, edits: DayEdits) -> Block:
    def make() -> Block:
        return day_block(view.seed, view.groups.n_departments, chunk, day, view.today, edits)

    return make() if query.blocks is None else query.blocks.block(view, chunk, day, make)


def booking_blocks(view: View, query: Query) -> Iterator[Part]:
    """Blocks of bookings & attendance per (day, location): its users, then those who moved in."""
    last = view.today + view.future_days - 1
    moved_in = {k: _visitors(view, query, k) for k in query.sites}
    for day in _days(view.first_day, last, query):
        edits = view.edits.get(day.toordinal(), NO_EDITS)
        for k in query.sites:
            for chunk in _chunks(view, query, k):
                block = _day_block(view, query, chunk, day, edits)
                yield Part(block, _keep(query, chunk, block.rows), None)
            for chunk, users in moved_in[k]:
                block = _day_block(view, query, chunk, day, edits)
                yield Part(block, np.isin(chunk.gidx[block.rows], users), view.site(k))


def presence_batches(view: View, query: Query) -> Iterator[list[Row]]:
    """Presence rows per (day, location chunk), then the day's submitted events."""
    for day in _days(view.first_day, view.today - 1, query, weekdays=False):
        edits = view.edits.get(day.toordinal(), NO_EDITS)
        for k in query.sites if day.weekday() < 5 else ():
            for chunk in _chunks(view, query, k):
                block = _day_block(view, query, chunk, day, edits)
                rows = activity.presence_rows(view.seed, block)
                yield _filter_users(query, chunk, rows)
        yield _stored(query, view.presence.get(day.toordinal(), ()), "locationId")


def change_batches(view: View, query: Query) -> Iterator[list[Row]]:
    """Change-log rows per (event day, location chunk), then the day's submitted changes."""
    # Decisions are made on any day, weekends included.
    for day in _days(view.first_day, view.today - 1, query, weekdays=False):
        for k in query.sites:
            for chunk in _chunks(view, query, k):
                rows = activity.change_rows(view.seed, chunk, day, view.edits)
                yield _filter_users(query, chunk, rows)
        yield _stored(query, view.changes.get(day.toordinal(), ()), "locationId")


def _filter_users(query: Query, chunk: UserChunk, rows: list[Row]) -> list[Row]:
    if query.users is None or not rows:
        return rows
    wanted = {chunk.ids[i].decode() for i in np.flatnonzero(np.isin(chunk.gidx, query.users))}
    return [row for row in rows if row["userId"] in wanted]


def _stored(query: Query, rows: tuple[Row, ...], location_field: str) -> list[Row]:
    """Stored rows (of submitted events) passing the filters, without the internal ``_user``."""
    users = None if query.users is None else query.users_set
    out = []
    for row in rows:
        if query.location_ids is not None and row[location_field] not in query.location_ids:
            continue
        if users is not None and row["_user"] not in users:
            continue
        out.append({k: v for k, v in row.items() if k != "_user"})
    return out


def dimension_batches(view: View, query: Query) -> Iterator[list[Row]]:
    """Users, groups, locations or desks, one batch per location or user chunk."""
    groups = view.groups
    if query.dataset == "groups":
        yield [
            {
                "groupId": groups.ids[g],
                "groupName": groups.names[g],
                "groupType": groups.types[g],
                "parentGroupId": None if parent is None else groups.ids[parent],
                "status": "active",
            }
            for g, parent in enumerate(groups.parents)
        ]
        return
    for k in query.sites:
        site = view.site(k)
        if query.dataset == "locations":
            yield [
                {
                    "locationId": site.id,
                    "locationName": site.name,
                    "address": site.address,
                    "status": "active",
                }
            ]
        elif query.dataset == "desks":
            for lo in range(0, site.n_desks, CHUNK):
                yield _desks(view.seed, site, np.arange(lo, min(lo + CHUNK, site.n_desks)))
        else:
            for chunk in _chunks(view, query, k):
                yield _users(chunk, _keep(query, chunk, np.arange(len(chunk.gidx))), groups, site)
            for chunk, users in _visitors(view, query, k):
                yield _users(chunk, np.isin(chunk.gidx, users), groups, site)


def _desks(seed: int, site: Site, desks: np.ndarray[Any, np.dtype[np.int64]]) -> list[Row]:
    out = []
    for desk_id, name, zone in zip(
        site.desk_ids(seed, desks).tolist(),
        site.desk_names(desks),
        site.desk_zone(desks).tolist(),
        strict=True,
    ):
        level = site.zone_level[zone]
        out.append(
            {
                "deskId": desk_id.decode(),
                "deskName": name,
                "locationId": site.id,
                "locationName": site.name,
                "levelId": site.level_ids[level],
                "levelName": site.level_names[level],
                "zoneId": site.zone_ids[zone],
                "zoneName": site.zone_names[zone],
                "status": "active",
            }
        )
    return out


def _users(chunk: UserChunk, keep: Mask, groups: Groups, primary: Site) -> list[Row]:
    positions = range(len(chunk.gidx)) if keep is None else np.flatnonzero(keep).tolist()
    out = []
    for i in positions:
        email = chunk.emails[i].decode()
        out.append(
            {
                "email": email,
                "firstName": FIRST_NAMES[int(chunk.first[i])],
                "lastName": LAST_NAMES[int(chunk.last[i])],
                "onboarded": bool(chunk.onboarded[i]),
                "primaryGroupId": groups.department(int(chunk.dept[i]))[0],
                "primaryLocationId": primary.id,
                "status": STATUSES[int(chunk.status[i])],
                "userId": chunk.ids[i].decode(),
                "userName": email,
            }
        )
    return out


def row_batches(view: View, query: Query) -> Iterator[list[Row]]:
    """Rows of any dataset as dict batches."""
    if query.dataset == "user-booking-attendance":
        groups = view.groups
        for part in booking_blocks(view, query):
            yield bookings.block_dicts(part.block, groups, part.keep, part.primary)
    elif query.dataset == "presence":
        yield from presence_batches(view, query)
    elif query.dataset == "change-log/user":
        yield from change_batches(view, query)
    else:
        yield from dimension_batches(view, query)


def _block_json(view: View, query: Query, part: Part, groups: Groups) -> bytes:
    block = part.block
    if query.blocks is None or part.keep is not None or part.primary is not None:
        return bookings.block_json(block, groups, part.keep, part.primary)
    return query.blocks.body(view, block, lambda: bookings.block_json(block, groups, None))


def json_batches(view: View, query: Query) -> Iterator[bytes]:
    """Rows of any dataset as comma-separated JSON objects per batch (empty batches skipped)."""
    if query.dataset == "user-booking-attendance":
        groups = view.groups
        for part in booking_blocks(view, query):
            body = _block_json(view, query, part, groups)
            if body:
                yield body
        return
    for batch in row_batches(view, query):
        if batch:
            yield orjson.dumps(batch)[1:-1]


RENDER_CHUNK_BYTES = 256 * 1024
"""Bodies go out in pieces of about this size: a window of a small location is one piece."""


def json_array(batches: Iterator[bytes]) -> Iterator[bytes]:
    """The batches as one JSON array, in pieces of at least ``RENDER_CHUNK_BYTES`` but the last.

    Each piece the server sends costs a hop to a worker thread and back, so many small batches
    (a small location yields one per day) are joined; a large batch goes out as it is.
    """
    pending: list[bytes] = []
    size = 0
    for body in batches:
        pending += (b"," if pending else b"[", body)
        size += len(body) + 1
        if size >= RENDER_CHUNK_BYTES:
            yield b"".join(pending)
            pending, size = [b""], 0
    if not pending:
        yield b"[]"
        return
    pending.append(b"]")
    yield b"".join(pending)
