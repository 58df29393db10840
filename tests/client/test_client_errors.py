"""Client failures that need scripted responses: which error, what it says, what it hides.

Uses httpx.MockTransport (``tests.client.scripted``); the same behaviours over real HTTP are in
test_against_simulator.py where the simulator can produce them.
"""

from __future__ import annotations

import logging

import httpx
import pytest

from sources.calven.errors import (
    AuthError,
    ClientRequestError,
    ConfigError,
    RequestError,
    ResponseFormatError,
    RetriesExhausted,
)
from sources.calven.http.client import CalvenClient
from tests.client.scripted import CTX, PATH, SECRET, Script, client, error


def test_400_fails_fast_with_a_clear_message() -> None:
    script = Script(error(400, "Date range must not exceed 30 days"))
    with client(script) as c, pytest.raises(ClientRequestError) as info:
        c.get_records(PATH, {"startDate": "2025-01-01", "endDate": "2025-01-31"}, context=CTX)
    assert len(script.requests) == 1
    exc = info.value
    assert str(exc) == (
        f"GET {PATH}/basic [{CTX}] failed with 400 Bad Request: Date range must not exceed 30 days"
    )
    assert (exc.method, exc.path, exc.context, exc.status) == ("GET", PATH + "/basic", CTX, 400)


@pytest.mark.parametrize("status", [401, 403], ids=["401", "403"])
def test_basic_refused_is_auth_error_without_secret(status: int) -> None:
    script = Script(error(status, f"bad credentials {SECRET}"))
    with client(script) as c, pytest.raises(AuthError) as info:
        c.get_records(PATH, context=CTX)
    assert len(script.requests) == 1
    phrase = httpx.codes.get_reason_phrase(status)
    assert str(info.value) == (
        f"GET {PATH}/basic [{CTX}] was refused with {status} {phrase} using basic auth "
        "for key key-1: bad credentials ***"
    )


def test_a_failed_connection_names_the_server() -> None:
    script = Script(httpx.ConnectError("[Errno 111] Connection refused"))
    with client(script) as c, pytest.raises(RetriesExhausted) as info:
        c.get_records(PATH, context=CTX)
    assert str(info.value).endswith(
        " s: failed: could not connect to api.calven.test:443: ConnectError: "
        "[Errno 111] Connection refused"
    )


def test_transport_error_exhausted_keeps_the_cause() -> None:
    script = Script(httpx.ReadTimeout("timed out"))
    with client(script) as c, pytest.raises(RetriesExhausted) as info:
        c.get_records(PATH, context=CTX)
    assert str(info.value).endswith(": failed: ReadTimeout: timed out")
    assert info.value.status is None
    assert isinstance(info.value.last_error.__cause__, httpx.ReadTimeout)


@pytest.mark.parametrize(
    ("response", "expected", "attempts"),
    [
        (httpx.Response(200, json={"items": []}), "expected a JSON array, got a JSON dict", 1),
        (httpx.Response(200, content=b"null"), "expected a JSON array, got null or nothing", 1),
        (httpx.Response(200, json=[{"a": 1}, 2]), "element 1 of the array is a int", 1),
        (
            httpx.Response(200, html="<html>maintenance</html>"),
            "200 OK with a body that is not valid JSON (text/html; charset=utf-8, 24 bytes) "
            "after 4 attempt(s) in",
            4,
        ),
    ],
    ids=["object", "null", "scalar-row", "html-keeps-coming"],
)
def test_response_format_errors(response: httpx.Response, expected: str, attempts: int) -> None:
    script = Script(response)
    with client(script) as c, pytest.raises(ResponseFormatError) as info:
        c.get_records(PATH, context=CTX)
    assert str(info.value).startswith(f"GET {PATH}/basic [{CTX}]: ")
    assert expected in str(info.value)
    assert len(script.requests) == attempts


@pytest.mark.parametrize(
    ("status", "cls"), [(404, ClientRequestError), (501, RequestError)], ids=["404", "501"]
)
def test_other_statuses_are_not_retried(status: int, cls: type[RequestError]) -> None:
    script = Script(httpx.Response(status, text="nope"))
    with client(script) as c, pytest.raises(cls) as info:
        c.get_records(PATH)
    assert type(info.value) is cls
    assert len(script.requests) == 1
    assert "non-JSON error body (text/plain; charset=utf-8, 4 bytes)" in str(info.value)


def test_submit_delivers_errors_through_the_future() -> None:
    with client(Script(error(400, "bad"))) as c:
        future = c.submit(PATH, context=CTX)
        with pytest.raises(ClientRequestError, match=r"\[bookings_attendance partition=L1"):
            future.result()


@pytest.mark.parametrize(
    ("url", "allow", "ok"),
    [
        ("https://api.calven.com", False, True),
        ("http://127.0.0.1:8080", False, True),
        ("http://127.5.0.1:8080/", False, True),
        ("http://localhost:9000", False, True),
        ("http://[::1]:9000", False, True),
        ("http://api.calven.com", False, False),
        ("http://10.0.0.5", False, False),
        ("http://api.calven.com", True, True),
        ("ftp://api.calven.com", True, False),
        ("api.calven.com", False, False),
    ],
    ids=[
        "https",
        "loopback-v4",
        "loopback-range",
        "localhost",
        "loopback-v6",
        "http-remote",
        "http-private",
        "http-allowed",
        "ftp",
        "no-scheme",
    ],
)
def test_base_url_policy(url: str, allow: bool, ok: bool) -> None:
    def build() -> CalvenClient:
        return CalvenClient(url, "hmac", "k", SECRET, allow_insecure_http=allow)

    if ok:
        build().close()
    else:
        with pytest.raises(ConfigError, match="base_url"):
            build()


def test_logs_never_show_credentials(caplog: pytest.LogCaptureFixture) -> None:
    script = Script(error(503), error(401, "who are you"))
    caplog.set_level(logging.DEBUG)
    with client(script) as c, pytest.raises(AuthError) as info:
        c.get_records(PATH, {"startDate": "2025-01-01"}, context=CTX)
    text = caplog.text + str(info.value) + repr(c)
    assert "retry 1/3" in caplog.text
    assert f"GET {PATH}/basic -> 503 (attempt 1," in caplog.text
    for leaked in (SECRET, "a2V5LTE6dmVyeS1zZWNyZXQtdmFsdWU="):
        assert leaked not in text
