"""Outermost ASGI layer: logs every API request and applies latency and faults to ``/v1/`` ones.

Faults are produced here, around the FastAPI app, so they look to a client like a proxy or a
flaky backend: a status fault answers before the app runs (quoting the request's credentials
when the faults echo them); a timeout sleeps first (returning early if the client gives up); a
reset lets the app start its response and then drops the connection; a truncation sends a cut
body with a Content-Length that matches the cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sources.calven_sim.api.errors import DropConnection, error_response
from sources.calven_sim.control import Simulator
from sources.calven_sim.faults import FAULTED_PREFIX, Fault, echoed_credentials
from sources.calven_sim.requestlog import SCOPE_KEY, RequestLogEntry, masked_params

logger = logging.getLogger(__name__)
UNLOGGED_PREFIXES = ("/_sim", "/openapi.json", "/docs", "/redoc")
TRUNCATE_WINDOW = 64 * 1024


class SimulatorMiddleware:
    """Wraps the app with the request log, latency and fault injection."""

    def __init__(self, app: ASGIApp, sim: Simulator) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNLOGGED_PREFIXES):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        params = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        kind, key_id = self.sim.auth.identify(Headers(scope=scope).get("authorization"))
        entry = RequestLogEntry(
            time=time.time(),
            method=scope["method"],
            path=path,
            params=masked_params(params),
            auth_kind=kind,
            key_id=key_id,
        )
        scope[SCOPE_KEY] = entry
        self.sim.request_log.append(entry)
        started = time.perf_counter()

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        try:
            if path.startswith(FAULTED_PREFIX):
                await self._faulted(scope, receive, recording_send, entry, params)
            else:
                await self.app(scope, receive, recording_send)
        finally:
            entry.duration_ms = round((time.perf_counter() - started) * 1000, 3)

    async def _faulted(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        entry: RequestLogEntry,
        params: dict[str, str],
    ) -> None:
        injector = self.sim.faults
        delay = injector.delay_seconds()
        if delay > 0:
            await asyncio.sleep(delay)
        fault = injector.decide(entry.path, params)
        if fault is None:
            await self.app(scope, receive, send)
            return
        entry.fault = fault.kind
        logger.debug("fault %s injected into %s %s", fault.kind, entry.method, entry.path)
        if fault.status is not None:
            headers = (
                {"Retry-After": str(fault.retry_after_seconds)} if fault.status == 429 else None
            )
            message = f"injected fault {fault.kind}"
            if fault.echo_credentials:
                authorization = Headers(scope=scope).get("authorization")
                message += echoed_credentials(authorization, await _read_body(receive))
            response = error_response(fault.status, message, headers)
            await response(scope, receive, send)
        elif fault.kind == "timeout":
            replay = await _sleep_unless_gone(receive, fault.timeout_seconds)
            if replay is not None:
                await self.app(scope, replay, send)
        elif fault.kind == "reset":
            await self._reset(scope, receive, send, fault)
        else:
            await self._truncated(scope, receive, send, fault)

    async def _reset(self, scope: Scope, receive: Receive, send: Send, fault: Fault) -> None:
        async def dropping_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                await send(message)
                return
            chunk: bytes = message.get("body", b"")
            part = chunk[: int(len(chunk) * fault.cut_fraction)]
            await send({"type": "http.response.body", "body": part, "more_body": True})
            raise DropConnection

        try:
            await self.app(scope, receive, dropping_send)
        except BaseException as exc:
            if _holds_drop(exc):
                # A fresh exception, outside any exception group, so the server's log filter
                # recognises it; uvicorn then closes the transport of a started response.
                raise DropConnection from None
            raise

    async def _truncated(self, scope: Scope, receive: Receive, send: Send, fault: Fault) -> None:
        start: Message | None = None
        body = bytearray()

        async def capturing_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif len(body) < TRUNCATE_WINDOW:
                body.extend(message.get("body", b""))

        await self.app(scope, receive, capturing_send)
        assert start is not None, "the app always starts a response"
        window = bytes(body[:TRUNCATE_WINDOW])
        cut = window[: max(0, min(len(window) - 1, int(len(window) * fault.cut_fraction)))]
        headers = [
            (name, value)
            for name, value in start.get("headers", [])
            if name.lower() not in (b"content-length", b"transfer-encoding")
        ]
        headers.append((b"content-length", str(len(cut)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": cut})


async def _read_body(receive: Receive) -> bytes:
    """The whole request body (the app will not run, so nothing else reads it)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _holds_drop(exc: BaseException) -> bool:
    if isinstance(exc, DropConnection):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return any(_holds_drop(inner) for inner in exc.exceptions)
    return False


async def _sleep_unless_gone(receive: Receive, seconds: float) -> Receive | None:
    """Sleeps, buffering the request body; None if the client disconnected meanwhile.

    Returns a ``receive`` that replays the buffered messages, so the app still sees the body.
    """
    buffered: list[Message] = []
    sleeper = asyncio.ensure_future(asyncio.sleep(seconds))
    try:
        while True:
            receiver = asyncio.ensure_future(receive())
            await asyncio.wait({sleeper, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if not receiver.done():
                receiver.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await receiver
                break
            message = receiver.result()
            if message["type"] == "http.disconnect":
                return None
            buffered.append(message)
    finally:
        sleeper.cancel()

    async def replay() -> Message:
        return buffered.pop(0) if buffered else await receive()

    return replay
