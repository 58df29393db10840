"""Plans, bookings and attendance of one chunk of users on one day, as numpy columns.

This is the single place where the behaviour of a user-day is decided; bookings, presence and
the change log all read it, so they cannot disagree. For an active user ``u`` on weekday ``d``
(all draws are counter-based hashes of ``(seed, u, d)``):

- the *week plan* gives ``o``/``r``/``a``; with probability ``P_DEVIATION`` the day deviates to
  another plan, decided ``lead`` (0..7) days before ``d``. A deviation only counts once its
  decision day is before ``today``, so future plans change as the clock advances, exactly when
  the matching change-log entries appear;
- an Office day from the week plan is auto-booked (``autoBooking``/``weekPlan``) except for a
  ``P_NO_BOOKING`` share of would-be walk-ins; a deviation to Office is booked by the user
  (``user``/``userSelected``). Depth 1/2/3 = location/zone/place booking (20/30/50 %); desks are
  assigned by a per-(location, day) affine permutation of the user's index, and the second user
  mapped to an already booked desk gets a zone booking instead, so no desk is double-booked;
- presence is drawn for Office days (85 % of booked, 60 % of unbooked) and *arrives* ``lag`` days
  after the day (1 day for 80 %, 2..7 days otherwise). Until it arrives a booked day is
  ``unconfirmed``; then it is ``confirmed`` (presence seen) or ``noShow``. Unbooked Office days
  with presence are ``walkIn``. These are the late corrections of the last 7 days;
- submitted events (time off, presence) are applied as per-user-day ``Override``s and a set of
  user-days with submitted presence, both supplied by the tenant's current snapshot.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sources.calven_sim.hashing import I64, U64, hash_indices, key, pick16, unit16
from sources.calven_sim.org import OFFICE, Site
from sources.calven_sim.people import UserChunk, user_attributes

P_DEVIATION = 0.12
P_NO_BOOKING = 0.10
P_PRESENT_BOOKED = 0.85
P_PRESENT_UNBOOKED = 0.60
P_OTHER_GROUP = 0.05
P_WAITLIST = 0.02
MAX_LEAD = 7
S_DAY1, S_DAY2, S_DAY3, S_DESK = 201, 202, 204, 203

# The alternative plan of a deviation, by week plan: (first choice, its share, second choice).
_ALTERNATIVE = np.array([[1, 2], [0, 2], [0, 1]], dtype=np.int8)
_FIRST_SHARE = np.array([0.7, 0.6, 0.5])

ATT_NONE, CONFIRMED, NO_SHOW, UNCONFIRMED, WALK_IN = 0, 1, 2, 3, 4
ATTENDANCE = (None, "confirmed", "noShow", "unconfirmed", "walkIn")
SRC_NONE, SRC_AUTO, SRC_USER = 0, 1, 2
KIND_WEEK, KIND_WALK_IN, KIND_OTHER = 0, 1, 2


@dataclass(frozen=True)
class Override:
    """A user-day changed by a submitted event.

    Attributes:
        plan: plan code now in force.
        kind: KIND_WEEK (booked like a week-plan day), KIND_WALK_IN (Office, never booked),
            KIND_OTHER (plan without a booking).
        since: ordinal of the day the first override was made; generated changes decided on or
            after it no longer apply (the user's explicit action wins).
    """

    plan: int
    kind: int
    since: int


@dataclass(frozen=True)
class DayEdits:
    """Submitted changes of one day: plan overrides and users with submitted presence."""

    plans: Mapping[int, Override]
    seen: frozenset[int]


NO_EDITS = DayEdits({}, frozenset())


@dataclass(frozen=True)
class Draws:
    """The per-user-day random draws (independent of today and of submissions)."""

    h1: U64
    h2: U64
    h3: U64

    @classmethod
    def of(cls, seed: int, gidx: I64, day: int) -> Draws:
        return cls(
            hash_indices(key(seed, S_DAY1, day), gidx),
            hash_indices(key(seed, S_DAY2, day), gidx),
            hash_indices(key(seed, S_DAY3, day), gidx),
        )

    def take(self, positions: I64) -> Draws:
        """The draws of a subset of the users."""
        return Draws(self.h1[positions], self.h2[positions], self.h3[positions])

    @property
    def deviates(self) -> npt.NDArray[np.bool_]:
        return unit16(self.h1, 0) < P_DEVIATION

    @property
    def lead(self) -> I64:
        return pick16(self.h1, 2, MAX_LEAD + 1)

    @property
    def decided_ms(self) -> I64:
        """Time of day of the deviation decision: 06:00-20:00 UTC."""
        return 6 * 3_600_000 + pick16(self.h1, 3, 14 * 3600) * 1000

    def alternative(self, week: npt.NDArray[np.int8]) -> npt.NDArray[np.int8]:
        first = unit16(self.h1, 1) < _FIRST_SHARE[week]
        out: npt.NDArray[np.int8] = np.where(first, _ALTERNATIVE[week, 0], _ALTERNATIVE[week, 1])
        return out.astype(np.int8)

    @property
    def no_booking(self) -> npt.NDArray[np.bool_]:
        return unit16(self.h2, 0) < P_NO_BOOKING

    @property
    def depth(self) -> I64:
        return 1 + np.digitize(unit16(self.h2, 1), (0.2, 0.5)).astype(np.int64)

    @property
    def presence(self) -> npt.NDArray[np.float64]:
        return unit16(self.h2, 2)

    @property
    def lag(self) -> I64:
        late = unit16(self.h2, 3) < 0.2
        return 1 + late * (1 + pick16(self.h3, 2, 6))

    @property
    def other_group(self) -> npt.NDArray[np.bool_]:
        return unit16(self.h3, 0) < P_OTHER_GROUP

    @property
    def waitlist(self) -> npt.NDArray[np.bool_]:
        return unit16(self.h3, 1) < P_WAITLIST


@dataclass
class Block:
    """Columns of the booking rows of active users of one chunk on one day."""

    chunk: UserChunk
    day: dt.date
    rows: I64
    """Positions in the chunk of the rows (active users, ascending)."""
    plan: npt.NDArray[np.int8]
    depth: I64
    attendance: npt.NDArray[np.int8]
    zone: I64
    desk: I64
    booking_group: I64
    source: npt.NDArray[np.int8]
    waitlist: npt.NDArray[np.int8]
    """-1 null, 0 false, 1 true."""
    present: npt.NDArray[np.bool_]
    """Generated presence events exist and have arrived."""


def desk_permutation(seed: int, site: Site, day: int) -> tuple[int, int]:
    """Multiplier and offset of the per-(location, day) desk assignment ``(a*i + b) % n``."""
    n = site.n_desks
    h = key(seed, S_DESK, site.index, day)
    a = 1 + h % n if n > 1 else 1
    while math.gcd(a, n) != 1:
        a += 1
    return a, (h >> 32) % n


def _plans(
    week: npt.NDArray[np.int8], draws: Draws, day: int, today: int
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.bool_]]:
    """Generated plan and whether it came from the week plan."""
    changed = draws.deviates & (day - draws.lead < today)
    return np.where(changed, draws.alternative(week), week).astype(np.int8), ~changed


def _apply(
    edits: DayEdits, gidx: I64, plan: npt.NDArray[np.int8], from_week: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Apply plan overrides in place; returns the forced walk-in mask."""
    walk_in = np.zeros(len(gidx), dtype=np.bool_)
    if edits.plans:
        for g, ov in edits.plans.items():
            pos = int(np.searchsorted(gidx, g))
            if pos < len(gidx) and gidx[pos] == g:
                plan[pos] = ov.plan
                from_week[pos] = ov.kind == KIND_WEEK
                walk_in[pos] = ov.kind == KIND_WALK_IN
    return walk_in


def _place_booked(
    seed: int, n_dept: int, site: Site, gidx: I64, day: int, today: int, edits: DayEdits
) -> npt.NDArray[np.bool_]:
    """Whether users (any status, outside any chunk) hold a place booking on ``day``."""
    status, _, _, week_all, *_ = user_attributes(seed, n_dept, site.n_zones, gidx)
    week = week_all[:, dt.date.fromordinal(day).weekday()]
    draws = Draws.of(seed, gidx, day)
    plan, from_week = _plans(week, draws, day, today)
    walk_in = _apply(edits, gidx, plan, from_week)
    booked = (plan == OFFICE) & ~((from_week & draws.no_booking) | walk_in) & (status == 0)
    place: npt.NDArray[np.bool_] = booked & (draws.depth == 3)
    return place


def day_block(
    seed: int, n_dept: int, chunk: UserChunk, day: dt.date, today: int, edits: DayEdits
) -> Block:
    """Everything about the booking rows of ``chunk`` on ``day`` (a weekday) as of ``today``."""
    site = chunk.site
    rows = chunk.active
    gidx = chunk.gidx[rows]
    d = day.toordinal()
    draws = Draws.of(seed, gidx, d)
    plan, from_week = _plans(chunk.week[rows, day.weekday()], draws, d, today)
    walk_in = _apply(edits, gidx, plan, from_week)
    office = plan == OFFICE
    booked = office & ~((from_week & draws.no_booking) | walk_in)
    depth = np.where(booked, draws.depth, 0)

    a, b = desk_permutation(seed, site, d)
    local = gidx - site.start
    desk = np.where(depth == 3, (a * local + b) % site.n_desks, -1)
    # The desk of local index i is also mapped to i + n_desks: the lower index keeps it.
    clash = np.flatnonzero((depth == 3) & (local >= site.n_desks))
    if len(clash):
        partner = gidx[clash] - site.n_desks
        lost = _place_booked(seed, n_dept, site, partner, d, today, edits)
        depth[clash[lost]] = 2
        desk[clash[lost]] = -1
    zone = np.where(depth == 3, site.desk_zone(np.maximum(desk, 0)), -1)
    zone = np.where(depth == 2, chunk.home_zone[rows], zone)

    group = np.where(draws.other_group, pick16(draws.h3, 3, n_dept), chunk.dept[rows])
    booking_group = np.where(booked, group, -1)
    source = np.where(booked, np.where(from_week, SRC_AUTO, SRC_USER), SRC_NONE).astype(np.int8)
    waitlist = np.where(booked, draws.waitlist.astype(np.int8), -1)

    arrived = d + draws.lag <= today
    present = (
        office & arrived & (draws.presence < np.where(booked, P_PRESENT_BOOKED, P_PRESENT_UNBOOKED))
    )
    seen = present.copy()
    if edits.seen and d < today:
        seen |= np.isin(gidx, np.fromiter(edits.seen, dtype=np.int64))
    attendance = np.full(len(rows), ATT_NONE, dtype=np.int8)
    attendance[booked & seen] = CONFIRMED
    attendance[booked & ~seen & arrived] = NO_SHOW
    attendance[booked & ~seen & ~arrived] = UNCONFIRMED
    attendance[office & ~booked & seen] = WALK_IN
    return Block(
        chunk,
        day,
        rows,
        plan,
        depth,
        attendance,
        zone,
        desk,
        booking_group,
        source,
        waitlist.astype(np.int8),
        present,
    )


def plan_of(
    seed: int, chunk: UserChunk, pos: int, day: int, as_of: int, edits: DayEdits
) -> tuple[int, bool]:
    """Plan code and whether it is booked, for one active user-day as seen on ``as_of``."""
    gidx = chunk.gidx[pos : pos + 1]
    draws = Draws.of(seed, gidx, day)
    week = chunk.week[pos : pos + 1, dt.date.fromordinal(day).weekday()]
    plan, from_week = _plans(week, draws, day, as_of)
    walk_in = _apply(edits, gidx, plan, from_week)
    booked = (plan == OFFICE) & ~((from_week & draws.no_booking) | walk_in)
    return int(plan[0]), bool(booked[0])
