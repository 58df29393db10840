from __future__ import annotations

import time

import httpx
import pytest

from sources.calven.errors import Cancelled
from sources.calven.http.client import CalvenClient, RetryPolicy


def test_abort_ends_retry_waits_at_once() -> None:
    always_busy = httpx.MockTransport(lambda request: httpx.Response(503))
    policy = RetryPolicy(max_attempts=10, backoff_base=30.0, backoff_max=30.0)
    client = CalvenClient(
        "https://api.calven.com", "basic", "kid", "secret", retry=policy, transport=always_busy
    )
    future = client.submit("/v1/analytics/users")
    time.sleep(0.3)  # let the first attempt fail and the 30 s backoff start
    started = time.monotonic()
    client.abort()
    with pytest.raises(Cancelled, match="cancelled"):
        future.result(timeout=5)
    assert time.monotonic() - started < 2


def test_a_request_waiting_for_a_slot_is_cancelled_by_abort() -> None:
    """One slot: the first request hangs in flight, the second waits for the slot; an abort
    cancels both, and the second never reaches the server."""
    arrived: list[str] = []

    def hang(request: httpx.Request) -> httpx.Response:
        arrived.append(request.url.path)
        time.sleep(0.5)
        raise httpx.ReadError("connection closed", request=request)

    client = CalvenClient(
        "https://api.calven.com",
        "basic",
        "kid",
        "secret",
        max_concurrency=1,
        transport=httpx.MockTransport(hang),
    )
    first = client.submit("/v1/analytics/users")
    second = client.submit("/v1/analytics/groups")
    time.sleep(0.2)  # the first is in flight, the second waits for its slot
    client.abort()
    for future in (first, second):
        with pytest.raises(Cancelled, match="cancelled, the run was interrupted"):
            future.result(timeout=5)
    assert arrived == ["/v1/analytics/users/basic"]
