"""The simulated Calven tenant: deterministic warehouse data generated on demand.

Data model (all of it a pure function of the seed, the layout and the clock):

- ``locations`` (offices) -> levels -> zones -> desks (``org``); users sit in contiguous index
  blocks per location, so ``add_location`` appends a block and never moves anyone. Groups are
  divisions -> departments. About 90 % of users are ``active``; only they have plans.
- Bookings & attendance: one row per active user per weekday, from the first day to
  ``today + future_days``; plan deviations, bookings, desks, attendance and late corrections are
  described in ``plans``. Presence events and change-log entries (``activity``) are drawn from
  the same numbers, so attendance matches presence and the last ``newPlan`` of a user-day
  matches its plan.
- Submitted events (``inbox``) become visible at the next ``advance()`` (the nightly refresh).
- ``move_user`` changes a user's primary location, optionally straddling the move the way a
  sync that reads location by location sees it (``moves``).

Ids are UUID strings derived from ``(seed, kind, index)`` (``hashing``): stable across runs and
across ``add_location``, and sorted by index. Reads work on an immutable ``View`` of the tenant,
so they are safe while another thread submits or advances the clock.

This module holds that state and its lock; the configuration is in ``tenantconfig`` and the
look-ups on a view (ids, moves, resolving ids) are in ``lookup``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any, ClassVar

import orjson

from sources.calven_sim import inbox as inbox_mod
from sources.calven_sim import lookup, nightly
from sources.calven_sim.blockcache import BlockCache
from sources.calven_sim.datasets import json_array, json_batches, row_batches
from sources.calven_sim.org import MAX_USERS
from sources.calven_sim.tenantconfig import TenantConfig, initial_sites
from sources.calven_sim.truth import Truth, measure
from sources.calven_sim.view import View, make_query

__all__ = ["Tenant", "TenantConfig", "Truth"]

logger = logging.getLogger(__name__)


class Tenant:
    """One simulated tenant; thread-safe."""

    DATASETS: ClassVar[tuple[str, ...]] = (
        "users", "groups", "locations", "desks", "user-booking-attendance", "presence",
        "change-log/user",
    )  # fmt: skip
    WINDOWED: ClassVar[frozenset[str]] = frozenset(
        {"user-booking-attendance", "presence", "change-log/user"}
    )

    def __init__(self, config: TenantConfig) -> None:
        if config.users < 0 or config.users >= MAX_USERS or config.locations < 1:
            raise ValueError(f"TenantConfig needs 1+ locations and 0..{MAX_USERS - 1} users")
        self.config = config
        today = config.today or dt.datetime.now(dt.UTC).date()
        self._lock = threading.RLock()
        self._inbox = inbox_mod.Inbox()
        self.blocks = BlockCache(config.cache_user_days)
        self._added_fields: dict[str, dict[str, Any]] = {}
        self._view = View(
            seed=config.seed,
            base_users=config.users,
            first_day=today.toordinal() - config.history_days,
            future_days=config.future_days,
            today=today.toordinal(),
            sites=initial_sites(config),
        )

    @property
    def today(self) -> dt.date:
        """The simulated current UTC date."""
        return dt.date.fromordinal(self._view.today)

    @property
    def first_day(self) -> dt.date:
        """The first day of history (fixed at construction)."""
        return dt.date.fromordinal(self._view.first_day)

    def advance(self, days: int = 1) -> None:
        """Move the clock (the nightly refresh): pending submissions become visible."""
        if days < 1:
            raise ValueError(f"advance() needs days >= 1, got {days}")
        with self._lock:
            pending = len(self._inbox.pending)
            settler = nightly.Settler(self._view, self._inbox)
            self._view = settler.settle(self._view.today + days)
            logger.info(
                "simulated tenant advanced to %s; %d pending submissions applied, %d still waiting",
                self.today,
                pending - len(self._inbox.pending),
                len(self._inbox.pending),
            )

    def add_field(self, dataset: str, name: str, value: Any) -> None:
        """Every row of ``dataset`` gains the field ``name`` with ``value``: the API adding a
        field, as it may without notice (a schema change for the loader)."""
        if dataset not in self.DATASETS:
            raise ValueError(f"unknown dataset {dataset!r}; expected one of {self.DATASETS}")
        with self._lock:
            fields = {**self._added_fields.get(dataset, {}), name: value}
            self._added_fields = {**self._added_fields, dataset: fields}
        logger.info("simulated dataset %s gained field %s", dataset, name)

    def add_location(self, users: int) -> str:
        """Add a location with ``users`` new users; returns its id. Existing rows stay unchanged."""
        with self._lock:
            view = self._view
            if users < 0 or view.n_users + users >= MAX_USERS:
                raise ValueError(f"add_location() needs 0..{MAX_USERS - 1 - view.n_users} users")
            self._view = replace(view, sites=(*view.sites, (view.n_users, users)))
            location_id = self._view.site(len(view.sites)).id
            logger.info("simulated tenant gained location %s with %d users", location_id, users)
            return location_id

    def location_ids(self) -> list[str]:
        """Ids of all locations in location order."""
        return lookup.location_ids(self._view)

    def user_ids(self, location_id: str | None = None) -> list[str]:
        """Ids of all users (any status), or of one location's users; in id order.

        A user who moved counts at their new location only, whether the move straddles or not.
        """
        return lookup.user_ids(self._view, location_id)

    def move_user(self, user_id: str, location_id: str, *, straddle: bool = True) -> None:
        """Make ``location_id`` the user's primary location (see ``sources.calven_sim.moves``).

        With ``straddle`` the location the user leaves keeps listing their bookings rows until
        the user is moved again without it; the truth is the settled state either way.

        Raises:
            ValueError: When the user or the location is unknown.
        """
        with self._lock:
            self._view = self._view.moved(user_id.strip(), location_id.strip(), straddle)
        logger.info("simulated user %s moved to location %s", user_id, location_id)

    def moves(self) -> list[dict[str, str | None]]:
        """Users who moved: ``userId``, ``locationId`` and ``fromLocationId`` while straddling."""
        return lookup.moves(self._view)

    def _query(
        self,
        dataset: str,
        start: dt.date | None,
        end: dt.date | None,
        location_ids: Sequence[str] | None,
        user_ids: Sequence[str] | None,
        settled: bool = False,
    ) -> tuple[View, Any]:
        if dataset not in self.DATASETS:
            raise ValueError(f"unknown dataset {dataset!r}; expected one of {self.DATASETS}")
        if dataset in self.WINDOWED and (start is None or end is None):
            raise ValueError(f"dataset {dataset!r} needs start and end dates")
        view = self._view.settled() if settled else self._view
        return view, make_query(view, dataset, start, end, location_ids, user_ids, self.blocks)

    def rows(
        self,
        dataset: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        location_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
        *,
        settled: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Rows of a dataset; ``start``/``end`` are inclusive UTC days (windowed datasets only).

        ``location_ids`` filters on the row's location (a user's primary location for users and
        bookings, the event's office for presence); ``user_ids`` on the row's user. Unknown ids
        match nothing. Groups ignore both filters. ``settled`` reads the truth: as if every
        straddling move were complete (by default, the rows the API serves now).
        """
        view, query = self._query(dataset, start, end, location_ids, user_ids, settled)
        added = self._added_fields.get(dataset)
        if added:
            return ({**row, **added} for batch in row_batches(view, query) for row in batch)
        return (row for batch in row_batches(view, query) for row in batch)

    def render(
        self,
        dataset: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        location_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
    ) -> Iterator[bytes]:
        """The JSON array body of ``rows()`` (same rows, same order) as a stream of chunks."""
        view, query = self._query(dataset, start, end, location_ids, user_ids)
        added = self._added_fields.get(dataset)
        if added:
            batches = row_batches(view, query)
            return json_array(
                orjson.dumps([{**row, **added} for row in batch])[1:-1]
                for batch in batches
                if batch
            )
        return json_array(json_batches(view, query))

    def truth(
        self,
        dataset: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        location_ids: Sequence[str] | None = None,
    ) -> Truth:
        """Row count and order-independent checksum of a slice (see ``Truth``), moves settled."""
        return measure(self.rows(dataset, start, end, location_ids, settled=True))

    def resolve_user(self, user_id: str | None = None, email: str | None = None) -> str | None:
        """The userId of a user given by id (case-insensitive) or e-mail (case-sensitive)."""
        return lookup.resolve_user(self._view, user_id, email)

    def resolve_location(self, any_id: str) -> tuple[str, str] | None:
        """(officeLocationId, locationType) of a location, level, zone or desk id."""
        return lookup.resolve_location(self._view, any_id)

    def submit_presence(self, source_id: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Check and queue presence events; one result per event."""
        with self._lock:
            view = self._view
            return inbox_mod.submit_presence(
                view,
                self._inbox,
                source_id,
                events,
                lambda uid, email: lookup.user_index(view, uid, email),
            )

    def submit_occupancy(
        self, source_id: str, events: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Check and store occupancy events; one result per event."""
        with self._lock:
            return inbox_mod.submit_occupancy(self._view, self._inbox, source_id, events)

    def submit_timeoff(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Check and queue time-off events; one result per event."""
        with self._lock:
            view = self._view
            return inbox_mod.submit_timeoff(
                view,
                self._inbox,
                events,
                lambda uid, email: lookup.user_index(view, uid, email),
            )

    def submit_access_credentials(self, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace users' access cards; one result object per update."""
        with self._lock:
            view = self._view
            return inbox_mod.submit_credentials(
                self._inbox, updates, lambda name: lookup.user_index(view, None, name)
            )
