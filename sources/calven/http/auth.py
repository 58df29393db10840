"""The three ways to authenticate with Calven, as ``httpx.Auth`` flows.

- ``BasicAuth``: ``Authorization: Basic base64(apiKeyId:apiSecret)`` on the ``/basic`` endpoints.
- ``HmacTokenAuth``: ``POST /v1/auth`` with ``{apiKey, timestamp, hash}``, then a Bearer token.
- ``ClientSecretTokenAuth``: ``POST /v1/auth/token`` with ``{client_id, client_secret}``.

The token flows cache the token, fetch a new one shortly before it expires (60 s or a tenth of
its lifetime, whichever is shorter) and once after a 401, then retry the request once. One auth
object is shared by every thread of a run, so a lock makes concurrent requests wait for a single
token fetch. Secrets, header values, hashes and tokens never leave this module as text: reprs
show the key id only, and ``redact`` scrubs them from anything quoted back in an error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import httpx
import orjson

from sources.calven.errors import AuthError, ConfigError, ResponseFormatError
from sources.calven.http.responses import (
    malformed_body,
    server_message,
    status_text,
    transient_from_response,
)
from sources.calven.http.retry import RETRYABLE_STATUSES

logger = logging.getLogger(__name__)

AuthType = Literal["basic", "hmac", "client_secret"]

REFRESH_MARGIN_SECONDS = 60.0
"""A token is replaced this long before it expires (or a tenth of its lifetime, if shorter)."""
_REMEMBERED_TOKENS = 4


def hmac_signature(api_key_id: str, secret: str, timestamp: int) -> str:
    """HMAC-SHA256 of ``api_key_id + str(timestamp)`` keyed by ``secret``, as lower-case hex."""
    message = f"{api_key_id}{int(timestamp)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def basic_credentials(api_key_id: str, secret: str) -> str:
    """The value after ``Basic `` in the Authorization header."""
    return base64.b64encode(f"{api_key_id}:{secret}".encode()).decode("ascii")


def refresh_at(fetched_at: float, expires_at: float) -> float:
    """When a token fetched at ``fetched_at`` and expiring at ``expires_at`` should be replaced."""
    lifetime = max(expires_at - fetched_at, 0.0)
    return expires_at - min(REFRESH_MARGIN_SECONDS, lifetime / 10)


class Secret:
    """A string that shows as ``***`` in reprs, so objects holding it are safe to print."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "Secret('***')"


class _Redactor:
    """Remembers the sensitive strings of one key and removes them from text."""

    def __init__(self, *values: str) -> None:
        self._fixed = [Secret(v) for v in values if v]
        self._recent: list[Secret] = []
        self._lock = threading.Lock()

    def remember(self, value: str) -> None:
        if not value:
            return
        with self._lock:
            self._recent = [*self._recent, Secret(value)][-_REMEMBERED_TOKENS:]

    def __call__(self, text: str) -> str:
        with self._lock:
            values = [s.value for s in (*self._fixed, *self._recent)]
        for value in sorted(values, key=len, reverse=True):
            text = text.replace(value, "***")
        return text

    def __repr__(self) -> str:
        return "_Redactor(***)"


class BasicAuth(httpx.Auth):
    """HTTP Basic with the API key id and secret (only valid on the ``/basic`` endpoints)."""

    auth_type: ClassVar[AuthType] = "basic"

    def __init__(self, api_key_id: str, api_secret: str) -> None:
        self.api_key_id = api_key_id
        credentials = basic_credentials(api_key_id, api_secret)
        self._header = Secret(f"Basic {credentials}")
        self.redact = _Redactor(api_secret, credentials)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header.value
        yield request

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_key_id={self.api_key_id!r})"


@dataclass(frozen=True)
class _Token:
    secret: Secret
    expires_at: float
    refresh_at: float

    @property
    def value(self) -> str:
        return self.secret.value


class _TokenAuth(httpx.Auth):
    """A Bearer token from a token endpoint, cached and refreshed; see the module docstring."""

    auth_type: ClassVar[AuthType]
    token_path: ClassVar[str]
    requires_request_body = True

    def __init__(
        self,
        api_key_id: str,
        api_secret: str,
        base_url: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api_key_id = api_key_id
        self._secret = Secret(api_secret)
        self._token_url = base_url.rstrip("/") + self.token_path
        self._clock = clock
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self.tokens_fetched = 0
        self.redact = _Redactor(api_secret)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_key_id={self.api_key_id!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = yield from self._usable_token(stale=None)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            logger.debug(
                "401 from %s %s: fetching a new %s token",
                request.method,
                request.url.path,
                self.auth_type,
            )
            token = yield from self._usable_token(stale=token)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request

    def _usable_token(self, stale: str | None) -> Generator[httpx.Request, httpx.Response, str]:
        """The cached token unless it is due or is ``stale``; otherwise a newly fetched one.

        The lock is held across the token request so that concurrent callers wait for one fetch;
        httpx closes the flow in a ``finally``, so an exception never leaves the lock held.
        """
        with self._lock:
            current = self._token
            if (
                current is not None
                and current.value != stale
                and self._clock() < current.refresh_at
            ):
                return current.value
            fetched_at = self._clock()
            response = yield self._token_request(int(fetched_at))
            response.read()
            value, expires_at = self._accept(response, fetched_at)
            self.redact.remember(value)
            # A token that is already due (clock skew, tiny lifetime) is still used once: the
            # server is the judge, and a 401 will bring the next one.
            self._token = _Token(Secret(value), expires_at, refresh_at(fetched_at, expires_at))
            self.tokens_fetched += 1
            logger.debug(
                "fetched a %s token for key %s, valid for %.0f s",
                self.auth_type,
                self.api_key_id,
                expires_at - fetched_at,
            )
            return value

    def _token_request(self, timestamp: int) -> httpx.Request:
        raise NotImplementedError

    def _parse(self, payload: dict[str, Any], fetched_at: float) -> tuple[str, float]:
        """(token, expiry in unix seconds) from a 2xx JSON object; KeyError/ValueError if bad."""
        raise NotImplementedError

    def _accept(self, response: httpx.Response, fetched_at: float) -> tuple[str, float]:
        method, path = "POST", self.token_path
        status = response.status_code
        if status in RETRYABLE_STATUSES:
            raise transient_from_response(
                response, method, path, f"{self.auth_type} token", self.redact
            )
        if status in (404, 405):
            url = response.request.url.copy_with(query=None, userinfo=b"")
            raise ConfigError(
                f"{method} {url} answered {status_text(response)}: there is no Calven token "
                "endpoint at that address, so base_url is likely wrong (expected the API root, "
                "e.g. https://api.calven.com, without a path)"
            )
        if status >= 400 or status < 200:
            # 400 included: on a token endpoint it means the key or the signature was refused.
            raise AuthError(
                f"{method} {path}: the {self.auth_type} token request for key "
                f"{self.api_key_id} was refused with {status_text(response)}: "
                f"{self.redact(server_message(response))}"
            )
        try:
            payload = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise malformed_body(response, method, path, f"{self.auth_type} token") from None
        try:
            if not isinstance(payload, dict):
                raise ValueError("not a JSON object")
            token, expires_at = self._parse(payload, fetched_at)
            if not token:
                raise ValueError("empty token")
        except (KeyError, ValueError, TypeError) as exc:
            raise ResponseFormatError(
                f"{method} {path}: unexpected {self.auth_type} token response "
                f"({type(exc).__name__}: {self.redact(str(exc))})",
                method=method,
                path=path,
                status=status,
            ) from None
        return token, expires_at


class HmacTokenAuth(_TokenAuth):
    """Token from ``POST /v1/auth`` signed with HMAC-SHA256 of key id + unix timestamp."""

    auth_type: ClassVar[AuthType] = "hmac"
    token_path: ClassVar[str] = "/v1/auth"

    def _token_request(self, timestamp: int) -> httpx.Request:
        signature = hmac_signature(self.api_key_id, self._secret.value, timestamp)
        self.redact.remember(signature)
        body = {"apiKey": self.api_key_id, "timestamp": timestamp, "hash": signature}
        return httpx.Request("POST", self._token_url, json=body)

    def _parse(self, payload: dict[str, Any], fetched_at: float) -> tuple[str, float]:
        if payload.get("authenticated") is False:
            raise AuthError(
                f"POST {self.token_path}: the hmac token request for key {self.api_key_id} "
                f"was refused: {self.redact(str(payload.get('message', 'authenticated=false')))}"
            )
        return str(payload["token"]), float(payload["expiration"])


class ClientSecretTokenAuth(_TokenAuth):
    """Token from ``POST /v1/auth/token`` with the key id and secret (client credentials)."""

    auth_type: ClassVar[AuthType] = "client_secret"
    token_path: ClassVar[str] = "/v1/auth/token"

    def _token_request(self, timestamp: int) -> httpx.Request:
        body = {"client_id": self.api_key_id, "client_secret": self._secret.value}
        return httpx.Request("POST", self._token_url, json=body)

    def _parse(self, payload: dict[str, Any], fetched_at: float) -> tuple[str, float]:
        return str(payload["access_token"]), fetched_at + float(payload["expires_in"])


CalvenAuth = BasicAuth | HmacTokenAuth | ClientSecretTokenAuth


def make_auth(auth_type: AuthType, api_key_id: str, api_secret: str, base_url: str) -> CalvenAuth:
    """The auth flow for ``auth_type``; ConfigError for an unknown type or empty credentials."""
    if not api_key_id or not api_secret:
        raise ConfigError(f"{auth_type} auth needs both an API key id and an API secret")
    if auth_type == "basic":
        return BasicAuth(api_key_id, api_secret)
    if auth_type == "hmac":
        return HmacTokenAuth(api_key_id, api_secret, base_url)
    if auth_type == "client_secret":
        return ClientSecretTokenAuth(api_key_id, api_secret, base_url)
    raise ConfigError(f"auth_type '{auth_type}' is not one of basic, hmac, client_secret")
