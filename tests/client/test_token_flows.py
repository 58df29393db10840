"""Token caching, refresh and thread safety of the token flows, over httpx.MockTransport.

The simulator covers the happy paths over real HTTP (test_against_simulator.py); here a scripted
transport and a fake clock make expiry and races deterministic.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import orjson
import pytest

from sources.calven.errors import AuthError, ResponseFormatError, TransientError
from sources.calven.http.auth import ClientSecretTokenAuth, HmacTokenAuth, hmac_signature

KEY, SECRET, BASE = "key-1", "s3cret-value", "https://api.calven.test"
TokenAuth = HmacTokenAuth | ClientSecretTokenAuth


class FakeApi:
    """Issues tokens ``tok-1``, ``tok-2``, ... and accepts only the current one."""

    def __init__(self, lifetime: float, clock: Callable[[], float]) -> None:
        self.lifetime = lifetime
        self.clock = clock
        self.issued: list[str] = []
        self.token_bodies: list[dict[str, object]] = []
        self.data_auth: list[str] = []
        self.revoked = False
        self.token_delay = 0.0
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path in ("/v1/auth", "/v1/auth/token"):
            time.sleep(self.token_delay)
            with self.lock:
                body = orjson.loads(request.content)
                self.token_bodies.append(body)
                token = f"tok-{len(self.issued) + 1}"
                self.issued.append(token)
                self.revoked = False
            if request.url.path == "/v1/auth":
                expiration = int(self.clock() + self.lifetime)
                return httpx.Response(
                    200,
                    json={
                        "authenticated": True,
                        "token": token,
                        "expiration": expiration,
                        "message": "ok",
                    },
                )
            return httpx.Response(
                200,
                json={"access_token": token, "expires_in": self.lifetime, "token_type": "Bearer"},
            )
        header = request.headers.get("authorization", "")
        with self.lock:
            self.data_auth.append(header)
            ok = not self.revoked and header == f"Bearer {self.issued[-1]}"
        if ok:
            return httpx.Response(200, json=[{"id": 1}])
        return httpx.Response(
            401,
            json={
                "statusCode": 401,
                "error": "Unauthorized",
                "message": "Invalid or expired token",
            },
        )


@pytest.fixture(params=[HmacTokenAuth, ClientSecretTokenAuth], ids=["hmac", "client_secret"])
def auth_cls(request: pytest.FixtureRequest) -> type[TokenAuth]:
    return request.param  # type: ignore[no-any-return]


def make(
    auth_cls: type[TokenAuth], lifetime: float = 3600.0
) -> tuple[httpx.Client, FakeApi, TokenAuth, list[float]]:
    now = [1_700_000_000.0]
    api = FakeApi(lifetime, lambda: now[0])
    auth = auth_cls(KEY, SECRET, BASE, clock=lambda: now[0])
    client = httpx.Client(base_url=BASE, auth=auth, transport=httpx.MockTransport(api))
    return client, api, auth, now


def test_token_request_bodies(auth_cls: type[TokenAuth]) -> None:
    client, api, _, now = make(auth_cls)
    assert client.get("/v1/analytics/users").status_code == 200
    if auth_cls is HmacTokenAuth:
        ts = int(now[0])
        assert api.token_bodies == [
            {"apiKey": KEY, "timestamp": ts, "hash": hmac_signature(KEY, SECRET, ts)}
        ]
    else:
        assert api.token_bodies == [{"client_id": KEY, "client_secret": SECRET}]


@pytest.mark.parametrize(
    ("lifetime", "advance", "fetches"),
    [(3600, 3539, 1), (3600, 3541, 2), (100, 89, 1), (100, 91, 2)],
    ids=["hour-before-margin", "hour-in-margin", "short-before-tenth", "short-in-tenth"],
)
def test_token_cached_then_refreshed_ahead_of_expiry(
    auth_cls: type[TokenAuth], lifetime: float, advance: float, fetches: int
) -> None:
    client, api, auth, now = make(auth_cls, lifetime)
    client.get("/x")
    client.get("/x")
    now[0] += advance
    assert client.get("/x").status_code == 200
    assert len(api.issued) == fetches == auth.tokens_fetched
    assert api.data_auth == ["Bearer tok-1"] * 2 + [f"Bearer tok-{fetches}"]


def test_401_refreshes_once_and_retries(auth_cls: type[TokenAuth]) -> None:
    client, api, _, _ = make(auth_cls)
    client.get("/x")
    api.revoked = True
    assert client.get("/x").status_code == 200
    assert api.issued == ["tok-1", "tok-2"]
    assert api.data_auth == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_second_401_is_returned_not_looped(auth_cls: type[TokenAuth]) -> None:
    client, api, _, _ = make(auth_cls)

    def always_401(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/v1/auth"):
            return api(request)
        api.data_auth.append(request.headers["authorization"])
        return httpx.Response(401, json={"message": "nope"})

    client._transport = httpx.MockTransport(always_401)
    assert client.get("/x").status_code == 401
    assert api.issued == ["tok-1", "tok-2"]
    assert api.data_auth == ["Bearer tok-1", "Bearer tok-2"]


def test_concurrent_requests_fetch_one_token(auth_cls: type[TokenAuth]) -> None:
    client, api, _, _ = make(auth_cls)
    api.token_delay = 0.05
    barrier = threading.Barrier(16)
    statuses: list[int] = []

    def work() -> None:
        barrier.wait()
        statuses.append(client.get("/x").status_code)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 16
    assert api.issued == ["tok-1"]


def test_concurrent_401s_refresh_once(auth_cls: type[TokenAuth]) -> None:
    client, api, _, _ = make(auth_cls)
    client.get("/x")
    api.revoked = True
    threads = [threading.Thread(target=client.get, args=("/x",)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Threads that saw tok-1 refused find tok-2 already fetched and reuse it.
    assert len(api.issued) <= 3
    assert api.data_auth[-1] == f"Bearer {api.issued[-1]}"


def _token_endpoint(
    status: int, body: object, headers: dict[str, str] | None = None
) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("status", [400, 401, 403], ids=["400", "401", "403"])
def test_token_endpoint_refusal_is_auth_error(auth_cls: type[TokenAuth], status: int) -> None:
    auth = auth_cls(KEY, SECRET, BASE)
    refusal = {"statusCode": status, "message": f"bad key {KEY} secret {SECRET}"}
    client = httpx.Client(base_url=BASE, auth=auth, transport=_token_endpoint(status, refusal))
    with pytest.raises(AuthError) as info:
        client.get("/x")
    phrase = httpx.codes.get_reason_phrase(status)
    assert str(info.value) == (
        f"POST {auth_cls.token_path}: the {auth_cls.auth_type} token request for key {KEY} "
        f"was refused with {status} {phrase}: bad key {KEY} secret ***"
    )
    assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    ("status", "body", "error", "text"),
    [
        (503, {"message": "down"}, TransientError, "failed with 503 Service Unavailable: down"),
        (200, b'{"token": "tok', TransientError, "200 OK with a body that is not valid JSON"),
        (200, [1], ResponseFormatError, "ValueError: not a JSON object"),
        (200, {"unexpected": 1}, ResponseFormatError, "KeyError"),
    ],
    ids=["503", "truncated", "array", "missing-field"],
)
def test_token_endpoint_other_failures(
    auth_cls: type[TokenAuth], status: int, body: object, error: type[Exception], text: str
) -> None:
    auth = auth_cls(KEY, SECRET, BASE)
    client = httpx.Client(base_url=BASE, auth=auth, transport=_token_endpoint(status, body))
    with pytest.raises(error) as info:
        client.get("/x")
    assert text in str(info.value)
    assert f"POST {auth_cls.token_path}" in str(info.value)


def test_hmac_authenticated_false_is_auth_error() -> None:
    auth = HmacTokenAuth(KEY, SECRET, BASE)
    body = {
        "authenticated": False,
        "message": "Authentication failed",
        "token": "",
        "expiration": 0,
    }
    client = httpx.Client(base_url=BASE, auth=auth, transport=_token_endpoint(200, body))
    with pytest.raises(AuthError, match="for key key-1 was refused: Authentication failed"):
        client.get("/x")


def test_lock_released_after_token_failure(auth_cls: type[TokenAuth]) -> None:
    auth = auth_cls(KEY, SECRET, BASE)
    client = httpx.Client(base_url=BASE, auth=auth, transport=_token_endpoint(503, {}))
    for _ in range(2):
        with pytest.raises(TransientError):
            client.get("/x")
    assert not auth._lock.locked()
