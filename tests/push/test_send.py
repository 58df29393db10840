"""Sending batches to the simulator over real HTTP: per-event codes, 4xx batches, every kind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sources.calven.errors import AuthError, ConfigError
from sources.calven.push import KINDS, Batch, PreparedEvent, PushPlan, Sender, push_rows
from sources.calven_sim.faults import FaultConfig, FaultRule
from tests.push.conftest import FAST_RETRY, events_client, presence_rows


def stored_presence(simulator, event_ids):
    """Presence rows the tenant shows for these event ids after its next refresh."""
    sim = simulator.sim
    sim.advance()
    tenant = sim.tenant
    rows = tenant.rows("presence", tenant.first_day, tenant.today)
    return [row for row in rows if row["eventId"] in event_ids]


def push(client, kind, rows, **plan):
    outcomes = []
    report = push_rows(client, PushPlan(KINDS[kind], **plan), rows, {}, outcomes.append)
    return report, sorted(outcomes, key=lambda o: o.row)


def test_partial_failure_stores_good_events_and_records_codes_1_and_2(simulator):
    rows = presence_rows(simulator, 6)
    rows[1]["userId"] = "00000000-0000-4000-8000-000000000000"
    rows[4]["locationId"] = "00000000-0000-4000-8000-000000000001"
    with events_client(simulator) as client:
        report, outcomes = push(client, "presence", rows)
    assert [(o.status, o.result_code) for o in outcomes] == [
        ("accepted", 0),
        ("rejected", 1),
        ("accepted", 0),
        ("accepted", 0),
        ("rejected", 2),
        ("accepted", 0),
    ]
    assert dict(report.tally.rejected_by) == {"code 1": 1, "code 2": 1}
    assert report.batches == 1
    accepted = {o.event_id for o in outcomes if o.status == "accepted"}
    stored = stored_presence(simulator, {o.event_id for o in outcomes})
    assert {row["eventId"] for row in stored} == accepted


def test_malformed_batch_is_rejected_whole_and_nothing_is_accepted(simulator):
    good = presence_rows(simulator, 3)
    events = [
        PreparedEvent(i + 1, f"evt-{i}", "src", {**row, "eventId": f"evt-{i}"})
        for i, row in enumerate(good)
    ]
    # Local validation would catch this; bypass it to see what a 4xx batch does.
    del events[1].body["locationType"]
    with events_client(simulator) as client:
        sender = Sender(client, KINDS["presence"])
        outcomes = [o for batch in sender.send([Batch(1, "src", tuple(events))]) for o in batch]
    assert {o.status for o in outcomes} == {"rejected"}
    assert {o.http_status for o in outcomes} == {400}
    assert all("400" in o.message for o in outcomes)
    assert [e.status for e in simulator.sim.requests("/v1/presence")] == [400]
    assert stored_presence(simulator, {e.event_id for e in events}) == []


def test_retries_exhausted_leave_events_failed(simulator):
    simulator.sim.set_faults(FaultConfig(rules=(FaultRule("503", path="/v1/presence"),)))
    with events_client(simulator) as client:
        report, outcomes = push(client, "presence", presence_rows(simulator, 3))
    assert {(o.status, o.http_status) for o in outcomes} == {("failed", 503)}
    assert report.retries == FAST_RETRY.max_attempts - 1


@pytest.mark.parametrize("auth_type", ["basic", "client_secret"])
def test_presence_with_other_auth_flows(simulator, auth_type):
    with events_client(simulator, auth_type=auth_type) as client:
        report, _ = push(client, "presence", presence_rows(simulator, 2))
    assert report.count("accepted") == 2
    expected = "/v1/presence/basic" if auth_type == "basic" else "/v1/presence"
    assert {e.path for e in simulator.sim.requests("/v1/presence")} == {expected}


def test_basic_auth_cannot_push_occupancy(simulator):
    with events_client(simulator, auth_type="basic") as client, pytest.raises(ConfigError):
        push(client, "occupancy", [])


def test_a_warehouse_key_is_refused(simulator):
    with events_client(simulator, role="warehouse") as client, pytest.raises(AuthError) as caught:
        push(client, "presence", presence_rows(simulator, 2))
    assert "403" in str(caught.value)


def test_occupancy_timeoff_and_access_credentials(simulator):
    tenant = simulator.sim.tenant
    users = list(tenant.rows("users"))
    location = tenant.location_ids()[0]
    day = tenant.today + timedelta(days=1)
    with events_client(simulator) as client:
        occupancy, occupancy_out = push(
            client,
            "occupancy",
            [
                {"timestamp": "2026-03-10T09:00:00Z", "locationId": location,
                 "locationType": "location", "occupancy": 4},
                {"timestamp": "2026-03-10T09:00:00Z", "locationId": "nowhere",
                 "locationType": "space", "occupied": True},
            ],
        )  # fmt: skip
        timeoff, timeoff_out = push(
            client,
            "timeoff",
            [
                {"uid": users[0]["userId"], "eventType": "scheduled",
                 "startDate": day, "endDate": day},
                {"email": "nobody@example.com", "eventType": "cancelled",
                 "startDate": day, "endDate": day},
            ],
        )  # fmt: skip
        cards, cards_out = push(
            client,
            "access-credentials",
            [
                {"username": users[1]["email"],
                 "credentials": [{"active": True, "cardNumber": "42", "credentialType": "Mifare"}]},
                {"username": "nobody@example.com",
                 "credentials": [{"active": True, "cardNumber": "43", "credentialType": "Mifare"}]},
            ],
        )  # fmt: skip
    assert [(o.status, o.result_code) for o in occupancy_out] == [("accepted", 0), ("rejected", 2)]
    assert [(o.status, o.result_code) for o in timeoff_out] == [("accepted", 0), ("rejected", 1)]
    assert [(o.status, o.update_result) for o in cards_out] == [
        ("accepted", "OK"),
        ("rejected", "USER_NOT_FOUND"),
    ]
    assert "card 43: CARD_UPDATE_FAILED" in cards_out[1].message
    assert dict(cards.tally.rejected_by) == {"USER_NOT_FOUND": 1}
    assert occupancy.complete is timeoff.complete is cards.complete is False
