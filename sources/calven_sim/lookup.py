"""Look-ups on one immutable ``View`` of a tenant: its ids, its moves, and ids resolved.

Plain functions with no state of their own; ``Tenant`` passes them the view it holds, so a
look-up sees one consistent tenant even while another thread submits or advances the clock.
"""

from __future__ import annotations

from sources.calven_sim import inbox
from sources.calven_sim.hashing import make_id
from sources.calven_sim.org import K_USER
from sources.calven_sim.people import chunks_of
from sources.calven_sim.view import View

__all__ = ["location_ids", "moves", "resolve_location", "resolve_user", "user_ids", "user_index"]


def location_ids(view: View) -> list[str]:
    """Ids of all locations in location order."""
    return [view.site(k).id for k in range(len(view.sites))]


def user_ids(view: View, location_id: str | None = None) -> list[str]:
    """Ids of all users (any status), or of one location's users; in id order.

    A user who moved counts at their new location only, whether the move straddles or not.
    """
    k = None if location_id is None else view.location_index(location_id)
    if location_id is not None and k is None:
        return []
    out: list[str] = []
    for home in range(len(view.sites)):
        site = view.site(home)
        if k is not None and home != k and not view.moves:
            continue
        for c in chunks_of(site):
            chunk = view.chunk(site, c)
            for g, user_id in zip(chunk.gidx.tolist(), chunk.ids.tolist(), strict=True):
                if k is None or view.primary_site(g) == k:
                    out.append(user_id.decode())
    return out


def moves(view: View) -> list[dict[str, str | None]]:
    """Users who moved: ``userId``, ``locationId`` and ``fromLocationId`` while straddling."""
    return [
        {
            "userId": make_id(view.seed, K_USER, g),
            "locationId": view.site(m.to_site).id,
            "fromLocationId": None if m.from_site is None else view.site(m.from_site).id,
        }
        for g, m in sorted(view.moves.items())
    ]


def user_index(view: View, user_id: str | None, email: str | None) -> int | None:
    """The index of a user given by id (case-insensitive) or e-mail (case-sensitive)."""
    if user_id is not None:
        return view.user_index(user_id.strip())
    if email is None or "@" not in email:
        return None
    digits = email.split("@", 1)[0]
    tail = len(digits) - len(digits.rstrip("0123456789"))
    if tail == 0:
        return None
    g = int(digits[-tail:])
    if g >= view.n_users:
        return None
    chunk, pos = view.user_slot(g)
    return g if chunk.emails[pos].decode() == email else None


def resolve_user(view: View, user_id: str | None = None, email: str | None = None) -> str | None:
    """The userId of a user given by id (case-insensitive) or e-mail (case-sensitive)."""
    g = user_index(view, user_id, email)
    return None if g is None else make_id(view.seed, K_USER, g)


def resolve_location(view: View, any_id: str) -> tuple[str, str] | None:
    """(officeLocationId, locationType) of a location, level, zone or desk id."""
    found = inbox.resolve_location(view, any_id)
    return None if found is None else (view.site(found[0]).id, found[1])
