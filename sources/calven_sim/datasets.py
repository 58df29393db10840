"""Reading a tenant snapshot: every dataset as a stream of row batches (dicts or JSON bytes).

A ``View`` is an immutable picture of the tenant at one moment (clock, locations, submitted
changes); reads work on a view, so a concurrent ``advance()`` never tears a response. Batches
are one (location, user chunk, day) at a time, which keeps memory flat for any tenant size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from sources.calven_sim import activity, bookings
from sources.calven_sim.blockcache import BlockCache
from sources.calven_sim.hashing import counter_of
from sources.calven_sim.names import FIRST_NAMES, LAST_NAMES
from sources.calven_sim.org import (
    CHUNK,
    K_LOCATION,
    K_USER,
    STATUSES,
    Groups,
    Site,
    build_groups,
    build_site,
)
from sources.calven_sim.people import UserChunk, build_chunk, chunks_of
from sources.calven_sim.plans import NO_EDITS, Block, DayEdits, day_block

Row = dict[str, Any]


@dataclass(frozen=True)
class View:
    """The tenant as of one moment; everything else is derived from these fields."""

    seed: int
    base_users: int
    first_day: int
    future_days: int
    today: int
    sites: tuple[tuple[int, int], ...]
    """(first user index, user count) per location, in location order."""
    edits: Mapping[int, DayEdits] = field(default_factory=dict)
    presence: Mapping[int, tuple[Row, ...]] = field(default_factory=dict)
    """Submitted presence rows (already visible) by day ordinal."""
    changes: Mapping[int, tuple[Row, ...]] = field(default_factory=dict)
    """Change-log rows of submitted events by event day ordinal."""

    @property
    def groups(self) -> Groups:
        return build_groups(self.seed, self.base_users)

    @property
    def n_users(self) -> int:
        start, n = self.sites[-1]
        return start + n

    def site(self, k: int) -> Site:
        start, n = self.sites[k]
        return build_site(self.seed, k, start, n)

    def chunk(self, site: Site, c: int) -> UserChunk:
        return build_chunk(self.seed, self.base_users, site, c)

    def site_of_user(self, g: int) -> int:
        starts = [start for start, _ in self.sites]
        return int(np.searchsorted(starts, g, side="right")) - 1

    def location_index(self, location_id: str) -> int | None:
        k = counter_of(self.seed, K_LOCATION, location_id.lower())
        return k if k is not None and k < len(self.sites) else None

    def user_index(self, user_id: str) -> int | None:
        g = counter_of(self.seed, K_USER, user_id.lower())
        return g if g is not None and g < self.n_users else None


@dataclass(frozen=True)
class Query:
    """A read request: dataset, inclusive day range and filters resolved to indices."""

    dataset: str
    start: dt.date | None
    end: dt.date | None
    sites: tuple[int, ...]
    users: np.ndarray[Any, np.dtype[np.int64]] | None
    location_ids: frozenset[str] | None
    blocks: BlockCache | None = None

    @property
    def users_set(self) -> frozenset[int]:
        return frozenset() if self.users is None else frozenset(self.users.tolist())


def make_query(
    view: View,
    dataset: str,
    start: dt.date | None,
    end: dt.date | None,
    location_ids: Sequence[str] | None,
    user_ids: Sequence[str] | None,
    blocks: BlockCache | None = None,
) -> Query:
    """Resolve filters; unknown ids simply match nothing."""
    sites: tuple[int, ...] = tuple(range(len(view.sites)))
    wanted: frozenset[str] | None = None
    if location_ids is not None:
        found = {view.location_index(x) for x in location_ids}
        sites = tuple(sorted(k for k in found if k is not None))
        wanted = frozenset(view.site(k).id for k in sites)
    users = None
    if user_ids is not None:
        resolved = {view.user_index(x) for x in user_ids}
        users = np.array(sorted(g for g in resolved if g is not None), dtype=np.int64)
    return Query(dataset, start, end, sites, users, wanted, blocks)


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


def _keep(query: Query, chunk: UserChunk, positions: Any) -> Any:
    if query.users is None:
        return None
    return np.isin(chunk.gidx[positions], query.users)


def _day_block(view: View, query: Query, chunk: UserChunk, day: dt.date, edits: DayEdits) -> Block:
    def make() -> Block:
        return day_block(view.seed, view.groups.n_departments, chunk, day, view.today, edits)

    return make() if query.blocks is None else query.blocks.block(view, chunk, day, make)


def booking_blocks(view: View, query: Query) -> Iterator[tuple[Block, Any]]:
    """Blocks of bookings & attendance with their user filter mask."""
    last = view.today + view.future_days - 1
    for day in _days(view.first_day, last, query):
        edits = view.edits.get(day.toordinal(), NO_EDITS)
        for k in query.sites:
            for chunk in _chunks(view, query, k):
                block = _day_block(view, query, chunk, day, edits)
                yield block, _keep(query, chunk, block.rows)


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
                yield _users(query, chunk, groups)


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


def _users(query: Query, chunk: UserChunk, groups: Groups) -> list[Row]:
    keep = _keep(query, chunk, np.arange(len(chunk.gidx)))
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
                "primaryLocationId": chunk.site.id,
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
        for block, keep in booking_blocks(view, query):
            yield bookings.block_dicts(block, groups, keep)
    elif query.dataset == "presence":
        yield from presence_batches(view, query)
    elif query.dataset == "change-log/user":
        yield from change_batches(view, query)
    else:
        yield from dimension_batches(view, query)


def _block_json(view: View, query: Query, block: Block, groups: Groups, keep: Any) -> bytes:
    if query.blocks is None or keep is not None:
        return bookings.block_json(block, groups, keep)
    return query.blocks.body(view, block, lambda: bookings.block_json(block, groups, None))


def json_batches(view: View, query: Query) -> Iterator[bytes]:
    """Rows of any dataset as comma-separated JSON objects per batch (empty batches skipped)."""
    if query.dataset == "user-booking-attendance":
        groups = view.groups
        for block, keep in booking_blocks(view, query):
            body = _block_json(view, query, block, groups, keep)
            if body:
                yield body
        return
    for batch in row_batches(view, query):
        if batch:
            yield orjson.dumps(batch)[1:-1]
