"""Submitted events: result codes, and what becomes visible at the next nightly refresh."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from sources.calven_sim.tenant import Tenant, TenantConfig

TODAY = dt.date(2024, 6, 12)  # a Wednesday
CONFIG = TenantConfig(seed=5, users=120, locations=2, history_days=30, future_days=10, today=TODAY)
YESTERDAY = TODAY - dt.timedelta(days=1)


def day_rows(tenant: Tenant, dataset: str, day: dt.date, **kwargs: Any) -> list[dict[str, Any]]:
    return list(tenant.rows(dataset, start=day, end=day, **kwargs))


def booking(tenant: Tenant, user_id: str, day: dt.date) -> dict[str, Any]:
    (row,) = day_rows(tenant, "user-booking-attendance", day, user_ids=[user_id])
    return row


def pick(tenant: Tenant, day: dt.date, **match: Any) -> dict[str, Any]:
    rows = day_rows(tenant, "user-booking-attendance", day)
    return next(r for r in rows if all(r[k] == v for k, v in match.items()))


def presence_event(event_id: str, location_id: str, when: dt.date, **user: str) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "timestamp": f"{when.isoformat()}T09:15:00Z",
        "locationId": location_id,
        "locationType": "location",
        "sourceUserId": "1341",
        **user,
    }


def test_presence_result_codes() -> None:
    tenant = Tenant(CONFIG)
    user = next(iter(tenant.rows("users")))
    office = tenant.location_ids()[0]
    results = tenant.submit_presence(
        "badge",
        [
            presence_event("e1", office, YESTERDAY, userId=user["userId"]),
            presence_event("e2", office, YESTERDAY, userEmail=user["email"]),
            presence_event("e3", office, YESTERDAY, userEmail=user["email"].upper()),
            presence_event(
                "e4", "3a2b0fd7-5f5a-4472-ab61-a2cc1784d38b", YESTERDAY, userId=user["userId"]
            ),
            {**presence_event("e5", office, YESTERDAY, userId=user["userId"]), "timestamp": "soon"},
        ],
    )
    assert [(r["eventId"], r["resultCode"]) for r in results] == [
        ("e1", 0),
        ("e2", 0),
        ("e3", 1),
        ("e4", 2),
        ("e5", 3),
    ]
    assert all(isinstance(r["message"], str) and r["message"] for r in results)


def test_submitted_presence_appears_after_advance_once_and_confirms_or_walks_in() -> None:
    tenant = Tenant(CONFIG)
    booked = pick(tenant, YESTERDAY, attendanceType="noShow")
    remote = pick(tenant, YESTERDAY, plan="r")
    desk = next(d for d in tenant.rows("desks") if d["locationId"] == remote["primaryLocationId"])
    events = [
        presence_event(
            "ev-booked", booked["primaryLocationId"], YESTERDAY, userId=booked["userId"]
        ),
        {
            **presence_event("ev-remote", desk["deskId"], YESTERDAY, userId=remote["userId"]),
            "locationType": "place",
        },
    ]
    assert [r["resultCode"] for r in tenant.submit_presence("badge", events)] == [0, 0]
    assert [r["resultCode"] for r in tenant.submit_presence("badge", events[:1])] == [0]
    assert not [
        r for r in day_rows(tenant, "presence", YESTERDAY) if r["eventId"].startswith("ev-")
    ]

    tenant.advance()
    submitted = [
        r for r in day_rows(tenant, "presence", YESTERDAY) if r["eventId"].startswith("ev-")
    ]
    assert sorted(r["eventId"] for r in submitted) == ["ev-booked", "ev-remote"]
    walk_in = next(r for r in submitted if r["eventId"] == "ev-remote")
    assert walk_in["detectedLocationId"] == desk["deskId"]
    assert walk_in["detectedLocationType"] == "place"
    assert walk_in["locationId"] == desk["locationId"]
    assert walk_in["timestamp"] == f"{YESTERDAY.isoformat()}T09:15:00.000Z"
    assert booking(tenant, booked["userId"], YESTERDAY)["attendanceType"] == "confirmed"
    after = booking(tenant, remote["userId"], YESTERDAY)
    assert (after["plan"], after["attendanceType"], after["bookingDepth"]) == ("o", "walkIn", None)
    log = day_rows(tenant, "change-log/user", TODAY, user_ids=[remote["userId"]])
    assert [(e["action"], e["previousPlan"], e["newPlan"]) for e in log] == [
        ("planChanged", "r", "o")
    ]

    first_ids = {r["presenceId"] for r in submitted}
    tenant.submit_presence("badge", events)
    tenant.advance()
    again = [r for r in day_rows(tenant, "presence", YESTERDAY) if r["eventId"].startswith("ev-")]
    assert {r["presenceId"] for r in again} == first_ids


def test_future_dated_presence_waits_for_its_day() -> None:
    tenant = Tenant(CONFIG)
    user = next(iter(tenant.rows("users")))
    office = tenant.location_ids()[0]
    later = TODAY + dt.timedelta(days=1)
    tenant.submit_presence(
        "wifi", [presence_event("ev-later", office, later, userId=user["userId"])]
    )
    tenant.advance()
    assert not [r for r in day_rows(tenant, "presence", later) if r["eventId"] == "ev-later"]
    tenant.advance()
    assert [r for r in day_rows(tenant, "presence", later) if r["eventId"] == "ev-later"]


def test_time_off_sets_away_and_cancel_restores_the_week_plan() -> None:
    tenant = Tenant(CONFIG)
    start, end = TODAY + dt.timedelta(days=5), TODAY + dt.timedelta(days=8)  # Mon..Thu
    span = {"start": start, "end": end}
    user = next(
        u["userId"]
        for u in tenant.rows("users")
        if u["status"] == "active"
        and any(
            r["plan"] == "o"
            for r in tenant.rows("user-booking-attendance", **span, user_ids=[u["userId"]])
        )
    )
    planned = {r["day"]: r for r in tenant.rows("user-booking-attendance", **span, user_ids=[user])}
    results = tenant.submit_timeoff(
        [
            {
                "eventId": "t1",
                "uid": user,
                "eventType": "scheduled",
                "startDate": start.isoformat(),
                "endDate": f"{end.isoformat()}T00:00:00.000Z",
                "timeOffType": "leave",
            },
            {
                "eventId": "t2",
                "email": "nobody@example.com",
                "eventType": "scheduled",
                "startDate": "2024-06-20",
                "endDate": "2024-06-21",
            },
            {
                "eventId": "t3",
                "uid": user,
                "eventType": "scheduled",
                "startDate": "2024-06-21",
                "endDate": "2024-06-20",
            },
        ]
    )
    assert [r["resultCode"] for r in results] == [0, 1, 3]
    assert all(
        r["plan"] == planned[r["day"]]["plan"]
        for r in tenant.rows("user-booking-attendance", **span, user_ids=[user])
    )
    tenant.advance()
    away = list(tenant.rows("user-booking-attendance", **span, user_ids=[user]))
    assert {(r["plan"], r["bookingDepth"], r["attendanceType"]) for r in away} == {
        ("a", None, None)
    }
    log = day_rows(tenant, "change-log/user", TODAY, user_ids=[user])
    office_days = [d for d, r in planned.items() if r["plan"] == "o"]
    assert sorted(e["bookingDay"] for e in log if e["action"] == "bookingCancelled") == sorted(
        d for d in office_days if planned[d]["bookingDepth"] is not None
    )
    assert all(e["reasonCode"] == "timeOff" and e["newPlan"] == "a" for e in log)

    tenant.submit_timeoff(
        [
            {
                "eventId": "t4",
                "uid": user,
                "eventType": "cancelled",
                "startDate": start.isoformat(),
                "endDate": end.isoformat(),
            }
        ]
    )
    tenant.advance()
    restored = list(tenant.rows("user-booking-attendance", **span, user_ids=[user]))
    assert {r["plan"] for r in restored} <= {"o", "r"}
    log = day_rows(tenant, "change-log/user", TODAY + dt.timedelta(days=1), user_ids=[user])
    assert {e["reasonCode"] for e in log} <= {"timeOffCancelled", "weekPlan"}
    last = {}
    for e in sorted(
        tenant.rows("change-log/user", start=TODAY - dt.timedelta(7), end=TODAY + dt.timedelta(1),
                    user_ids=[user]),
        key=lambda e: e["eventTime"],
    ):  # fmt: skip
        last[e["bookingDay"]] = e["newPlan"]
    for row in restored:
        if row["day"] in last:
            assert last[row["day"]] == row["plan"]


def test_occupancy_and_access_credentials_results() -> None:
    tenant = Tenant(CONFIG)
    office = tenant.location_ids()[1]
    results = tenant.submit_occupancy(
        "camera",
        [
            {
                "eventId": "o1",
                "timestamp": "2024-06-11T10:00:00Z",
                "locationId": office,
                "locationType": "location",
                "occupancy": 3,
            },
            {
                "eventId": "o2",
                "timestamp": "2024-06-11T10:00:00Z",
                "locationId": "nowhere",
                "locationType": "space",
                "occupied": True,
            },
        ],
    )
    assert [(r["eventId"], r["resultCode"]) for r in results] == [("o1", 0), ("o2", 2)]
    user = next(iter(tenant.rows("users")))
    card = {
        "active": True,
        "cardNumber": "1234567890",
        "facilityCode": "100",
        "scanData": ["100:1234567890"],
        "credentialType": "Mifare",
    }
    out = tenant.submit_access_credentials(
        [
            {"username": user["userName"], "updateId": "u1", "credentials": [card]},
            {"username": "ghost@example.com", "updateId": "u2", "credentials": [card]},
        ]
    )
    assert [(r["updateId"], r["result"]) for r in out] == [("u1", "OK"), ("u2", "USER_NOT_FOUND")]
    assert out[1]["results"][0]["result"] == "CARD_UPDATE_FAILED"
    assert out[0]["results"][0]["cardNumber"] == "1234567890"


def test_concurrent_submissions_and_reads_are_safe() -> None:
    tenant = Tenant(CONFIG)
    users = [u["userId"] for u in tenant.rows("users")]
    office = tenant.location_ids()[0]

    def submit(i: int) -> list[int]:
        event = presence_event(f"c{i}", office, YESTERDAY, userId=users[i % len(users)])
        list(tenant.render("presence", start=YESTERDAY, end=YESTERDAY))
        return [r["resultCode"] for r in tenant.submit_presence("wifi", [event])]

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = [c for result in pool.map(submit, range(64)) for c in result]
    assert codes == [0] * 64
    tenant.advance()
    submitted = [r for r in day_rows(tenant, "presence", YESTERDAY) if r["eventId"].startswith("c")]
    assert len(submitted) == 64


@pytest.mark.parametrize("days", [0, -1], ids=["zero", "negative"])
def test_advance_needs_a_positive_number_of_days(days: int) -> None:
    with pytest.raises(ValueError, match="days"):
        Tenant(CONFIG).advance(days)
