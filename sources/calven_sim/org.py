"""The tenant's organisation: locations (sites) with levels, zones and desks, groups, users.

Everything is derived on demand from the seed and small integers and kept in bounded LRU caches,
so a 100,000-user tenant costs no memory until a slice of it is read:

- a *site* is one office location ``k`` holding the contiguous block of global user indices
  ``[start, start + n_users)``; it has ``ceil(n_users / 1500)`` levels of 4 zones each and
  ``round(0.7 * n_users)`` desks spread evenly over the zones;
- *groups* are divisions (top level) and departments (children), their number scaled with the
  tenant's initial user count and fixed afterwards so new locations never change them.

Users live in ``people``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import orjson

from sources.calven_sim import names
from sources.calven_sim.hashing import I64, key, make_id, make_ids

CHUNK = 2048
CHUNK_CACHE = 4
"""User chunks kept; small on purpose: rebuilding a chunk costs well under 1 µs per user."""
SITE_CACHE = 64
MAX_USERS = 1 << 22
"""Users are numbered below this so presence and change-log id counters fit their prefix."""

# Id kinds: each gets its own prefix base, so ids of different kinds never collide.
K_LOCATION, K_LEVEL, K_ZONE, K_DESK, K_GROUP, K_USER = 1, 2, 3, 4, 5, 6
K_PRESENCE, K_EVENT, K_CHANGE, K_CHANGE_EXTRA, K_SUBMITTED = 7, 8, 9, 10, 11
# Hash streams for per-user attributes.
S_USER, S_USER2, S_WEEK, S_SITE = 101, 102, 103, 104

ACTIVE, INACTIVE, PROVISIONED, DEPROVISIONED = 0, 1, 2, 3
STATUSES = ("active", "inactive", "provisioned", "deprovisioned")
OFFICE, REMOTE, AWAY = 0, 1, 2
PLANS = ("o", "r", "a")
ZONES_PER_LEVEL = 4
DESK_RATIO = 0.7


NULL_LOCATION = b'"bookingLocationId":null,"bookingLocationName":null,'
NULL_ZONE = (
    b'"bookingLevelId":null,"bookingLevelName":null,"bookingZoneId":null,"bookingZoneName":null,'
)
NULL_PLACE = b'"bookingPlaceId":null,"bookingPlaceName":null,'
NULL_BOOKING_GROUP = b'"bookingGroupId":null,"bookingGroupName":null,'
Fragments = npt.NDArray[np.object_]
"""bytes JSON fragments indexed by position; index -1 is the null variant."""


def fragments(items: list[bytes], null: bytes) -> Fragments:
    """An object array of fragments with the null variant last (so index -1 selects it)."""
    out = np.empty(len(items) + 1, dtype=object)
    out[:-1] = items
    out[-1] = null
    return out


def site_counter(site: int, local: int) -> int:
    """Id counter of a level/zone/desk: the location index in the high bits."""
    return (site << 24) | local


def json_str(value: str) -> bytes:
    """A JSON string literal (names are ASCII, but escaping stays correct for anything)."""
    return orjson.dumps(value)


@dataclass(frozen=True, eq=False)
class Site:
    """One office location with its levels and zones; desks are computed on demand."""

    index: int
    start: int
    n_users: int
    n_desks: int
    id: str
    name: str
    address: str
    level_ids: tuple[str, ...]
    level_names: tuple[str, ...]
    zone_ids: tuple[str, ...]
    zone_names: tuple[str, ...]
    zone_level: tuple[int, ...]
    location_fragments: Fragments
    zone_fragments: Fragments

    @property
    def n_zones(self) -> int:
        return len(self.zone_ids)

    @property
    def end(self) -> int:
        return self.start + self.n_users

    def desk_zone(self, desks: I64) -> I64:
        """Zone of each desk: desks are spread evenly over the zones in order."""
        return (desks * self.n_zones) // self.n_desks

    def desk_ids(self, seed: int, desks: I64) -> npt.NDArray[np.bytes_]:
        """Ids of desks (by index within the site)."""
        return make_ids(seed, K_DESK, (self.index << 24) | desks)

    def desk_names(self, desks: I64) -> list[str]:
        """Names like ``2B017``: level number, zone letter within the level, number in the zone."""
        zones = self.desk_zone(desks)
        first = (zones * self.n_desks + self.n_zones - 1) // self.n_zones
        return [
            f"{z // ZONES_PER_LEVEL + 1}{chr(65 + z % ZONES_PER_LEVEL)}{n:03d}"
            for z, n in zip(zones.tolist(), (desks - first + 1).tolist(), strict=True)
        ]


def site_name(seed: int, k: int) -> tuple[str, str]:
    """Name and address of location ``k`` (cities rotate; later rounds get a number)."""
    offset = key(seed, S_SITE) % len(names.CITIES)
    city, address = names.CITIES[(k + offset) % len(names.CITIES)]
    rounds = (k + offset) // len(names.CITIES)
    return (city if rounds == 0 else f"{city} {rounds + 1}"), address


@lru_cache(maxsize=SITE_CACHE)
def build_site(seed: int, k: int, start: int, n_users: int) -> Site:
    """Location ``k`` owning users ``[start, start + n_users)``."""
    name, address = site_name(seed, k)
    loc_id = make_id(seed, K_LOCATION, k)
    n_levels = max(1, math.ceil(n_users / 1500))
    n_zones = n_levels * ZONES_PER_LEVEL
    n_desks = max(1, round(DESK_RATIO * n_users))
    level_ids = tuple(make_id(seed, K_LEVEL, site_counter(k, i)) for i in range(n_levels))
    level_names = tuple(f"Level {i + 1}" for i in range(n_levels))
    zone_level = tuple(z // ZONES_PER_LEVEL for z in range(n_zones))
    zone_ids = tuple(make_id(seed, K_ZONE, site_counter(k, z)) for z in range(n_zones))
    zone_names = tuple(
        f"{names.ZONE_NAMES[(z + k) % len(names.ZONE_NAMES)]} L{zone_level[z] + 1}"
        for z in range(n_zones)
    )
    location_fragments = fragments(
        [b'"bookingLocationId":"%s","bookingLocationName":%s,' % (loc_id.encode(), json_str(name))],
        NULL_LOCATION,
    )
    zone_fragments = fragments(
        [
            b'"bookingLevelId":"%s","bookingLevelName":%s,"bookingZoneId":"%s","bookingZoneName":%s,'
            % (
                level_ids[zone_level[z]].encode(),
                json_str(level_names[zone_level[z]]),
                zone_ids[z].encode(),
                json_str(zone_names[z]),
            )
            for z in range(n_zones)
        ],
        NULL_ZONE,
    )
    return Site(
        k,
        start,
        n_users,
        n_desks,
        loc_id,
        name,
        address,
        level_ids,
        level_names,
        zone_ids,
        zone_names,
        zone_level,
        location_fragments,
        zone_fragments,
    )


@dataclass(frozen=True)
class Groups:
    """Divisions then departments; users belong to departments."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    types: tuple[str, ...]
    parents: tuple[int | None, ...]
    n_divisions: int
    primary_fragments: Fragments
    """Per department: the row's ``primaryGroupId``/``primaryGroupName`` fields."""
    booking_fragments: Fragments
    """Per department: the row's ``bookingGroupId``/``bookingGroupName`` fields."""

    @property
    def n_departments(self) -> int:
        return len(self.ids) - self.n_divisions

    def department(self, dept: int) -> tuple[str, str]:
        """Id and name of department number ``dept``."""
        return self.ids[self.n_divisions + dept], self.names[self.n_divisions + dept]


@lru_cache(maxsize=8)
def build_groups(seed: int, base_users: int) -> Groups:
    """The group hierarchy, sized from the tenant's initial user count."""
    n_dept = min(2500, max(4, base_users // 40))
    n_div = min(40, max(2, n_dept // 6))
    ids, labels, types, parents = [], [], [], []
    for d in range(n_div):
        rounds = d // len(names.DIVISIONS)
        label = names.DIVISIONS[d % len(names.DIVISIONS)]
        labels.append(label if rounds == 0 else f"{label} {rounds + 1}")
    for j in range(n_dept):
        word = names.DEPARTMENT_WORDS[(j // n_div) % len(names.DEPARTMENT_WORDS)]
        rounds = (j // n_div) // len(names.DEPARTMENT_WORDS)
        label = f"{labels[j % n_div]} {word}"
        labels.append(label if rounds == 0 else f"{label} {rounds + 1}")
    for g in range(n_div + n_dept):
        ids.append(make_id(seed, K_GROUP, g))
        types.append("Division" if g < n_div else "Department")
        parents.append(None if g < n_div else (g - n_div) % n_div)
    primary = fragments(
        [
            b'"primaryGroupId":"%s","primaryGroupName":%s,' % (ids[g].encode(), json_str(labels[g]))
            for g in range(n_div, n_div + n_dept)
        ],
        b"",
    )
    booking = fragments(
        [
            b'"bookingGroupId":"%s","bookingGroupName":%s,' % (ids[g].encode(), json_str(labels[g]))
            for g in range(n_div, n_div + n_dept)
        ],
        NULL_BOOKING_GROUP,
    )
    return Groups(tuple(ids), tuple(labels), tuple(types), tuple(parents), n_div, primary, booking)
