"""A user who changes primary location: listed under both while the move straddles, once after.

See ``sources.calven_sim.moves``: the truth is always the settled state, the user under the new
location with unchanged bookings; presence and the change log never change with a move.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from typing import Any

import httpx
import numpy as np
import orjson
import pytest

from sources.calven_sim.moves import Move, kept_at_home, move, settled, visitors
from sources.calven_sim.server import RunningSimulator
from sources.calven_sim.tenant import Tenant, TenantConfig
from sources.calven_sim.truth import measure
from tests.sim.httpkit import assert_error, basic

TODAY = dt.date(2024, 6, 12)  # a Wednesday
START, END = TODAY - dt.timedelta(days=29), TODAY + dt.timedelta(days=9)
BOOKINGS = "user-booking-attendance"
PRIMARY = ("primaryLocationId", "primaryLocationName")


def _tenant(cache_user_days: int = 0) -> Tenant:
    config = TenantConfig(seed=5, users=90, locations=3, history_days=40, future_days=10)
    return Tenant(replace(config, today=TODAY, cache_user_days=cache_user_days))


def _mover(tenant: Tenant) -> tuple[str, str, str]:
    """(user, old location, new location): a user of the first location with bookings rows."""
    old, new, _ = tenant.location_ids()
    return next(r["userId"] for r in tenant.rows(BOOKINGS, START, END, [old])), old, new


def _rows(tenant: Tenant, location: str, user: str | None = None) -> list[dict[str, Any]]:
    rows = tenant.rows(BOOKINGS, START, END, [location])
    return [r for r in rows if user is None or r["userId"] == user]


def _blind(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in PRIMARY} for r in rows]


def test_pure_move_bookkeeping() -> None:
    moves = move({}, 7, home=0, to_site=1, straddle=True)
    assert moves == {7: Move(home=0, to_site=1, from_site=0)}
    assert move(moves, 7, home=0, to_site=2, straddle=True) == {7: Move(0, 2, 1)}
    assert move(moves, 7, home=0, to_site=1, straddle=False) == {7: Move(0, 1)}
    assert move(moves, 7, home=0, to_site=0, straddle=False) == {}
    assert settled({7: Move(0, 1, 0), 8: Move(1, 1, 2)}) == {7: Move(0, 1)}
    assert visitors(moves, 1) == [7] and visitors(moves, 0) == []
    users = np.array([6, 7, 8], dtype=np.int64)
    assert kept_at_home(moves, 0, users) is None
    kept = kept_at_home(settled(moves), 0, users)
    assert kept is not None and kept.tolist() == [True, False, True]


@pytest.mark.parametrize("cache_user_days", [0, 100_000], ids=["uncached", "cached"])
def test_a_straddling_move_lists_the_user_under_both_locations(cache_user_days: int) -> None:
    tenant = _tenant(cache_user_days)
    user, old, new = _mover(tenant)
    before = _rows(tenant, old, user)
    truth_before = {loc: tenant.truth(BOOKINGS, START, END, [loc]) for loc in (old, new)}
    everything = tenant.truth(BOOKINGS, START, END)
    tenant.move_user(user, new)

    assert tenant.moves() == [{"userId": user, "locationId": new, "fromLocationId": old}]
    assert _rows(tenant, old, user) == before
    moved = _rows(tenant, new, user)
    name = next(r["locationName"] for r in tenant.rows("locations") if r["locationId"] == new)
    assert {(r["primaryLocationId"], r["primaryLocationName"]) for r in moved} == {(new, name)}
    assert _blind(moved) == _blind(before) and len(before) > 20
    served = Counter((r["userId"], r["day"]) for loc in (old, new) for r in _rows(tenant, loc))
    assert {k for k, n in served.items() if n > 1} == {(user, r["day"]) for r in before}
    for location in tenant.location_ids():
        body = b"".join(tenant.render(BOOKINGS, START, END, [location]))
        assert orjson.loads(body) == _rows(tenant, location)
    truth_rows = list(tenant.rows(BOOKINGS, START, END, settled=True))
    assert tenant.truth(BOOKINGS, START, END) == measure(truth_rows)
    assert tenant.truth(BOOKINGS, START, END).count == everything.count
    assert tenant.truth(BOOKINGS, START, END, [old]).count == truth_before[old].count - len(before)
    assert tenant.truth(BOOKINGS, START, END, [new]).count == truth_before[new].count + len(before)
    assert (tenant.blocks.hits > 0) is (cache_user_days > 0)


def test_settling_and_moving_back_home() -> None:
    tenant = _tenant()
    user, old, new = _mover(tenant)
    original = list(tenant.rows(BOOKINGS, START, END))
    tenant.move_user(user, new)
    tenant.move_user(user, new, straddle=False)

    assert tenant.moves() == [{"userId": user, "locationId": new, "fromLocationId": None}]
    assert _rows(tenant, old, user) == []
    served = list(tenant.rows(BOOKINGS, START, END))
    assert served == list(tenant.rows(BOOKINGS, START, END, settled=True))
    assert measure(served) == tenant.truth(BOOKINGS, START, END)
    tenant.move_user(user, old, straddle=False)
    assert tenant.moves() == []
    assert list(tenant.rows(BOOKINGS, START, END)) == original


def test_users_show_the_new_location_and_activity_stays() -> None:
    tenant = _tenant()
    user, old, new = _mover(tenant)
    presence = list(tenant.rows("presence", START, TODAY - dt.timedelta(days=1)))
    changes = list(tenant.rows("change-log/user", START, TODAY - dt.timedelta(days=1)))
    users_before = list(tenant.rows("users"))
    tenant.move_user(user, new)

    users = list(tenant.rows("users"))
    assert sorted(users, key=lambda r: r["userId"]) == sorted(
        (dict(r, primaryLocationId=new) if r["userId"] == user else r for r in users_before),
        key=lambda r: r["userId"],
    )
    assert [r["userId"] for r in tenant.rows("users", location_ids=[new])][-1] == user
    assert user not in [r["userId"] for r in tenant.rows("users", location_ids=[old])]
    assert user in tenant.user_ids(new) and user not in tenant.user_ids(old)
    assert tenant.user_ids() == sorted(tenant.user_ids())
    assert list(tenant.rows("presence", START, TODAY - dt.timedelta(days=1))) == presence
    assert list(tenant.rows("change-log/user", START, TODAY - dt.timedelta(days=1))) == changes


def test_move_control_over_http(simulator: RunningSimulator) -> None:
    tenant = simulator.sim.tenant
    old, new = tenant.location_ids()
    first = tenant.first_day
    user = next(r["userId"] for r in tenant.rows(BOOKINGS, first, first + dt.timedelta(6), [old]))
    window = {"startDate": first.isoformat(), "endDate": (first + dt.timedelta(6)).isoformat()}
    with httpx.Client(base_url=simulator.base_url) as client:
        moved = client.post("/_sim/moves", json={"userId": user, "locationId": new})
        assert moved.json() == [{"userId": user, "locationId": new, "fromLocationId": old}]
        assert client.get("/_sim/moves").json() == moved.json()
        headers = basic(simulator.key(basic=True))
        days: dict[str, list[tuple[str, str]]] = {}
        for location in (old, new):
            params = {**window, "locationId": location}
            body = client.get(f"/v1/analytics/{BOOKINGS}/basic", params=params, headers=headers)
            days[location] = [
                (r["day"], r["primaryLocationId"]) for r in body.json() if r["userId"] == user
            ]
        assert len(days[old]) == 5, "a week of weekdays"
        assert days[new] == [(day, new) for day, _ in days[old]]
        assert {home for _, home in days[old]} == {old}
        settle = {"userId": user, "locationId": new, "straddle": False}
        assert client.post("/_sim/moves", json=settle).json()[0]["fromLocationId"] is None
        assert_error(client.post("/_sim/moves", json={"userId": user}), 400, "locationId")
        bad = {"userId": user, "locationId": new, "straddle": "yes"}
        assert_error(client.post("/_sim/moves", json=bad), 400, "straddle")
        unknown = {"userId": "nope", "locationId": new}
        assert_error(client.post("/_sim/moves", json=unknown), 400, "unknown user id")
