"""The streaming read path: ``CalvenClient.get_tables`` parses bodies into spooled Arrow tables.

It must give exactly what ``get_records`` + ``to_arrow`` give, fail and retry the same way,
and keep no body whole in memory.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from functools import partial

import httpx
import orjson
import pyarrow as pa
import pytest

from sources.calven.arrow.spool import SpooledTables
from sources.calven.arrow.tables import RecordError, parse_block, to_arrow
from sources.calven.catalog import BOOKINGS_ATTENDANCE, PRESENCE, USER_CHANGE_LOG, USERS, Dataset
from sources.calven.errors import ResponseFormatError, RetriesExhausted
from sources.calven.http.client import CalvenClient
from sources.calven_sim.server import RunningSimulator
from tests.client.scripted import CTX, PATH, Script, client

ROW = {"userId": "u1", "day": "2026-03-02T00:00:00.000Z", "plan": "o"}


def pages_of(c, dataset: Dataset = BOOKINGS_ATTENDANCE, **params: str) -> pa.Table:
    parse = partial(parse_block, dataset=dataset)
    with c.get_tables(dataset.path, params or None, parse=parse, keys=dataset.key_fields) as pages:
        return pa.concat_tables(pages.tables()) if pages.rows else to_arrow([], dataset)


@pytest.mark.parametrize(
    "dataset", [BOOKINGS_ATTENDANCE, PRESENCE, USER_CHANGE_LOG, USERS], ids=lambda d: d.name
)
def test_pages_equal_records_against_the_simulator(
    shared_simulator: RunningSimulator, dataset: Dataset
) -> None:
    key = shared_simulator.key(role="warehouse", basic=True)
    tenant = shared_simulator.sim.tenant
    last = tenant.first_day + timedelta(days=29)
    params = (
        {"startDate": tenant.first_day.isoformat(), "endDate": last.isoformat()}
        if dataset.windowed
        else {}
    )
    with client_for(shared_simulator, key) as c:
        expected = to_arrow(c.get_records(dataset.path, params or None), dataset)
        assert expected.num_rows > 0
        assert pages_of(c, dataset, **params).equals(expected)


def client_for(running: RunningSimulator, key) -> CalvenClient:
    return CalvenClient(running.base_url, "basic", key.key_id, key.secret)


def body(rows: list[dict], pretty: bool = False) -> bytes:
    return orjson.dumps(rows, option=orjson.OPT_INDENT_2 if pretty else 0)


@pytest.mark.parametrize("pretty", [False, True], ids=["compact", "pretty"])
def test_large_body_is_spooled_and_read_back_in_order(pretty: bool) -> None:
    rows = [{**ROW, "userId": f"u{i:06d}", "plan": "o" if i % 3 else None} for i in range(60_000)]
    script = Script(httpx.Response(200, content=body(rows, pretty)))
    with client(script) as c:
        table = pages_of(c)
    assert table.num_rows == len(rows)
    assert table.column("userId").to_pylist() == [r["userId"] for r in rows]
    assert table.column("day").type == pa.date32()
    assert table.equals(to_arrow(rows, BOOKINGS_ATTENDANCE))


def test_truncated_then_whole_is_retried() -> None:
    whole = body([ROW, {**ROW, "userId": "u2"}])
    script = Script(
        httpx.Response(200, content=whole[: len(whole) // 2]), httpx.Response(200, content=whole)
    )
    with client(script) as c:
        assert pages_of(c).num_rows == 2
    assert len(script.requests) == 2 and c.retries_made == 1


def test_body_that_stays_truncated_is_a_format_error() -> None:
    script = Script(httpx.Response(200, content=body([ROW])[:-1]))
    with client(script) as c, pytest.raises(ResponseFormatError) as info:
        c.get_tables(PATH, context=CTX, parse=partial(parse_block, dataset=BOOKINGS_ATTENDANCE))
    assert "not valid JSON" in str(info.value) and "array is closed" in str(info.value)
    assert str(info.value).startswith(f"GET {PATH}/basic [{CTX}]: ")


@pytest.mark.parametrize(
    ("response", "expected", "attempts", "error"),
    [
        (
            httpx.Response(200, json={"items": []}),
            "expected a JSON array, got a JSON dict",
            1,
            ResponseFormatError,
        ),
        (
            httpx.Response(200, content=b"null"),
            "expected a JSON array, got null",
            1,
            ResponseFormatError,
        ),
        (
            httpx.Response(200, html="<html>x</html>"),
            "not valid JSON (text/html",
            4,
            ResponseFormatError,
        ),
        (httpx.Response(200, content=b""), "the body is empty", 4, ResponseFormatError),
        (httpx.Response(503), "503 Service Unavailable", 4, RetriesExhausted),
    ],
    ids=["object", "null", "html", "empty", "503"],
)
def test_errors_match_get_records(response, expected, attempts, error) -> None:
    script = Script(response)
    with client(script) as c, pytest.raises(error) as info:
        c.get_tables(PATH, context=CTX, parse=partial(parse_block, dataset=BOOKINGS_ATTENDANCE))
    assert expected in str(info.value)
    assert len(script.requests) == attempts


def test_wrong_type_is_a_record_error_naming_the_field() -> None:
    script = Script(httpx.Response(200, content=body([ROW, {**ROW, "bookingDepth": "deep"}])))
    with (
        client(script) as c,
        pytest.raises(RecordError, match="field 'bookingDepth' should be int64"),
    ):
        pages_of(c)


def test_undeclared_fields_are_kept_like_to_arrow() -> None:
    rows = [
        {**ROW, "newDate": "2026-03-02", "newNumber": 1, "newMixed": 1},
        {**ROW, "userId": "u2", "newDate": None, "newNumber": 2, "newMixed": "x"},
    ]
    script = Script(httpx.Response(200, content=body(rows)))
    with client(script) as c:
        table = pages_of(c)
    assert table.equals(to_arrow(rows, BOOKINGS_ATTENDANCE))
    assert table.schema.field("newDate").type == pa.string()


def test_repeated_key_keeps_the_last_row(caplog: pytest.LogCaptureFixture) -> None:
    rows = [ROW, {**ROW, "userId": "u2"}, {**ROW, "plan": "r"}]
    script = Script(httpx.Response(200, content=body(rows)))
    with client(script) as c:
        table = pages_of(c)
    assert sorted(table.select(["userId", "plan"]).to_pylist(), key=str) == [
        {"userId": "u1", "plan": "r"},
        {"userId": "u2", "plan": "o"},
    ]
    assert "repeat the key" in caplog.text


def test_pages_spill_to_a_file_and_clean_up() -> None:
    table = to_arrow([{**ROW, "userId": f"u{i}"} for i in range(5_000)], BOOKINGS_ATTENDANCE)
    pages = SpooledTables(spool_memory_bytes=table.nbytes // 2)
    pages.append(table)
    pages.append(table.slice(0, 10))
    path = pages._path
    assert path is not None
    assert [t.num_rows for t in pages.tables(group_rows=100)] == [5_000, 10]
    assert pa.concat_tables(pages.tables()).num_rows == 5_010
    pages.close()
    assert not os.path.exists(path)


def test_window_dates_are_dates() -> None:
    script = Script(httpx.Response(200, content=body([ROW])))
    with client(script) as c:
        assert pages_of(c).column("day").to_pylist() == [date(2026, 3, 2)]
