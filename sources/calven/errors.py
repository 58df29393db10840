"""Errors raised by the Calven client, grouped by what the caller should do.

::

    CalvenError                  root: everything the source raises
    ├── ConfigError              fix the settings (e.g. http:// to a non-loopback host); fatal
    ├── AuthError                401/403 or the token endpoint refused the key; fatal for the run
    ├── RecordError              a record does not match its dataset (missing key, wrong type);
    │                            fatal: loading it would corrupt the table
    ├── Cancelled                the run was interrupted (``CalvenClient.abort``); nothing retried
    └── RequestError             one request failed; other requests of the run may still succeed
        ├── ClientRequestError   another 4xx (e.g. a 31-day range): fatal, never retried
        ├── RetriesExhausted     transient failures until the retry budget ran out (``last_error``)
        ├── ResponseFormatError  the body is not the JSON expected (an object, HTML, ...)
        └── TransientError       worth retrying (429, 5xx, timeout, reset, truncated body); the
                                 client retries it and surfaces it only as ``last_error``

Messages name the method, the path (never the query string), the caller's context (dataset,
partition, window) and the status. They never contain a secret, a Basic header value, an HMAC
hash or a token: those stay inside ``sources.calven.http.auth``.
"""

from __future__ import annotations


class CalvenError(Exception):
    """Root of every error the Calven client raises."""


class ConfigError(CalvenError):
    """A setting is invalid; nothing was sent."""


class AuthError(CalvenError):
    """The API refused the credentials (401/403) or the token endpoint refused the key."""


class RecordError(CalvenError):
    """A record does not match the dataset's declared shape (missing key, wrong type)."""


class Cancelled(CalvenError):
    """The client was aborted (e.g. Ctrl-C) while this request waited or retried."""


class RequestError(CalvenError):
    """One request failed.

    Attributes:
        method: HTTP method, e.g. ``GET``.
        path: URL path as requested, without the query string.
        context: what the caller was fetching, e.g. ``bookings_attendance partition=… window=…``.
        status: the HTTP status of the last response, or None when none arrived.
    """

    def __init__(
        self, message: str, *, method: str, path: str, context: str = "", status: int | None = None
    ) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.context = context
        self.status = status


class ClientRequestError(RequestError):
    """The server rejected the request with a 4xx other than 401/403/429; retrying cannot help."""


class ResponseFormatError(RequestError):
    """The response body is not what the endpoint promises (a JSON array for warehouse reads)."""


class TransientError(RequestError):
    """A failure worth retrying: 429, 500/502/503/504, a timeout, a reset, a truncated body.

    Attributes:
        reason: short description for logs, e.g. ``503 Service Unavailable`` or ``ReadTimeout``.
        retry_after: seconds the server asked us to wait (``Retry-After``), if it said so.
        malformed_body: True when a 2xx arrived whose body was not valid JSON.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        context: str = "",
        status: int | None = None,
        reason: str,
        retry_after: float | None = None,
        malformed_body: bool = False,
    ) -> None:
        super().__init__(message, method=method, path=path, context=context, status=status)
        self.reason = reason
        self.retry_after = retry_after
        self.malformed_body = malformed_body


class RetriesExhausted(RequestError):
    """Transient failures continued until the retry budget (attempts or seconds) ran out.

    Attributes:
        last_error: the last transient failure; its ``__cause__`` is the httpx exception, if any.
        attempts: how many attempts were made.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        context: str = "",
        status: int | None = None,
        last_error: TransientError,
        attempts: int,
    ) -> None:
        super().__init__(message, method=method, path=path, context=context, status=status)
        self.last_error = last_error
        self.attempts = attempts
