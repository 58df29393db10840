"""A deliberately broken Calven API for the bad-input tests: each path answers what a test says."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

LOCATION = {"locationId": "loc-1", "locationName": "HQ", "address": "x", "status": "active"}


@dataclass
class Answer:
    body: bytes
    media_type: str = "application/json"
    status: int = 200


@dataclass
class FakeApi:
    """Answers per path suffix (after /v1/analytics/); anything else gets ``[]``."""

    answers: dict[str, Answer] = field(default_factory=dict)
    base_url: str = ""

    def set(self, name: str, payload: object, media_type: str = "application/json") -> None:
        body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
        self.answers[name] = Answer(body, media_type)

    async def analytics(self, request: Request) -> Response:
        name = request.path_params["name"].removesuffix("/basic").strip("/")
        answer = self.answers.get(name, Answer(b"[]"))
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type)

    async def token(self, request: Request) -> Response:
        body = {
            "authenticated": True,
            "message": "ok",
            "token": "fake-token",
            "expiration": int(time.time()) + 3600,
        }
        return Response(orjson.dumps(body), media_type="application/json")


@contextmanager
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi()
    api.set("locations", [LOCATION])
    app = Starlette(
        routes=[
            Route("/v1/auth", api.token, methods=["POST"]),
            Route("/v1/analytics/{name:path}", api.analytics, methods=["GET"]),
        ]
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    api.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        yield api
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
