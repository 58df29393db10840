"""A snapshot of the tenant (``View``) and a resolved read request on it (``Query``).

A ``View`` is an immutable picture of the tenant at one moment (clock, locations, submitted
changes, users who moved); reads work on a view, so a concurrent ``advance()`` never tears a
response. Everything a read returns is derived from the view's fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sources.calven_sim import moves as moves_mod
from sources.calven_sim.blockcache import BlockCache
from sources.calven_sim.hashing import counter_of
from sources.calven_sim.org import CHUNK, K_LOCATION, K_USER, Groups, Site, build_groups, build_site
from sources.calven_sim.people import UserChunk, build_chunk
from sources.calven_sim.plans import DayEdits

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
    moves: moves_mod.Moves = field(default_factory=dict)
    """Users whose primary location changed (``sources.calven_sim.moves``), by user index."""

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

    def user_slot(self, g: int) -> tuple[UserChunk, int]:
        """The chunk of the user's home location that holds user ``g``, and their position."""
        site = self.site(self.site_of_user(g))
        local = g - site.start
        return self.chunk(site, local // CHUNK), local % CHUNK

    def primary_site(self, g: int) -> int:
        """The index of user ``g``'s primary location (after any move, settled or not)."""
        found = self.moves.get(g)
        return self.site_of_user(g) if found is None else found.to_site

    def moved(self, user_id: str, location_id: str, straddle: bool) -> View:
        """This view after a user's primary location changed (``moves.move``).

        Raises:
            ValueError: When the user or the location is unknown.
        """
        g, k = self.user_index(user_id), self.location_index(location_id)
        if g is None or k is None:
            raise ValueError(f"unknown {'user' if g is None else 'location'} id")
        home = self.site_of_user(g)
        return replace(self, moves=moves_mod.move(self.moves, g, home, k, straddle=straddle))

    def settled(self) -> View:
        """This view with every straddling move completed: what the truth is read from."""
        if not moves_mod.straddling(self.moves):
            return self
        return replace(self, moves=moves_mod.settled(self.moves))

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
    moves: moves_mod.Moves = field(default_factory=dict)
    """The moves the query sees: as served for bookings, settled for the users dataset."""

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
    # Only bookings list a straddling user under two locations; a user has one row in users.
    moves = view.moves if dataset == "user-booking-attendance" else moves_mod.settled(view.moves)
    return Query(dataset, start, end, sites, users, wanted, blocks, moves)
