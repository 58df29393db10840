"""Submit endpoints over real HTTP: shapes, result codes, round trip, and refused batches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from sources.calven_sim.server import RunningSimulator
from tests.sim.httpkit import assert_error, basic, bearer

SUBMIT_METHODS = {
    "/v1/presence": "submit_presence",
    "/v1/occupancy": "submit_occupancy",
    "/v1/timeoff": "submit_timeoff",
    "/v1/access-credentials": "submit_access_credentials",
}


@pytest.fixture
def client(shared_simulator: RunningSimulator) -> httpx.Client:
    headers = bearer(shared_simulator, shared_simulator.key(role="events"))
    with httpx.Client(base_url=shared_simulator.base_url, headers=headers, timeout=10) as client:
        yield client


def _presence_event(user_id: str, location_id: str, when: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "timestamp": when.isoformat().replace("+00:00", "Z"),
        "locationId": location_id,
        "locationType": "location",
        "eventId": str(uuid.uuid4()),
        "sourceUserId": "1341",
        "userId": user_id,
        **extra,
    }


def _yesterday_10am(running: RunningSimulator) -> datetime:
    day = running.sim.tenant.today - timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def test_presence_round_trip(simulator):
    tenant = simulator.sim.tenant
    location = tenant.location_ids()[0]
    user = tenant.user_ids(location)[0]
    when = _yesterday_10am(simulator)
    events = [
        _presence_event(user, location, when),
        _presence_event("no-such-user", location, when),
        _presence_event(user, "no-such-location", when),
    ]
    key = simulator.key(role="events")
    with httpx.Client(base_url=simulator.base_url, headers=bearer(simulator, key)) as client:
        response = client.post(
            "/v1/presence/", json={"sourceId": "door-7", "presenceEvents": events}
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sourceId"] == "door-7" and body["timestamp"].endswith("Z")
    assert [(r["eventId"], r["resultCode"]) for r in body["results"]] == [
        (events[0]["eventId"], 0),
        (events[1]["eventId"], 1),
        (events[2]["eventId"], 2),
    ]
    simulator.sim.advance(1)
    reader = simulator.key(role="warehouse", basic=True)
    day = when.date().isoformat()
    rows = httpx.get(
        f"{simulator.base_url}/v1/analytics/presence/basic",
        params={"startDate": day, "endDate": day, "userIds": user},
        headers=basic(reader),
    ).json()
    assert events[0]["eventId"] in {row["eventId"] for row in rows}


def test_presence_basic_endpoint(shared_simulator):
    tenant = shared_simulator.sim.tenant
    location = tenant.location_ids()[0]
    event = _presence_event(
        tenant.user_ids(location)[0], location, _yesterday_10am(shared_simulator)
    )
    del event["userId"]
    event["userEmail"] = "nobody@example.com"
    response = httpx.post(
        f"{shared_simulator.base_url}/v1/presence/basic",
        json={"sourceId": "panel", "presenceEvents": [event]},
        headers=basic(shared_simulator.key(role="events", basic=True)),
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["resultCode"] == 1


def test_occupancy_timeoff_and_credentials_shapes(shared_simulator, client):
    tenant = shared_simulator.sim.tenant
    location = tenant.location_ids()[0]
    user = tenant.user_ids(location)[0]
    occupancy = client.post(
        "/v1/occupancy",
        json={
            "sourceId": "cam",
            "occupancyEvents": [
                {
                    "timestamp": "2026-03-17T09:00:00Z",
                    "locationId": location,
                    "locationType": "location",
                    "eventId": "occ-1",
                    "occupancy": 3,
                }
            ],
        },
    )
    assert occupancy.status_code == 200, occupancy.text
    assert set(occupancy.json()) == {"sourceId", "timestamp", "results"}
    timeoff = client.post(
        "/v1/timeoff/",
        json={
            "timeOffEvents": [
                {
                    "eventId": "to-1",
                    "uid": user,
                    "eventType": "scheduled",
                    "startDate": "2026-03-20",
                    "endDate": "2026-03-24T00:00:00.000Z",
                    "timeOffType": "leave",
                }
            ]
        },
    )
    assert timeoff.status_code == 200, timeoff.text
    assert set(timeoff.json()) == {"timestamp", "results"}
    assert timeoff.json()["results"][0] == {
        "eventId": "to-1",
        "resultCode": 0,
        "message": "Success",
    }
    card = {
        "active": True,
        "cardNumber": "123",
        "scanData": ["100:123"],
        "credentialType": "Mifare",
    }
    updates = [
        {"username": "nobody@example.com", "updateId": "u-1", "credentials": [card]},
        {"username": "nobody2@example.com", "updateId": "u-2", "credentials": []},
    ]
    credentials = client.post("/v1/access-credentials", json={"data": updates})
    assert credentials.status_code == 200, credentials.text
    assert [r["updateId"] for r in credentials.json()] == ["u-1", "u-2"]


def test_a_full_batch_of_100_is_accepted(shared_simulator, client):
    location = shared_simulator.sim.tenant.location_ids()[0]
    when = _yesterday_10am(shared_simulator)
    events = [_presence_event("u", location, when) for _ in range(100)]
    response = client.post("/v1/presence", json={"sourceId": "s", "presenceEvents": events})
    assert response.status_code == 200 and len(response.json()["results"]) == 100


def _event(**changes: Any) -> dict[str, Any]:
    base = _presence_event("u", "l", datetime(2026, 3, 17, 9, tzinfo=UTC))
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


_OCC = {
    "timestamp": "2026-03-17T09:00:00Z",
    "locationId": "l",
    "locationType": "zone",
    "eventId": "e",
}
_TIMEOFF = {
    "eventId": "e",
    "uid": "u",
    "eventType": "scheduled",
    "startDate": "2026-03-20",
    "endDate": "2026-03-21",
}
_CARD = {"active": True, "cardNumber": "1", "credentialType": "Mifare"}


@pytest.mark.parametrize(
    ("path", "body", "fragment"),
    [
        ("/v1/presence", {"presenceEvents": []}, "sourceId"),
        ("/v1/presence", {"sourceId": "s"}, "presenceEvents"),
        (
            "/v1/presence",
            {"sourceId": "s", "presenceEvents": [_event(locationType="room")]},
            "locationType",
        ),
        (
            "/v1/presence",
            {"sourceId": "s", "presenceEvents": [_event(userEmail="a@b.c")]},
            "userId",
        ),
        ("/v1/presence", {"sourceId": "s", "presenceEvents": [_event(userId=None)]}, "userId"),
        ("/v1/presence", {"sourceId": "s", "presenceEvents": [_event(eventId=None)]}, "eventId"),
        (
            "/v1/presence",
            {"sourceId": "s", "presenceEvents": [_event(timestamp="yesterday")]},
            "timestamp",
        ),
        (
            "/v1/presence",
            {"sourceId": "s", "presenceEvents": [_event(sourceUserId=1341)]},
            "sourceUserId",
        ),
        ("/v1/presence", {"sourceId": "s", "presenceEvents": [_event()] * 101}, "100"),
        ("/v1/presence", {"sourceId": "s", "presenceEvents": [_event(), "x"]}, "presenceEvents"),
        ("/v1/occupancy", {"sourceId": "s", "occupancyEvents": [_OCC]}, "occupied"),
        (
            "/v1/occupancy",
            {"sourceId": "s", "occupancyEvents": [{**_OCC, "occupancy": -1}]},
            "occupancy",
        ),
        (
            "/v1/occupancy",
            {"sourceId": "s", "occupancyEvents": [{**_OCC, "occupied": True}] * 101},
            "100",
        ),
        ("/v1/timeoff", {"timeOffEvents": [{**_TIMEOFF, "uid": None}]}, "uid"),
        ("/v1/timeoff", {"timeOffEvents": [{**_TIMEOFF, "eventType": "maybe"}]}, "eventType"),
        ("/v1/timeoff", {"timeOffEvents": [{**_TIMEOFF, "endDate": "2026-03-19"}]}, "before"),
        ("/v1/timeoff", {"timeOffEvents": [{**_TIMEOFF, "startDate": "soon"}]}, "startDate"),
        ("/v1/timeoff", {"timeOffEvents": [_TIMEOFF] * 101}, "100"),
        ("/v1/access-credentials", {"data": [{"username": "a", "updateId": "u"}]}, "credentials"),
        (
            "/v1/access-credentials",
            {"data": [{"username": "a", "updateId": "u", "credentials": [{"cardNumber": "1"}]}]},
            "active",
        ),
        (
            "/v1/access-credentials",
            {"data": [{"username": "a", "updateId": "u", "credentials": [_CARD]}] * 101},
            "100",
        ),
        ("/v1/access-credentials", [], "body"),
    ],
    ids=[
        "presence-no-source",
        "presence-no-events",
        "presence-bad-location-type",
        "presence-both-user-fields",
        "presence-no-user-field",
        "presence-no-event-id",
        "presence-bad-timestamp",
        "presence-number-for-string",
        "presence-101",
        "presence-non-object-event",
        "occupancy-no-reading",
        "occupancy-negative",
        "occupancy-101",
        "timeoff-no-user",
        "timeoff-bad-type",
        "timeoff-end-before-start",
        "timeoff-bad-date",
        "timeoff-101",
        "credentials-no-list",
        "credentials-card-incomplete",
        "credentials-101",
        "credentials-array-body",
    ],
)
def test_malformed_bodies_are_400_and_store_nothing(
    shared_simulator, client, monkeypatch, path, body, fragment
):
    calls: list[Any] = []
    monkeypatch.setattr(
        shared_simulator.sim.tenant, SUBMIT_METHODS[path], lambda *a: calls.append(a)
    )
    assert_error(client.post(path, json=body), 400, fragment)
    assert calls == []


@pytest.mark.parametrize("path", list(SUBMIT_METHODS), ids=lambda p: p.rsplit("/", 1)[-1])
def test_unparseable_json_is_400(client, path):
    response = client.post(
        path, content=b'{"sourceId": "s",', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400)


def test_submit_needs_a_token(shared_simulator):
    response = httpx.post(f"{shared_simulator.base_url}/v1/occupancy", json={})
    assert_error(response, 401)
