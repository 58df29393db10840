from __future__ import annotations

import time

import httpx
import pytest

from sources.calven.client import CalvenClient, RetryPolicy
from sources.calven.errors import Cancelled


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
