"""The HTTP client of a run: one connection pool, bounded concurrency, retries, clear errors.

``CalvenClient.get_records`` sends one warehouse read and returns the parsed JSON array;
``get_tables`` parses the body into Arrow tables as it streams in; ``submit_*`` do the same on
the client's thread pool. Sending, the in-flight budget, retries and counters are ``Sender``'s
(``sources.calven.http.sending``). See ``sources.calven.errors`` for the tree.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any

import httpx
import orjson

from sources.calven.arrow.spool import (
    FramingError,
    NotAnArrayBody,
    Parse,
    SpooledTables,
    read_tables,
)
from sources.calven.errors import ConfigError
from sources.calven.http.addresses import check_base_url
from sources.calven.http.auth import AuthType, CalvenAuth, make_auth
from sources.calven.http.responses import (
    check_records,
    malformed_body,
    not_an_array,
)
from sources.calven.http.retry import RetryPolicy
from sources.calven.http.sending import Reader, Sender

__all__ = ["CalvenClient", "RetryPolicy"]

logger = logging.getLogger(__name__)


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
        self._sender = Sender(
            self.base_url,
            self.auth,
            max_concurrency=max_concurrency,
            max_requests_per_second=max_requests_per_second,
            timeout=timeout,
            retry=retry,
            transport=transport,
        )
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"CalvenClient({self.base_url!r}, {self.auth!r})"

    @property
    def requests_made(self) -> int:
        """Requests sent so far: token requests, auth retries and retries included."""
        return self._sender.requests_made

    @property
    def retries_made(self) -> int:
        """Retries of transient failures so far."""
        return self._sender.retries_made

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
        payload = self._sender.call(
            "GET", self.resolve_path(path), params=params, body=None, context=context
        )
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
        into a table as it arrives (see ``sources.calven.arrow.spool``); rows repeating ``keys``
        are dropped but the last. Close the result.
        """
        reader = self._tables_reader(parse, keys)
        tables: SpooledTables = self._sender.call(
            "GET", self.resolve_path(path), params=params, body=None, context=context, reader=reader
        )
        return tables

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

    def _tables_reader(self, parse: Parse, keys: Sequence[str]) -> Reader[SpooledTables]:
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
        return self._sender.call(
            "POST", self.resolve_path(path), params=None, body=body, context=context
        )

    def submit_post(self, path: str, body: Any, *, context: str = "") -> Future[Any]:
        """``post_json`` on the client's thread pool (the same budget as ``submit``)."""
        return self._pool().submit(self.post_json, path, body, context=context)

    def close(self) -> None:
        """Wait for submitted requests, then close the pool; idempotent."""
        with self._executor_lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=not self._sender.aborted.is_set(), cancel_futures=True)
        self._sender.close()

    def abort(self) -> None:
        """Stop at once: drop queued requests, cut open connections, end retry waits.

        Requests in flight fail with ``Cancelled`` instead of running out their timeouts and
        retries, so an interrupted run exits within moments.
        """
        self._sender.aborted.set()
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
