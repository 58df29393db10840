"""Small helpers of the simulator HTTP tests: credentials and token requests."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx

from sources.calven_sim.auth import ApiKey, hmac_hash
from sources.calven_sim.server import RunningSimulator


def basic(key: ApiKey) -> dict[str, str]:
    """A base64 Basic header for a key."""
    token = base64.b64encode(f"{key.key_id}:{key.secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def hmac_body(key: ApiKey, timestamp: int | None = None) -> dict[str, Any]:
    """A ``POST /v1/auth`` body signed with the key's secret."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {"apiKey": key.key_id, "timestamp": ts, "hash": hmac_hash(key.key_id, ts, key.secret)}


def bearer(running: RunningSimulator, key: ApiKey) -> dict[str, str]:
    """A Bearer header with a fresh token from the HMAC flow."""
    response = httpx.post(f"{running.base_url}/v1/auth", json=hmac_body(key))
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def assert_error(response: httpx.Response, status: int, *fragments: str) -> None:
    """The response is the documented error shape with this status and message fragments."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"statusCode", "error", "message"}, body
    assert body["statusCode"] == status
    for fragment in fragments:
        assert fragment in body["message"], body
