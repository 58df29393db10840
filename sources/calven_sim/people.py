"""Users: per-user attributes of a *chunk* of consecutive users of one site.

A chunk is up to ``CHUNK`` users; every attribute (status, department, home zone, week plan,
names, e-mail) is computed with vectorised counter-based hashes of the user's global index, so a
chunk can be dropped and rebuilt at will (the cache is tiny on purpose).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import numpy.typing as npt

from sources.calven_sim import names
from sources.calven_sim.hashing import I64, hash_indices, key, make_ids, pick16, unit16
from sources.calven_sim.org import (
    ACTIVE,
    AWAY,
    CHUNK,
    CHUNK_CACHE,
    K_USER,
    OFFICE,
    PROVISIONED,
    REMOTE,
    S_USER,
    S_USER2,
    S_WEEK,
    Site,
    build_groups,
)


def company(seed: int) -> str:
    """The e-mail domain of the tenant."""
    return f"{names.COMPANIES[key(seed, 7) % len(names.COMPANIES)]}.example"


@dataclass(frozen=True, eq=False)
class UserChunk:
    """Per-user attributes of users ``[start, start + len(gidx))`` of one site."""

    site: Site
    gidx: I64
    status: npt.NDArray[np.int8]
    dept: I64
    home_zone: I64
    week: npt.NDArray[np.int8]
    """Shape (n, 5): the week plan code for Monday..Friday."""
    onboarded: npt.NDArray[np.bool_]
    first: I64
    last: I64
    mixed_case: npt.NDArray[np.bool_]
    ids: npt.NDArray[np.bytes_]
    active: I64
    """Positions (within the chunk) of the active users, the only ones with plans."""
    seed: int

    @cached_property
    def emails(self) -> npt.NDArray[np.bytes_]:
        """E-mail addresses, built on first use (bookings never need them)."""
        found = user_emails(self.seed, self.gidx, self.first, self.last, self.mixed_case)
        return np.array([e.encode() for e in found])


def user_attributes(
    seed: int, n_dept: int, n_zones: int, gidx: I64
) -> tuple[
    I64, I64, I64, npt.NDArray[np.int8], npt.NDArray[np.bool_], I64, I64, npt.NDArray[np.bool_]
]:
    """Vectorised user attributes: status, dept, home zone, week plan, onboarded, names, case."""
    h1 = hash_indices(key(seed, S_USER), gidx)
    h2 = hash_indices(key(seed, S_USER2), gidx)
    u_status = unit16(h1, 0)
    status = np.digitize(u_status, (0.90, 0.95, 0.98)).astype(np.int64)
    dept = pick16(h1, 1, n_dept)
    first = pick16(h1, 2, len(names.FIRST_NAMES))
    last = pick16(h1, 3, len(names.LAST_NAMES))
    home_zone = pick16(h2, 0, n_zones)
    affinity = 0.15 + 0.7 * unit16(h2, 1)
    mixed_case = unit16(h2, 2) < 0.3
    friday_off = unit16(h2, 3) < 0.04
    week = np.empty((len(gidx), 5), dtype=np.int8)
    for wd in range(5):
        draw = unit16(hash_indices(key(seed, S_WEEK, wd), gidx), 0)
        week[:, wd] = np.where(draw < affinity, OFFICE, REMOTE)
    week[friday_off, 4] = AWAY
    onboarded = status != PROVISIONED
    return status, dept, home_zone, week, onboarded, first, last, mixed_case


def user_emails(
    seed: int, gidx: I64, first: I64, last: I64, mixed: npt.NDArray[np.bool_]
) -> list[str]:
    """E-mail addresses (also the userName): unique through the index, some in mixed case."""
    domain = company(seed)
    out = []
    for g, f, la, m in zip(
        gidx.tolist(), first.tolist(), last.tolist(), mixed.tolist(), strict=True
    ):
        local = f"{names.FIRST_NAMES[f]}.{names.LAST_NAMES[la]}{g}"
        out.append(f"{local if m else local.lower()}@{domain}")
    return out


@lru_cache(maxsize=CHUNK_CACHE)
def build_chunk(seed: int, base_users: int, site: Site, chunk: int) -> UserChunk:
    """Users ``chunk * CHUNK ..`` of ``site`` (bounded by the site's end)."""
    lo = site.start + chunk * CHUNK
    gidx = np.arange(lo, min(site.end, lo + CHUNK), dtype=np.int64)
    n_dept = build_groups(seed, base_users).n_departments
    status, dept, zone, week, onboarded, first, last, mixed = user_attributes(
        seed, n_dept, site.n_zones, gidx
    )
    active = np.flatnonzero(status == ACTIVE)
    return UserChunk(
        site,
        gidx,
        status.astype(np.int8),
        dept,
        zone,
        week,
        onboarded,
        first,
        last,
        mixed,
        make_ids(seed, K_USER, gidx),
        active,
        seed,
    )


def chunks_of(site: Site) -> range:
    """Chunk numbers of a site."""
    return range((site.n_users + CHUNK - 1) // CHUNK)
