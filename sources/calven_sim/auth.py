"""Server side of Calven's three authentication flows: keys, roles and the token store.

Basic credentials go to the ``/basic`` endpoints, HMAC (``POST /v1/auth``) and client-secret
(``POST /v1/auth/token``) flows both mint opaque bearer tokens for every other endpoint. Keys carry
one role from calven-api.md 1.6. Verification always checks the credentials first (a wrong secret
is 401) and the permission second (a valid key used where it may not be is 403).

Nothing here puts a secret, a hash, a token or an ``Authorization`` value into an exception
message, a log line or a repr.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from sources.calven_sim.api.errors import ApiError

Role = Literal["events", "visitor", "warehouse", "all"]
Action = Literal["warehouse", "events", "visitor"]
AuthKind = Literal["basic", "bearer", "none"]

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    "events": frozenset({"events", "visitor"}),
    "visitor": frozenset({"visitor"}),
    "warehouse": frozenset({"warehouse"}),
    "all": frozenset({"warehouse", "events", "visitor"}),
}
DEFAULT_TOKEN_TTL_SECONDS = 3600.0
MAX_CLOCK_SKEW_SECONDS = 300
_BAD_CREDENTIALS = "unknown API key or wrong secret"


@dataclass(frozen=True)
class ApiKey:
    """One provisioned API key: its id, secret, whether Basic is enabled, and its role."""

    key_id: str
    secret: str = field(repr=False)
    basic_enabled: bool = False
    role: Role = "warehouse"

    def allows(self, action: Action) -> bool:
        """Whether this key's role may call endpoints of the given kind."""
        return action in ROLE_ACTIONS[self.role]


@dataclass(frozen=True)
class IssuedToken:
    """A bearer token minted by one of the token flows."""

    token: str = field(repr=False)
    key_id: str
    expires_at: float


def default_keys(seed: int) -> list[ApiKey]:
    """Deterministic demo and test keys, one per common use, derived from the tenant seed."""
    specs: list[tuple[str, Role, bool]] = [
        ("warehouse-basic", "warehouse", True),
        ("warehouse-hmac", "warehouse", False),
        ("events-hmac", "events", False),
        ("events-basic", "events", True),
        ("visitor-hmac", "visitor", False),
        ("all-hmac", "all", False),
    ]
    keys = []
    for name, role, basic in specs:
        digest = hashlib.sha256(f"calven-sim:{seed}:{name}".encode()).digest()
        key_id = str(uuid.UUID(bytes=digest[:16], version=4)).upper()
        secret = base64.urlsafe_b64encode(digest[16:]).decode().rstrip("=")
        keys.append(ApiKey(key_id=key_id, secret=secret, basic_enabled=basic, role=role))
    return keys


def hmac_hash(api_key: str, timestamp: int, secret: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``api_key + str(timestamp)`` keyed by the secret."""
    message = f"{api_key}{timestamp}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class Authenticator:
    """Verifies credentials against the configured keys and keeps the issued tokens.

    Thread-safe: the server's event loop verifies while a test thread may change the TTL or
    expire every token.
    """

    def __init__(
        self,
        keys: Iterable[ApiKey],
        token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = {key.key_id: key for key in keys}
        self.token_ttl_seconds = token_ttl_seconds
        self._clock = clock
        self._tokens: dict[str, IssuedToken] = {}
        self._lock = threading.Lock()

    @property
    def keys(self) -> list[ApiKey]:
        """The configured keys, in configuration order."""
        return list(self._keys.values())

    def _verified(self, key_id: str, secret: str) -> ApiKey:
        key = self._keys.get(key_id)
        if key is None or not hmac.compare_digest(key.secret.encode(), secret.encode()):
            raise ApiError(401, _BAD_CREDENTIALS)
        return key

    def _issue(self, key: ApiKey) -> IssuedToken:
        if key.basic_enabled:
            raise ApiError(403, "a Basic-enabled API key cannot request tokens")
        now = self._clock()
        issued = IssuedToken(secrets.token_urlsafe(32), key.key_id, now + self.token_ttl_seconds)
        with self._lock:
            if len(self._tokens) > 10_000:
                self._tokens = {t: i for t, i in self._tokens.items() if i.expires_at > now}
            self._tokens[issued.token] = issued
        return issued

    def hmac_token(self, api_key: str, timestamp: int, hash_: str) -> IssuedToken:
        """The ``POST /v1/auth`` flow: a replayed hash inside the skew window is accepted."""
        key = self._keys.get(api_key)
        if key is None:
            raise ApiError(401, _BAD_CREDENTIALS)
        expected = hmac_hash(api_key, timestamp, key.secret)
        if not hmac.compare_digest(expected.encode(), hash_.encode()):
            raise ApiError(401, "hash does not match the API key's secret")
        if abs(self._clock() - timestamp) > MAX_CLOCK_SKEW_SECONDS:
            raise ApiError(401, f"timestamp is more than {MAX_CLOCK_SKEW_SECONDS} s from now")
        return self._issue(key)

    def client_token(self, client_id: str, client_secret: str) -> IssuedToken:
        """The ``POST /v1/auth/token`` client-credentials flow."""
        return self._issue(self._verified(client_id, client_secret))

    def basic(self, credentials: str) -> ApiKey:
        """Verifies the part of a Basic header after ``Basic ``, base64 or raw ``id:secret``."""
        raw = credentials.strip()
        if ":" not in raw:
            try:
                raw = base64.b64decode(raw, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise ApiError(401, "malformed Basic credentials") from None
        key_id, sep, secret = raw.partition(":")
        if not sep:
            raise ApiError(401, "malformed Basic credentials")
        key = self._verified(key_id, secret)
        if not key.basic_enabled:
            raise ApiError(403, "this API key is not enabled for Basic authentication")
        return key

    def bearer(self, token: str) -> ApiKey:
        """The key behind a bearer token; unknown or expired tokens are 401."""
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None:
            raise ApiError(401, "unknown bearer token")
        if issued.expires_at <= self._clock():
            raise ApiError(401, "bearer token has expired")
        return self._keys[issued.key_id]

    def identify(self, authorization: str | None) -> tuple[AuthKind, str | None]:
        """Which kind of credentials a header carries and which known key it names, unverified.

        Used for the request log only, so faulted and refused requests are attributed too.
        """
        if not authorization:
            return "none", None
        scheme, _, value = authorization.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer":
            with self._lock:
                issued = self._tokens.get(value.strip())
            return "bearer", issued.key_id if issued else None
        if scheme == "basic":
            raw = value.strip()
            if ":" not in raw:
                try:
                    raw = base64.b64decode(raw, validate=True).decode()
                except (binascii.Error, UnicodeDecodeError):
                    return "basic", None
            key_id = raw.partition(":")[0]
            return "basic", key_id if key_id in self._keys else None
        return "none", None

    def issued_tokens(self) -> list[str]:
        """Every token issued and not yet forgotten, for tests that search outputs by value."""
        with self._lock:
            return list(self._tokens)

    def expire_tokens(self) -> None:
        """Forgets every issued token, so the next bearer request of each client gets 401."""
        with self._lock:
            self._tokens.clear()
