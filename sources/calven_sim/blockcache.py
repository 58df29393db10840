"""Day blocks kept for repeated reads: an opt-in cache (``TenantConfig.cache_user_days``).

Generating a (location chunk, day) block of bookings is pure but costs about a millisecond even
for a handful of users, so a window of a small location costs ~20 ms of CPU: a server bound by
that cannot stand in for an API that answers in its latency alone (the latency benchmark). The
JSON of an unfiltered bookings block is kept too. Both depend on nothing but the tenant's
``View``, so the cache is emptied whenever the View changes (the clock advanced, a location was
added) and can never serve a stale row. Off by default, which keeps rendering memory flat.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sources.calven_sim.people import UserChunk
from sources.calven_sim.plans import Block

T = TypeVar("T")


class BlockCache:
    """What was made from one View, up to ``max_user_days`` rows in all, least recently used out."""

    def __init__(self, max_user_days: int = 0) -> None:
        self.max_user_days = max_user_days
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._view: object | None = None
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._size = 0

    def block(
        self, view: object, chunk: UserChunk, day: dt.date, make: Callable[[], Block]
    ) -> Block:
        """The block of ``chunk`` on ``day`` in ``view``, made by ``make`` unless cached."""
        return self._get(view, ("block", *self.where(chunk, day)), make, lambda b: len(b.rows))

    def body(self, view: object, block: Block, make: Callable[[], bytes]) -> bytes:
        """The JSON of an unfiltered ``block`` of bookings, made by ``make`` unless cached."""
        return self._get(
            view, ("json", *self.where(block.chunk, block.day)), make, lambda _: len(block.rows)
        )

    @staticmethod
    def where(chunk: UserChunk, day: dt.date) -> tuple[int, int, int]:
        first_user = int(chunk.gidx[0]) if len(chunk.gidx) else -1
        return chunk.site.index, first_user, day.toordinal()

    def _get(
        self, view: object, key: Hashable, make: Callable[[], T], weight: Callable[[T], int]
    ) -> T:
        if self.max_user_days <= 0:
            return make()
        with self._lock:
            if view is not self._view:
                self._view, self._items, self._size = view, OrderedDict(), 0
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return cast(T, found[0])
            self.misses += 1
        item = make()
        with self._lock:
            if view is self._view and key not in self._items:
                size = weight(item)
                self._items[key] = (item, size)
                self._size += size
                while self._size > self.max_user_days:
                    _, (_, dropped) = self._items.popitem(last=False)
                    self._size -= dropped
        return item
