"""Sending one request with retries, inside the run's in-flight budget.

``Sender`` owns the ``httpx`` client of a run: the request budget (at most ``max_concurrency``
in flight, an optional requests-per-second limit), retries of transient failures with backoff
and ``Retry-After`` (``RetryPolicy``), the mapping of a response to a result or an error
(``responses``), the request and retry counters, and the abort that cancels what waits.
``CalvenClient`` builds the endpoints and the thread pool on top of it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx
import orjson

from sources.calven.arrow.framing import MIN_BLOCK_BYTES
from sources.calven.errors import Cancelled, TransientError
from sources.calven.http.auth import CalvenAuth
from sources.calven.http.ratelimit import RateLimiter
from sources.calven.http.responses import (
    give_up,
    parse_response,
    transient_from_transport,
    where,
)
from sources.calven.http.retry import RetryPolicy

logger = logging.getLogger(__name__)

T = TypeVar("T")
Reader = Callable[[httpx.Response, str, str], T]
"""Reads a 2xx streaming response (given the path and context) into a result."""

CONNECT_TIMEOUT_SECONDS = 10.0
USER_AGENT = "calven-warehouse/0.1 (+dlt)"


def reads_whole(response: httpx.Response) -> bool:
    """Whether a body is read whole rather than streamed: a plain body of at most one parse run.

    The framing parser holds up to ``MIN_BLOCK_BYTES`` before it parses anything, so reading such
    a body at once holds no more of it in memory. A compressed body may be far longer decoded.
    """
    length = response.headers.get("Content-Length")
    encoding = response.headers.get("Content-Encoding", "identity")
    plain = encoding == "identity" and length is not None and length.isdigit()
    return plain and int(length) <= MIN_BLOCK_BYTES


class Sender:
    """The run's ``httpx`` client with its budget, retries, counters and abort; thread-safe."""

    def __init__(
        self,
        base_url: str,
        auth: CalvenAuth,
        *,
        max_concurrency: int,
        max_requests_per_second: float | None,
        timeout: float,
        retry: RetryPolicy,
        transport: httpx.BaseTransport | None,
    ) -> None:
        self.auth = auth
        self.retry = retry
        self.requests_made = 0
        self.retries_made = 0
        self._counter_lock = threading.Lock()
        self._limiter = RateLimiter(max_requests_per_second)
        self._rng = random.Random()
        self.http = httpx.Client(
            base_url=base_url,
            auth=auth,
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT_SECONDS, timeout)),
            limits=httpx.Limits(
                max_connections=max_concurrency, max_keepalive_connections=max_concurrency
            ),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            transport=transport,
            event_hooks={"request": [self._count_request]},
        )
        self._in_flight = threading.BoundedSemaphore(max_concurrency)
        self.aborted = threading.Event()

    def _count_request(self, request: httpx.Request) -> None:
        # Called for every request httpx sends, token requests and auth retries included.
        self._limiter.acquire()
        with self._counter_lock:
            self.requests_made += 1

    def close(self) -> None:
        self.http.close()

    def _pause(self, seconds: float) -> None:
        """Wait before a retry; returns early when the run is aborted."""
        self.aborted.wait(seconds)

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        body: Any,
        context: str,
        reader: Reader[Any] | None = None,
    ) -> Any:
        """Send with retries; returns the parsed JSON body, or what ``reader`` made of a 2xx.

        ``path`` is the path requested (the Basic twin already resolved by the client).
        """
        full = path
        content = None if body is None else orjson.dumps(body)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(method, full, params, content, context, attempt, reader)
            except TransientError as exc:
                elapsed = time.monotonic() - started
                delay = self.retry.next_delay(attempt, elapsed, exc.retry_after, self._rng)
                if delay is None:
                    raise give_up(exc, method, full, context, attempt, elapsed) from exc
                # A token-endpoint failure is retried with the request that needed the token.
                reason = exc.reason if exc.path == full else f"{exc.path}: {exc.reason}"
                logger.warning(
                    "%s: %s; retry %d/%d in %.2f s",
                    where(method, full, context),
                    reason,
                    attempt,
                    self.retry.max_attempts - 1,
                    delay,
                )
                with self._counter_lock:
                    self.retries_made += 1
                self._pause(delay)

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        content: bytes | None,
        context: str,
        attempt: int,
        reader: Reader[Any] | None,
    ) -> Any:
        headers = {"Content-Type": "application/json"} if content is not None else None
        request = self.http.build_request(
            method, path, params=dict(params) if params else None, content=content, headers=headers
        )
        sent = time.monotonic()
        try:
            response = self._receive(request, path, context, streamed=reader is not None)
            try:
                if reader is not None and 200 <= response.status_code < 300:
                    result = reader(response, path, context)
                    self._log(method, path, response, attempt, sent)
                    return result
                response.read()
            finally:
                response.close()
        except httpx.TransportError as exc:
            logger.debug("%s %s attempt %d: %s", method, path, attempt, type(exc).__name__)
            raise transient_from_transport(exc, method, path, context, request.url) from exc
        self._log(method, path, response, attempt, sent)
        return parse_response(
            response,
            method,
            path,
            context,
            auth_name=f"{self.auth.auth_type} auth for key {self.auth.api_key_id}",
            redact=self.auth.redact,
        )

    def _receive(
        self, request: httpx.Request, path: str, context: str, *, streamed: bool
    ) -> httpx.Response:
        """Send ``request`` within the in-flight budget; the body is read here unless it streams.

        A body streams to the reader only when it is long (see ``reads_whole``): a short one is
        read at once, so its connection goes back to the pool and the next request is under way
        while the worker parses it. Once the run is aborted, no request is sent: one that was
        waiting for a slot or a retry is cancelled here.
        """
        with self._in_flight:
            if self.aborted.is_set():
                at = where(request.method, path, context)
                raise Cancelled(f"{at}: cancelled, the run was interrupted")
            response = self.http.send(request, stream=True)
            try:
                if not streamed or reads_whole(response):
                    response.read()
            except BaseException:
                response.close()
                raise
        return response

    @staticmethod
    def _log(method: str, path: str, response: httpx.Response, attempt: int, sent: float) -> None:
        logger.debug(
            "%s %s -> %d (attempt %d, %.0f ms)",
            method,
            path,
            response.status_code,
            attempt,
            (time.monotonic() - sent) * 1000,
        )
