"""What the client sends, how often and when, against scripted responses: request shape,
retries and their bounds, Retry-After, the worker pool and the rate budget.

Uses httpx.MockTransport (``tests.client.scripted``); the same behaviours over real HTTP are in
test_against_simulator.py where the simulator can produce them.
"""

from __future__ import annotations

import httpx
import pytest

from sources.calven.errors import RetriesExhausted, TransientError
from sources.calven.http.client import RetryPolicy
from sources.calven.http.sending import Sender
from tests.client.conftest import FAST_RETRY
from tests.client.scripted import CTX, OK, PATH, Script, client, error


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
