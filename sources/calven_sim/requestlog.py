"""What the simulator received: one entry per request, for tests to assert on.

Entries hold the method, path, query parameters, status, the kind of credentials and the key id
they named, and the fault injected. They never hold a secret, an ``Authorization`` value, an
HMAC hash or a token: only ids are recorded, and query parameters whose name suggests a
credential are masked in case a client misplaces one.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sources.calven_sim.auth import AuthKind
from sources.calven_sim.faults import FaultKind

MASK = "***"
_SENSITIVE_PARTS = ("secret", "token", "hash", "password", "authorization", "apikey", "api_key")
DEFAULT_MAX_ENTRIES = 100_000


def masked_params(params: Mapping[str, str]) -> dict[str, str]:
    """Query parameters with the values of credential-like names replaced by a mask."""
    return {
        name: MASK if any(p in name.lower() for p in _SENSITIVE_PARTS) else value
        for name, value in params.items()
    }


@dataclass
class RequestLogEntry:
    """One request as the simulator saw it; filled in while the request is handled."""

    time: float
    method: str
    path: str
    params: dict[str, str]
    auth_kind: AuthKind = "none"
    key_id: str | None = None
    status: int | None = None
    fault: FaultKind | None = None
    duration_ms: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return asdict(self)


class RequestLog:
    """A bounded, thread-safe list of requests, oldest first."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._entries: deque[RequestLogEntry] = deque(maxlen=max_entries)
        self._lock = threading.Lock()

    def append(self, entry: RequestLogEntry) -> None:
        """Records a request (its entry may still be completed in place)."""
        with self._lock:
            self._entries.append(entry)

    def entries(self, path_prefix: str | None = None) -> list[RequestLogEntry]:
        """A snapshot of the entries, optionally only those whose path starts with a prefix."""
        with self._lock:
            snapshot = list(self._entries)
        if path_prefix is None:
            return snapshot
        return [e for e in snapshot if e.path.startswith(path_prefix)]

    def clear(self) -> None:
        """Forgets every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


SCOPE_KEY = "calven_sim.request_log_entry"


def entry_in_scope(scope: Mapping[str, Any]) -> RequestLogEntry | None:
    """The log entry the middleware attached to an ASGI scope, if the request is logged."""
    entry = scope.get(SCOPE_KEY)
    return entry if isinstance(entry, RequestLogEntry) else None
