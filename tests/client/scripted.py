"""Scripted responses for the client tests: an httpx.MockTransport handler and its client."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from sources.calven.http.client import CalvenClient, RetryPolicy
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
    """A client on ``handler`` with key ``key-1`` and ``SECRET``; ``kw`` goes to CalvenClient."""
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
    """An error response with the API's JSON error body."""
    body = {
        "statusCode": status,
        "error": httpx.codes.get_reason_phrase(status),
        "message": message,
    }
    return httpx.Response(status, json=body, headers=headers)


OK = httpx.Response(200, json=[{"userId": "u1"}])
