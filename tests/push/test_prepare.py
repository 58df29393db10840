"""Local validation, column mapping, event ids, batching and file readers: pure, no server."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sources.calven.errors import ConfigError
from sources.calven.push import KINDS, InvalidRow, PreparedEvent, make_batches, prepare_rows
from sources.calven.push.readers import read_file
from tests.push.conftest import write_csv

LOC = "28992537-ed23-41bc-a322-635445445644"
USER = "3a2b0fd7-5f5a-4472-ab61-a2cc1784d38b"
PRESENCE = {
    "timestamp": "2026-03-10T09:00:00Z",
    "locationId": LOC,
    "locationType": "location",
    "userId": USER,
}
CARDS = [{"active": True, "cardNumber": "1234567890", "credentialType": "Mifare"}]


def one(kind: str, row: dict, **options) -> PreparedEvent | InvalidRow:
    (item,) = prepare_rows(KINDS[kind], [row], source_id=options.pop("source_id", "src"), **options)
    return item


@pytest.mark.parametrize(
    ("kind", "row", "body"),
    [
        (
            "presence",
            {**PRESENCE, "sourceUserId": 1341, "extra": "ignored"},
            {**PRESENCE, "timestamp": "2026-03-10T09:00:00.000Z", "sourceUserId": "1341"},
        ),
        (
            "occupancy",
            {
                "timestamp": "2026-03-10T10:00:00+02:00",
                "location_id": LOC,
                "location_type": "ZONE",
                "occupancy": "3",
                "occupied": "yes",
            },
            {
                "timestamp": "2026-03-10T08:00:00.000Z",
                "locationId": LOC,
                "locationType": "zone",
                "occupancy": 3,
                "occupied": True,
            },
        ),
        (
            "timeoff",
            {
                "email": "bob@example.com",
                "eventType": "Scheduled",
                "startDate": date(2026, 3, 20),
                "endDate": "2026-03-21T00:00:00Z",
                "timeOffType": "leave",
            },
            {
                "email": "bob@example.com",
                "eventType": "scheduled",
                "startDate": "2026-03-20",
                "endDate": "2026-03-21",
                "timeOffType": "leave",
            },
        ),
        (
            "access-credentials",
            {"username": "bob@example.com", "credentials": orjson.dumps(CARDS).decode()},
            {"username": "bob@example.com", "credentials": CARDS},
        ),
    ],
    ids=["presence", "occupancy-snake-case-and-text", "timeoff-dates", "credentials-json-text"],
)
def test_valid_rows_become_api_events(kind, row, body):
    item = one(kind, row)
    assert isinstance(item, PreparedEvent), item
    id_field = KINDS[kind].id_field
    assert item.body == {**body, id_field: item.event_id}
    assert item.row == 1


@pytest.mark.parametrize(
    ("kind", "row", "reason"),
    [
        ("presence", {**PRESENCE, "locationId": ""}, "locationId is required"),
        ("presence", {**PRESENCE, "locationType": "room"}, "locationType: expected one of"),
        ("presence", {**PRESENCE, "userEmail": "a@b.c"}, "exactly one of userId and userEmail"),
        (
            "presence",
            {k: v for k, v in PRESENCE.items() if k != "userId"},
            "exactly one of userId and userEmail",
        ),
        ("presence", {**PRESENCE, "timestamp": "2026-03-10"}, "with a time of day"),
        ("presence", {**PRESENCE, "timestamp": "yesterday"}, "ISO-8601"),
        ("presence", {**PRESENCE, "userId": 1.5}, "userId: expected text"),
        ("occupancy", {**PRESENCE, "occupancy": "-1"}, "whole number >= 0"),
        ("occupancy", {**PRESENCE, "occupied": "maybe"}, "expected true or false"),
        ("occupancy", PRESENCE, "at least one of occupied and occupancy"),
        (
            "timeoff",
            {
                "uid": USER,
                "eventType": "planned",
                "startDate": "2026-03-20",
                "endDate": "2026-03-21",
            },
            "eventType: expected one of scheduled, cancelled",
        ),
        (
            "timeoff",
            {
                "uid": USER,
                "eventType": "scheduled",
                "startDate": "2026-03-22",
                "endDate": "2026-03-21",
            },
            "before startDate",
        ),
        (
            "timeoff",
            {"eventType": "scheduled", "startDate": "2026-03-20", "endDate": "2026-03-21"},
            "one of uid and email is required",
        ),
        ("timeoff", {"uid": USER, "eventType": "scheduled", "startDate": "03/20/2026"}, "date"),
        ("access-credentials", {"username": "u", "credentials": "[{"}, "JSON array"),
        (
            "access-credentials",
            {"username": "u", "credentials": [{"active": True, "credentialType": "Mifare"}]},
            "card 0 has no cardNumber",
        ),
    ],
    ids=[
        "missing-location",
        "bad-location-type",
        "both-user-fields",
        "no-user-field",
        "date-only-timestamp",
        "unparseable-timestamp",
        "float-id",
        "negative-occupancy",
        "bad-occupied",
        "no-reading",
        "bad-event-type",
        "end-before-start",
        "no-user",
        "bad-date",
        "credentials-not-json",
        "card-without-number",
    ],
)
def test_invalid_rows_report_row_number_and_reason(kind, row, reason):
    rows = [row, row]
    items = list(prepare_rows(KINDS[kind], rows, source_id="src"))
    assert [type(item) for item in items] == [InvalidRow, InvalidRow]
    assert [item.row for item in items] == [1, 2]
    assert reason in items[0].reason


def test_every_problem_of_a_row_is_reported():
    item = one("presence", {"locationType": "room", "timestamp": "x"})
    assert isinstance(item, InvalidRow)
    for part in ("locationId is required", "locationType", "timestamp"):
        assert part in item.reason


def test_event_id_is_stable_and_content_based():
    first = one("presence", PRESENCE)
    typed = one(
        "presence",
        {**PRESENCE, "timestamp": datetime(2026, 3, 10, 9, tzinfo=UTC), "locationType": "Location"},
    )
    other_time = one("presence", {**PRESENCE, "timestamp": "2026-03-10T09:00:01Z"})
    other_source = one("presence", PRESENCE, source_id="badge-reader")
    other_kind = one("occupancy", {**PRESENCE, "occupied": True})
    assert first.event_id == one("presence", PRESENCE).event_id == typed.event_id
    ids = {first.event_id, other_time.event_id, other_source.event_id, other_kind.event_id}
    assert len(ids) == 4


def test_given_event_id_and_source_id_columns_win():
    item = one("presence", {**PRESENCE, "event_id": "E-1", "sourceId": "turnstile"})
    assert (item.event_id, item.source_id, item.body["eventId"]) == ("E-1", "turnstile", "E-1")


def test_map_renames_columns_and_unknown_columns_are_logged(caplog):
    row = {"when": "2026-03-10T09:00:00Z", "where": LOC, "kind": "location", "who": USER, "x": 1}
    rename = {"when": "timestamp", "where": "locationId", "kind": "locationType", "who": "userId"}
    with caplog.at_level(logging.WARNING):
        item = one("presence", row, rename=rename)
    assert isinstance(item, PreparedEvent), item
    assert item.event_id == one("presence", PRESENCE).event_id
    assert "ignored column(s) x" in caplog.text


def test_map_to_an_unknown_field_is_a_config_error():
    with pytest.raises(ConfigError, match="userMail"):
        one("presence", PRESENCE, rename={"mail": "userMail"})


def test_batches_hold_at_most_100_events_of_one_source():
    rows = [
        {
            **PRESENCE,
            "sourceId": "a" if i % 3 else "b",
            "timestamp": f"2026-03-10T09:00:{i % 60:02d}Z",
        }
        for i in range(250)
    ]
    events = list(prepare_rows(KINDS["presence"], rows, source_id="src"))
    batches = list(make_batches(events))
    assert all(len(b.events) <= 100 for b in batches)
    assert all({e.source_id for e in b.events} == {b.source_id} for b in batches)
    assert sum(len(b.events) for b in batches) == 250
    assert [b.number for b in batches] == list(range(1, len(batches) + 1))
    body = batches[0].body(KINDS["presence"])
    assert set(body) == {"sourceId", "presenceEvents"}


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_files_of_every_format_give_the_same_events(tmp_path, suffix):
    rows = [{**PRESENCE, "sourceUserId": str(i)} for i in range(3)]
    path = tmp_path / f"events{suffix}"
    if suffix == ".csv":
        write_csv(path, rows)
    elif suffix == ".jsonl":
        path.write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    expected = [e.event_id for e in prepare_rows(KINDS["presence"], rows, source_id="s")]
    got = [e.event_id for e in prepare_rows(KINDS["presence"], read_file(path), source_id="s")]
    assert got == expected


def test_a_broken_json_line_is_an_invalid_row(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(orjson.dumps(PRESENCE) + b"\n{broken\n[1]\n" + orjson.dumps(PRESENCE) + b"\n")
    items = list(prepare_rows(KINDS["presence"], read_file(path), source_id="s"))
    assert [type(i).__name__ for i in items] == [
        "PreparedEvent",
        "InvalidRow",
        "InvalidRow",
        "PreparedEvent",
    ]
    assert items[1].row == 2 and "not valid JSON" in items[1].reason


@pytest.mark.parametrize(
    ("name", "message"), [("events.xlsx", "cannot tell the format"), ("missing.csv", "not exist")]
)
def test_unreadable_sources_are_config_errors(tmp_path, name, message):
    with pytest.raises(ConfigError, match=message):
        read_file(tmp_path / name)
