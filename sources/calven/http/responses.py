"""What a response means: parsed JSON, or the error from ``sources.calven.errors`` it amounts to.

Pure functions over ``httpx`` responses and exceptions, shared by the client and the token flows.
Every message starts with ``METHOD /path [context]`` and quotes at most the server's ``message``,
passed through the caller's redaction, never a body or a header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import orjson

from sources.calven.errors import (
    AuthError,
    ClientRequestError,
    RequestError,
    ResponseFormatError,
    RetriesExhausted,
    TransientError,
)
from sources.calven.http.retry import RETRYABLE_STATUSES, parse_retry_after

MESSAGE_LIMIT = 300
"""Longest server message quoted in an error; an HTML error page must not flood the logs."""

Redact = Callable[[str], str]


def server_message(response: httpx.Response) -> str:
    """The ``message`` of a JSON error body, else a short note of what arrived instead."""
    try:
        payload: Any = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        payload = None
    if isinstance(payload, dict):
        message = payload.get("message")
        if isinstance(message, list):
            message = "; ".join(str(part) for part in message)
        if message is not None:
            return str(message)[:MESSAGE_LIMIT]
    kind = response.headers.get("content-type", "no content type")
    return f"non-JSON error body ({kind}, {len(response.content)} bytes)"


def status_text(response: httpx.Response) -> str:
    return f"{response.status_code} {response.reason_phrase}".strip()


def where(method: str, path: str, context: str) -> str:
    """``GET /v1/x [context]`` — how every error message starts."""
    return f"{method} {path}" + (f" [{context}]" if context else "")


def transient_from_response(
    response: httpx.Response, method: str, path: str, context: str, redact: Redact
) -> TransientError:
    """A TransientError for a 429 or 5xx, carrying the server's ``Retry-After``; ``redact``
    removes credentials from the server's message (it may quote what the request carried)."""
    reason = status_text(response)
    return TransientError(
        f"{where(method, path, context)} failed with {reason}: {redact(server_message(response))}",
        method=method,
        path=path,
        context=context,
        status=response.status_code,
        reason=reason,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )


def transient_from_transport(
    exc: httpx.TransportError, method: str, path: str, context: str, url: httpx.URL
) -> TransientError:
    """A TransientError for a timeout, refused connection, reset or protocol error.

    One that happened while connecting names the server (``url``'s host and port, never its
    user info), since a wrong base URL, DNS or a firewall is then the likely cause.
    """
    reason = type(exc).__name__
    detail = str(exc)
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        port = url.port or {"https": 443, "http": 80}.get(url.scheme)
        reason = f"could not connect to {url.host}:{port}: {reason}"
    return TransientError(
        f"{where(method, path, context)} failed: {reason}" + (f": {detail}" if detail else ""),
        method=method,
        path=path,
        context=context,
        reason=reason,
    )


def malformed_body(
    response: httpx.Response,
    method: str,
    path: str,
    context: str,
    size: int | None = None,
    detail: str = "",
) -> TransientError:
    """A TransientError for a 2xx whose body is not valid JSON (truncated, or an HTML page).

    Args:
        size: bytes received, for a streamed response (whose ``content`` is not kept).
        detail: what is wrong with it, when known.
    """
    kind = response.headers.get("content-type", "no content type")
    reason = f"{status_text(response)} with a body that is not valid JSON"
    received = len(response.content) if size is None else size
    return TransientError(
        f"{where(method, path, context)}: {reason} ({kind}, {received} bytes)"
        + (f": {detail}" if detail else ""),
        method=method,
        path=path,
        context=context,
        status=response.status_code,
        reason=reason,
        malformed_body=True,
    )


def parse_response(
    response: httpx.Response,
    method: str,
    path: str,
    context: str,
    *,
    auth_name: str,
    redact: Redact,
) -> Any:
    """The parsed JSON body of a 2xx (None for a 204); otherwise raises what the status means.

    Args:
        auth_name: e.g. ``hmac auth for key K``, quoted in an AuthError.
        redact: removes credentials from the server's message before it is quoted.
    """
    status = response.status_code
    if status in RETRYABLE_STATUSES:
        raise transient_from_response(response, method, path, context, redact)
    if status in (401, 403):
        raise AuthError(
            f"{where(method, path, context)} was refused with {status_text(response)} using "
            f"{auth_name}: {redact(server_message(response))}"
        )
    if not 200 <= status < 300:
        error = ClientRequestError if 400 <= status < 500 else RequestError
        hint = ""
        if status == 404:
            url = response.request.url.copy_with(query=None, userinfo=b"")
            hint = f" ({url} does not exist: is base_url the API root, without a path?)"
        raise error(
            f"{where(method, path, context)} failed with {status_text(response)}{hint}: "
            f"{redact(server_message(response))}",
            method=method,
            path=path,
            context=context,
            status=status,
        )
    if status == 204:
        return None
    # An empty 200 is not valid JSON either: a cut connection looks exactly like it.
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise malformed_body(response, method, path, context) from None


def not_an_array(payload: Any, method: str, path: str, context: str) -> ResponseFormatError:
    """The error for a JSON body that is not an array (an object, a number, null)."""
    kind = f"a JSON {type(payload).__name__}" if payload is not None else "null or nothing"
    return ResponseFormatError(
        f"{where(method, path, context)}: expected a JSON array, got {kind}",
        method=method,
        path=path,
        context=context,
        status=200,
    )


def check_records(payload: Any, method: str, path: str, context: str) -> list[dict[str, Any]]:
    """``payload`` if it is a JSON array of objects; ResponseFormatError otherwise."""
    if not isinstance(payload, list):
        raise not_an_array(payload, method, path, context)
    for position, row in enumerate(payload):
        if not isinstance(row, dict):
            raise ResponseFormatError(
                f"{where(method, path, context)}: element {position} of the array is a "
                f"{type(row).__name__}, not an object",
                method=method,
                path=path,
                context=context,
                status=200,
            )
    return payload


def give_up(
    last: TransientError, method: str, path: str, context: str, attempts: int, elapsed: float
) -> RequestError:
    """The error for a request whose retries ran out; ``last`` may come from the token endpoint.

    A body that stayed unparseable is a ResponseFormatError; anything else RetriesExhausted.
    Either names the request the caller made.
    """
    detail = str(last).removeprefix(where(method, path, context)).lstrip(": ")
    tried = f"after {attempts} attempt(s) in {elapsed:.1f} s"
    if last.malformed_body and last.path == path:
        return ResponseFormatError(
            f"{where(method, path, context)}: {detail} {tried}",
            method=method,
            path=path,
            context=context,
            status=last.status,
        )
    return RetriesExhausted(
        f"{where(method, path, context)}: gave up {tried}: {detail}",
        method=method,
        path=path,
        context=context,
        status=last.status,
        last_error=last,
        attempts=attempts,
    )
