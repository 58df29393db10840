"""Users whose primary location changes: which locations list them, during and after a move.

A move changes one attribute of the user, ``primaryLocationId``. The warehouse joins it into
every bookings row, and the ``locationId`` filter of ``/v1/analytics/user-booking-attendance``
selects on it, so *all* of the user's bookings rows, past days included, move to the new
location. Nothing else changes: a past booking at the old office is still a booking there
(``bookingLocation*``, desks and attendance stay as they were), presence is filtered on the
event's office, and the change log is not partitioned by location.

A sync reads one location at a time. When the user moves between its read of the old location
and its read of the new one, both answers list the user for every day of their windows: the same
``(userId, day)`` key arrives twice in one sync, once with each ``primaryLocationId``. A
*straddling* move makes that happen whatever the order of the requests: the old location still
lists the user as before the move and the new one lists them as after it.

The truth (``Tenant.truth``, ``Tenant.rows(settled=True)``) is the settled state: one row per
``(userId, day)``, listed under the new location only, with the new ``primaryLocationId`` and
the same booking fields as before. The users dataset always shows the settled state. A move
straddles until the user is moved again without ``straddle`` (to the same location, to settle
it, or anywhere else). The rows of a user are always generated from their *home* location, the
one whose block of user indices holds them, so moving never changes a booking or an id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sources.calven_sim.hashing import I64


@dataclass(frozen=True)
class Move:
    """Where one user is listed now.

    Attributes:
        home: Index of the location whose users' block holds the user (rows come from it).
        to_site: Index of the user's primary location now.
        from_site: Index of the location that still lists the user while the move straddles;
            None once it is settled.
    """

    home: int
    to_site: int
    from_site: int | None = None

    @property
    def listed(self) -> tuple[int, ...]:
        """Indices of the locations whose bookings list the user, the new location first."""
        return (self.to_site,) if self.from_site is None else (self.to_site, self.from_site)


Moves = Mapping[int, Move]
"""Moves by global user index; users without one are listed at their home location only."""


def move(moves: Moves, user: int, home: int, to_site: int, *, straddle: bool) -> dict[int, Move]:
    """``moves`` after ``user`` (at home in ``home``) changes primary location to ``to_site``.

    With ``straddle`` the location the user leaves keeps listing them; moving a user to the
    location they are at leaves no location straddling.
    """
    current = moves[user].to_site if user in moves else home
    from_site = current if straddle and current != to_site else None
    changed = dict(moves)
    if to_site == home and from_site is None:
        changed.pop(user, None)
    else:
        changed[user] = Move(home, to_site, from_site)
    return changed


def settled(moves: Moves) -> dict[int, Move]:
    """``moves`` with every straddling move completed (each user listed at one location)."""
    return {user: Move(m.home, m.to_site) for user, m in moves.items() if m.to_site != m.home}


def straddling(moves: Moves) -> bool:
    """Whether some user is listed at two locations."""
    return any(m.from_site is not None for m in moves.values())


def kept_at_home(moves: Moves, site: int, users: I64) -> npt.NDArray[np.bool_] | None:
    """Which of ``users`` (at home in ``site``) ``site`` still lists; None means all of them."""
    away = [user for user, m in moves.items() if m.home == site and site not in m.listed]
    return None if not away else ~np.isin(users, away)


def visitors(moves: Moves, site: int) -> list[int]:
    """Users listed at ``site`` whose home is another location, in index order."""
    return sorted(user for user, m in moves.items() if m.home != site and site in m.listed)
