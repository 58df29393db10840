"""The simulator's three auth flows, key roles and tokens, over real loopback HTTP."""

from __future__ import annotations

import time

import httpx
import pytest

from sources.calven_sim.server import RunningSimulator
from tests.sim.httpkit import assert_error, basic, bearer, hmac_body

USERS = "/v1/analytics/users"
PRESENCE_BODY = {"sourceId": "door", "presenceEvents": []}


@pytest.fixture
def client(shared_simulator: RunningSimulator) -> httpx.Client:
    with httpx.Client(base_url=shared_simulator.base_url, timeout=10) as client:
        yield client


@pytest.mark.parametrize("raw", [False, True], ids=["base64", "raw-id-colon-secret"])
def test_basic_key_reads_basic_endpoint(shared_simulator, client, raw):
    key = shared_simulator.key(role="warehouse", basic=True)
    header = {"Authorization": f"Basic {key.key_id}:{key.secret}"} if raw else basic(key)
    response = client.get(f"{USERS}/basic", headers=header)
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list) and response.json()


def test_hmac_token_flow(shared_simulator, client):
    key = shared_simulator.key(role="warehouse")
    before = time.time()
    response = client.post("/v1/auth", json=hmac_body(key))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["authenticated"] is True and body["message"] == "Authentication successful"
    assert before + 3600 - 2 <= body["expiration"] <= time.time() + 3600
    users = client.get(USERS, headers={"Authorization": f"Bearer {body['token']}"})
    assert users.status_code == 200 and users.json()


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_client_secret_token_flow(shared_simulator, client, form):
    key = shared_simulator.key(role="warehouse")
    fields = {"client_id": key.key_id, "client_secret": key.secret}
    if form:
        response = client.post(
            "/v1/auth/token/", data={**fields, "grant_type": "client_credentials"}
        )
    else:
        response = client.post("/v1/auth/token", json=fields)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    users = client.get(f"{USERS}/", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert users.status_code == 200


@pytest.mark.parametrize("offset", [-299, 299], ids=["past", "future"])
def test_hmac_accepts_skew_inside_300_seconds_and_replays(shared_simulator, client, offset):
    body = hmac_body(shared_simulator.key(role="warehouse"), int(time.time()) + offset)
    assert client.post("/v1/auth/", json=body).status_code == 200
    assert client.post("/v1/auth", json=body).status_code == 200


@pytest.mark.parametrize("offset", [-301, 301], ids=["stale", "ahead"])
def test_hmac_refuses_skew_beyond_300_seconds(shared_simulator, client, offset):
    body = hmac_body(shared_simulator.key(role="warehouse"), int(time.time()) + offset)
    assert_error(client.post("/v1/auth", json=body), 401, "300")


def _wrong_hash(body):
    return {**body, "hash": "0" * 64}


def _unknown_key(body):
    return {**body, "apiKey": "00000000-0000-0000-0000-000000000000"}


@pytest.mark.parametrize("mutate", [_wrong_hash, _unknown_key], ids=["wrong-hash", "unknown-key"])
def test_hmac_bad_credentials_are_401(shared_simulator, client, mutate):
    body = mutate(hmac_body(shared_simulator.key(role="warehouse")))
    assert_error(client.post("/v1/auth", json=body), 401)


@pytest.mark.parametrize(
    "body",
    [
        {"apiKey": "k", "timestamp": 1},
        {"apiKey": "k", "timestamp": "1711062317", "hash": "ab"},
        {"apiKey": "k", "timestamp": 1.5, "hash": "ab"},
        [],
    ],
    ids=["missing-hash", "timestamp-string", "timestamp-fraction", "not-an-object"],
)
def test_hmac_malformed_body_is_400(client, body):
    assert_error(client.post("/v1/auth", json=body), 400)


def test_client_secret_errors(shared_simulator, client):
    key = shared_simulator.key(role="warehouse")
    wrong = {"client_id": key.key_id, "client_secret": "nope"}
    assert_error(client.post("/v1/auth/token", json=wrong), 401)
    assert_error(client.post("/v1/auth/token", json={"client_id": key.key_id}), 400)
    assert_error(
        client.post("/v1/auth/token", content=b"{", headers={"Content-Type": "application/json"}),
        400,
    )
    form = {"client_id": key.key_id, "client_secret": key.secret, "grant_type": "password"}
    assert_error(client.post("/v1/auth/token", data=form), 400, "grant_type")


def test_basic_enabled_key_cannot_get_tokens(shared_simulator, client):
    key = shared_simulator.key(role="warehouse", basic=True)
    assert_error(client.post("/v1/auth", json=hmac_body(key)), 403)
    secret_body = {"client_id": key.key_id, "client_secret": key.secret}
    assert_error(client.post("/v1/auth/token", json=secret_body), 403)


def test_hmac_only_key_sending_basic_is_403(shared_simulator, client):
    key = shared_simulator.key(role="warehouse", basic=False)
    assert_error(client.get(f"{USERS}/basic", headers=basic(key)), 403, "Basic")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic bm9wZTpub3Bl"},
        {"Authorization": "Basic %%%"},
        {"Authorization": "Bearer abc"},
        {"Authorization": "Token abc"},
    ],
    ids=["missing", "unknown-key", "garbage", "bearer-on-basic", "other-scheme"],
)
def test_basic_endpoint_without_valid_basic_is_401(client, headers):
    assert_error(client.get(f"{USERS}/basic", headers=headers), 401)


def test_basic_wrong_secret_is_401(shared_simulator, client):
    key = shared_simulator.key(role="warehouse", basic=True)
    header = {"Authorization": f"Basic {key.key_id}:not-the-secret"}
    assert_error(client.get(f"{USERS}/basic", headers=header), 401)


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer not-a-token"}], ids=["missing", "unknown-token"]
)
def test_token_endpoint_without_valid_token_is_401(client, headers):
    assert_error(client.get(USERS, headers=headers), 401)


def test_basic_credentials_on_token_endpoint_are_401(shared_simulator, client):
    key = shared_simulator.key(role="warehouse", basic=True)
    assert_error(client.get(USERS, headers=basic(key)), 401, "Bearer")


@pytest.mark.parametrize(
    ("role", "basic_auth", "method", "path", "status"),
    [
        ("warehouse", False, "GET", USERS, 200),
        ("warehouse", False, "POST", "/v1/presence", 403),
        ("warehouse", True, "POST", "/v1/presence/basic", 403),
        ("events", False, "GET", USERS, 403),
        ("events", False, "POST", "/v1/presence", 200),
        ("events", True, "POST", "/v1/presence/basic", 200),
        ("events", True, "GET", f"{USERS}/basic", 403),
        ("visitor", False, "GET", USERS, 403),
        ("visitor", False, "POST", "/v1/presence", 403),
        ("all", False, "GET", USERS, 200),
        ("all", False, "POST", "/v1/presence", 200),
    ],
    ids=lambda v: str(v).strip("/").replace("/", "."),
)
def test_roles(shared_simulator, client, role, basic_auth, method, path, status):
    key = shared_simulator.key(role=role, basic=basic_auth)
    headers = basic(key) if basic_auth else bearer(shared_simulator, key)
    body = PRESENCE_BODY if method == "POST" else None
    response = client.request(method, path, headers=headers, json=body)
    assert response.status_code == status, response.text
    if status == 403:
        assert_error(response, 403, role)


def test_expired_and_revoked_tokens_are_401(simulator):
    simulator.sim.token_ttl_seconds = 1.5
    key = simulator.key(role="warehouse")
    with httpx.Client(base_url=simulator.base_url, headers=bearer(simulator, key)) as client:
        assert client.get(USERS).status_code == 200
        time.sleep(2.0)
        assert_error(client.get(USERS), 401, "expired")
    with httpx.Client(base_url=simulator.base_url, headers=bearer(simulator, key)) as client:
        assert client.get(USERS).status_code == 200
        simulator.sim.expire_tokens()
        assert_error(client.get(USERS), 401)


def test_token_ttl_is_reported_in_both_flows(simulator):
    simulator.sim.token_ttl_seconds = 120
    key = simulator.key(role="all")
    with httpx.Client(base_url=simulator.base_url) as client:
        secret_body = {"client_id": key.key_id, "client_secret": key.secret}
        assert client.post("/v1/auth/token", json=secret_body).json()["expires_in"] == 120
        expiration = client.post("/v1/auth", json=hmac_body(key)).json()["expiration"]
        assert abs(expiration - (time.time() + 120)) <= 2


def test_default_keys_are_deterministic_and_cover_every_use(shared_simulator):
    from sources.calven_sim.auth import default_keys

    keys = default_keys(11)
    assert keys == shared_simulator.keys and keys != default_keys(12)
    uses = {(k.role, k.basic_enabled) for k in keys}
    assert {("warehouse", True), ("warehouse", False), ("events", False), ("all", False)} <= uses
    assert all(k.secret not in repr(k) for k in keys)
