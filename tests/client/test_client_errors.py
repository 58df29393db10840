"""Client behaviour that needs scripted responses: classification, retries, error texts.

Uses httpx.MockTransport; the same behaviours over real HTTP are in test_against_simulator.py
where the simulator can produce them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx
import pytest

from sources.calven.errors import (
    AuthError,
    ClientRequestError,
    ConfigError,
    RequestError,
    ResponseFormatError,
    RetriesExhausted,
    TransientError,
)
from sources.calven.http.client import CalvenClient, RetryPolicy
from sources.calven.http.sending import Sender
from tests.client.conftest import FAST_RETRY

BASE = "https://api.calven.test"
PATH = "/v1/analytics/bookings-attendance"
CTX = "bookings_attendance partition=L1 window=2025-01-01..2025-01-31"
SECRET = "very-secret-value"
Handler = Callable[[httpx.Request], httpx.Response]


class Script:
    """Answers with ``responses`` in order (the last one repeats) and records the requests."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.times.append(time.monotonic())
        item = self.responses[min(len(self.requests), len(self.responses)) - 1]
        if isinstance(item, Exception):
            raise item
        return item


def client(
    handler: Handler, auth_type: str = "basic", retry: RetryPolicy = FAST_RETRY, **kw: object
) -> CalvenClient:
    return CalvenClient(
        BASE,
        auth_type,
        "key-1",
        SECRET,
        retry=retry,  # type: ignore[arg-type]
        transport=httpx.MockTransport(handler),
        **kw,  # type: ignore[arg-type]
    )


def error(status: int, message: str = "boom", **headers: str) -> httpx.Response:
    body = {
        "statusCode": status,
        "error": httpx.codes.get_reason_phrase(status),
        "message": message,
    }
    return httpx.Response(status, json=body, headers=headers)


OK = httpx.Response(200, json=[{"userId": "u1"}])


def test_basic_requests_the_basic_twin_with_params_and_header() -> None:
    script = Script(OK)
    with client(script) as c:
        rows = c.get_records(PATH, {"startDate": "2025-01-01", "endDate": "2025-01-30"})
    assert rows == [{"userId": "u1"}]
    (request,) = script.requests
    assert request.url.path == PATH + "/basic"
    assert dict(request.url.params) == {"startDate": "2025-01-01", "endDate": "2025-01-30"}
    assert request.headers["authorization"].startswith("Basic ")
    assert request.headers["accept"] == "application/json"
    assert c.requests_made == 1 and c.retries_made == 0


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


@pytest.mark.parametrize(
    "failure",
    [
        error(500),
        error(502),
        error(503),
        error(504),
        error(429, **{"Retry-After": "0"}),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.ReadError("connection reset by peer"),
        httpx.Response(200, content=b'[{"userId": "u'),
        httpx.Response(200, content=b""),
    ],
    ids=[
        "500",
        "502",
        "503",
        "504",
        "429",
        "timeout",
        "connect",
        "protocol",
        "reset",
        "truncated",
        "empty-200",
    ],
)
def test_transient_failures_are_retried(failure: httpx.Response | Exception) -> None:
    script = Script(failure, failure, OK)
    with client(script) as c:
        assert c.get_records(PATH) == [{"userId": "u1"}]
    assert len(script.requests) == 3
    assert (c.requests_made, c.retries_made) == (3, 2)


def test_a_failed_connection_names_the_server() -> None:
    script = Script(httpx.ConnectError("[Errno 111] Connection refused"))
    with client(script) as c, pytest.raises(RetriesExhausted) as info:
        c.get_records(PATH, context=CTX)
    assert str(info.value).endswith(
        " s: failed: could not connect to api.calven.test:443: ConnectError: "
        "[Errno 111] Connection refused"
    )


def test_retries_are_bounded_by_attempts() -> None:
    script = Script(error(503, "maintenance"))
    with client(script) as c, pytest.raises(RetriesExhausted) as info:
        c.get_records(PATH, context=CTX)
    assert len(script.requests) == FAST_RETRY.max_attempts
    exc = info.value
    assert str(exc).startswith(f"GET {PATH}/basic [{CTX}]: gave up after 4 attempt(s) in ")
    assert str(exc).endswith(" s: failed with 503 Service Unavailable: maintenance")
    assert exc.attempts == 4 and exc.status == 503
    assert isinstance(exc.last_error, TransientError) and exc.last_error.status == 503


def test_retries_are_bounded_by_total_seconds() -> None:
    # Retry-After of 5 s would end after the 1 s budget: give up at once instead of sleeping.
    script = Script(error(429, **{"Retry-After": "5"}))
    policy = RetryPolicy(max_attempts=10, max_total_seconds=1.0)
    with client(script, retry=policy) as c, pytest.raises(RetriesExhausted) as info:
        c.get_records(PATH)
    assert len(script.requests) == 1
    assert "429 Too Many Requests" in str(info.value)


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


def test_retry_after_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(Sender, "_pause", lambda _self, seconds: slept.append(seconds))
    script = Script(
        error(429, **{"Retry-After": "7"}),
        error(429, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
        error(429, **{"Retry-After": "100000"}),
        OK,
    )
    policy = RetryPolicy(max_attempts=5, max_retry_after=60.0, max_total_seconds=1000.0)
    with client(script, retry=policy) as c:
        c.get_records(PATH)
    assert slept == [7.0, 0.0, 60.0]


def test_post_json_sends_json_and_returns_parsed_body() -> None:
    script = Script(error(503), httpx.Response(200, json={"results": [{"resultCode": 0}]}))
    with client(script, auth_type="basic") as c:
        result = c.post_json("/v1/presence", {"sourceId": "s", "presenceEvents": []})
    assert result == {"results": [{"resultCode": 0}]}
    assert [r.url.path for r in script.requests] == ["/v1/presence/basic"] * 2
    assert script.requests[-1].headers["content-type"] == "application/json"
    assert script.requests[-1].content == b'{"sourceId":"s","presenceEvents":[]}'


def test_submit_runs_on_the_pool_and_close_is_idempotent() -> None:
    script = Script(OK)
    c = client(script, max_concurrency=3)
    futures = [c.submit(PATH, {"n": str(i)}) for i in range(10)]
    assert [f.result() for f in futures] == [[{"userId": "u1"}]] * 10
    c.close()
    c.close()
    with pytest.raises(RuntimeError, match="CalvenClient is closed"):
        c.submit(PATH)


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


def test_rate_budget_spaces_requests() -> None:
    script = Script(OK)
    with client(script, max_requests_per_second=50.0, max_concurrency=4) as c:
        futures = [c.submit(PATH) for _ in range(11)]
        for f in futures:
            f.result()
    # 11 request starts at 50/s from one instant span at least 10 intervals of 20 ms.
    stamps = sorted(script.times)
    assert len(stamps) == 11
    assert stamps[-1] - stamps[0] >= 0.2 - 0.005


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
