"""The HTTP client of a run: one connection pool, bounded concurrency, retries, clear errors.

``CalvenClient.get_records`` sends one warehouse read and returns the parsed JSON array;
``submit`` does the same on the client's thread pool. At most ``max_concurrency`` requests are in
flight across the run (its single concurrency budget); a short body is read whole and parsed
outside that budget, so the next request is under way meanwhile. Transient failures (429,
500/502/503/504, timeouts, resets, a truncated body) are retried with full-jitter exponential
backoff, honouring ``Retry-After``, bounded by attempts and by total seconds (``RetryPolicy``).
Other 4xx fail at once. See ``sources.calven.errors`` for the tree.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

import httpx
import orjson

from sources.calven.arrow.framing import MIN_BLOCK_BYTES
from sources.calven.arrow.spool import (
    FramingError,
    NotAnArrayBody,
    Parse,
    SpooledTables,
    read_tables,
)
from sources.calven.errors import Cancelled, ConfigError, TransientError
from sources.calven.http.auth import AuthType, CalvenAuth, make_auth
from sources.calven.http.ratelimit import RateLimiter
from sources.calven.http.responses import (
    check_records,
    give_up,
    malformed_body,
    not_an_array,
    parse_response,
    transient_from_transport,
    where,
)
from sources.calven.http.retry import RetryPolicy

__all__ = ["CalvenClient", "RetryPolicy"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
Reader = Callable[[httpx.Response, str, str], T]
"""Reads a 2xx streaming response (given the path and context) into a result."""

CONNECT_TIMEOUT_SECONDS = 10.0
USER_AGENT = "calven-warehouse/0.1 (+dlt)"


def check_base_url(base_url: str, *, allow_insecure_http: bool) -> str:
    """The base URL without a trailing slash; ConfigError unless https or http to loopback."""
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(f"base_url '{base_url}' must be an http(s) URL with a host")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise ConfigError(
            f"base_url '{base_url}' uses http:// to a host that is not loopback; credentials "
            "would travel in clear. Use https:// or set allow_insecure_http"
        )
    return base_url.rstrip("/")


def reads_whole(response: httpx.Response) -> bool:
    """Whether a body is read whole rather than streamed: a plain body of at most one parse run.

    The framing parser holds up to ``MIN_BLOCK_BYTES`` before it parses anything, so reading such
    a body at once holds no more of it in memory. A compressed body may be far longer decoded.
    """
    length = response.headers.get("Content-Length")
    encoding = response.headers.get("Content-Encoding", "identity")
    plain = encoding == "identity" and length is not None and length.isdigit()
    return plain and int(length) <= MIN_BLOCK_BYTES


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class CalvenClient:
    """One run's connection to the Calven API; thread-safe and shared by every resource.

    Args:
        base_url: e.g. ``https://api.calven.com``.
        auth_type: ``basic`` (requests go to ``path + "/basic"``), ``hmac`` or ``client_secret``.
        api_key_id: the API key id (not secret; appears in auth errors).
        api_secret: the API key secret (never logged or quoted).
        max_concurrency: requests in flight at most (the connection pool's size); ``submit``
            has twice as many worker threads, so that some parse what has arrived meanwhile.
        max_requests_per_second: optional request budget across all threads.
        timeout: read/write/pool timeout in seconds (connect is 10 s at most).
        retry: the retry policy.
        allow_insecure_http: permit ``http://`` to a host that is not loopback.
        transport: an httpx transport (tests).
    """

    def __init__(
        self,
        base_url: str,
        auth_type: AuthType,
        api_key_id: str,
        api_secret: str,
        *,
        max_concurrency: int = 8,
        max_requests_per_second: float | None = None,
        timeout: float = 60.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so sharing it is safe
        allow_insecure_http: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ConfigError(f"max_concurrency must be at least 1, got {max_concurrency}")
        if timeout <= 0:
            raise ConfigError(f"timeout must be positive, got {timeout}")
        self.base_url = check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self.auth_type: AuthType = auth_type
        self.auth: CalvenAuth = make_auth(auth_type, api_key_id, api_secret, self.base_url)
        self.retry = retry
        self.max_concurrency = max_concurrency
        self.requests_made = 0
        self.retries_made = 0
        self._counter_lock = threading.Lock()
        self._limiter = RateLimiter(max_requests_per_second)
        self._rng = random.Random()
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=self.auth,
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT_SECONDS, timeout)),
            limits=httpx.Limits(
                max_connections=max_concurrency, max_keepalive_connections=max_concurrency
            ),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            transport=transport,
            event_hooks={"request": [self._count_request]},
        )
        self._in_flight = threading.BoundedSemaphore(max_concurrency)
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._closed = False
        self._aborted = threading.Event()

    def __repr__(self) -> str:
        return f"CalvenClient({self.base_url!r}, {self.auth!r})"

    def _count_request(self, request: httpx.Request) -> None:
        # Called for every request httpx sends, token requests and auth retries included.
        self._limiter.acquire()
        with self._counter_lock:
            self.requests_made += 1

    def resolve_path(self, path: str) -> str:
        """The path actually requested: Basic auth uses the ``/basic`` twin of each endpoint."""
        path = "/" + path.strip("/")
        return path + "/basic" if self.auth_type == "basic" else path

    def get_records(
        self, path: str, params: Mapping[str, str] | None = None, *, context: str = ""
    ) -> list[dict[str, Any]]:
        """GET a warehouse endpoint and return its JSON array of records.

        Args:
            path: the token-auth path, e.g. ``/v1/analytics/presence``.
            params: query parameters (dates as ``YYYY-MM-DD``).
            context: what is being fetched, quoted in logs and errors.

        Raises:
            AuthError: 401/403 (after one token refresh for the token flows).
            ClientRequestError: another 4xx, e.g. a range over 30 days.
            ResponseFormatError: the body is not a JSON array of objects.
            RetriesExhausted: transient failures outlasted the retry policy.
        """
        payload = self._call("GET", path, params=params, body=None, context=context)
        return check_records(payload, "GET", self.resolve_path(path), context)

    def submit(
        self, path: str, params: Mapping[str, str] | None = None, *, context: str = ""
    ) -> Future[list[dict[str, Any]]]:
        """``get_records`` on the client's thread pool (``max_concurrency`` workers)."""
        return self._pool().submit(self.get_records, path, params, context=context)

    def get_tables(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        context: str = "",
        parse: Parse,
        keys: Sequence[str] = (),
    ) -> SpooledTables:
        """GET a warehouse endpoint and parse its JSON array into Arrow tables as it streams in.

        Like ``get_records`` (same errors, same retries: a body that breaks off is retried from
        the start), but the body is never whole in memory: ``parse`` turns each run of records
        into a table as it arrives (see ``sources.calven.arrow.spool``), and rows repeating ``keys``
        are dropped but the last. Close the result.
        """
        reader = self._pages(parse, keys)
        pages: SpooledTables = self._call(
            "GET", path, params=params, body=None, context=context, reader=reader
        )
        return pages

    def submit_tables(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        context: str = "",
        parse: Parse,
        keys: Sequence[str] = (),
    ) -> Future[SpooledTables]:
        """``get_tables`` on the client's thread pool (the same budget as ``submit``)."""
        return self._pool().submit(
            self.get_tables, path, params, context=context, parse=parse, keys=keys
        )

    def _pages(self, parse: Parse, keys: Sequence[str]) -> Reader[SpooledTables]:
        def read(response: httpx.Response, path: str, context: str) -> SpooledTables:
            try:
                return read_tables(response.iter_bytes(), parse, keys)
            except FramingError as exc:
                size = response.num_bytes_downloaded
                raise malformed_body(response, "GET", path, context, size, str(exc)) from None
            except NotAnArrayBody as exc:
                try:
                    payload = orjson.loads(exc.body)
                except orjson.JSONDecodeError:
                    size = len(exc.body)
                    raise malformed_body(response, "GET", path, context, size) from None
                raise not_an_array(payload, "GET", path, context) from None

        return read

    def post_json(self, path: str, body: Any, *, context: str = "") -> Any:
        """POST ``body`` as JSON and return the parsed response (None for a 204).

        Retried like reads: the submit endpoints store an ``eventId`` once, so a repeat is safe.
        """
        return self._call("POST", path, params=None, body=body, context=context)

    def submit_post(self, path: str, body: Any, *, context: str = "") -> Future[Any]:
        """``post_json`` on the client's thread pool (the same budget as ``submit``)."""
        return self._pool().submit(self.post_json, path, body, context=context)

    def close(self) -> None:
        """Wait for submitted requests, then close the pool; idempotent."""
        with self._executor_lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=not self._aborted.is_set(), cancel_futures=True)
        self._http.close()

    def _pause(self, seconds: float) -> None:
        """Wait before a retry; returns early when the client is aborted."""
        self._aborted.wait(seconds)

    def abort(self) -> None:
        """Stop at once: drop queued requests, cut open connections, end retry waits.

        Requests in flight fail with ``Cancelled`` instead of running out their timeouts and
        retries, so an interrupted run exits within moments.
        """
        self._aborted.set()
        self.close()

    def __enter__(self) -> CalvenClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _pool(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._closed:
                raise RuntimeError("CalvenClient is closed")
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=2 * self.max_concurrency, thread_name_prefix="calven"
                )
            return self._executor

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        body: Any,
        context: str,
        reader: Reader[Any] | None = None,
    ) -> Any:
        """Send with retries; returns the parsed JSON body, or what ``reader`` made of a 2xx."""
        full = self.resolve_path(path)
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
        request = self._http.build_request(
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
            auth_name=f"{self.auth_type} auth for key {self.auth.api_key_id}",
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
            if self._aborted.is_set():
                at = where(request.method, path, context)
                raise Cancelled(f"{at}: cancelled, the run was interrupted")
            response = self._http.send(request, stream=True)
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
