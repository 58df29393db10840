"""The client against the simulator over real loopback HTTP.

Assertions are on what the server received (its request log) and on exact error texts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import pytest

from sources.calven.errors import AuthError, ClientRequestError, RetriesExhausted
from sources.calven.http.auth import AuthType, basic_credentials, hmac_signature
from sources.calven.http.client import CalvenClient, RetryPolicy
from sources.calven_sim.auth import ApiKey
from sources.calven_sim.control import SimulatorConfig
from sources.calven_sim.faults import FaultConfig, FaultKind, FaultRule
from sources.calven_sim.server import RunningSimulator, run_simulator
from sources.calven_sim.tenant import TenantConfig
from tests.client.conftest import FAST_RETRY

TODAY = date(2025, 3, 1)
USERS = "/v1/analytics/users"
BOOKINGS = "/v1/analytics/user-booking-attendance"
AUTH_TYPES: list[AuthType] = ["basic", "hmac", "client_secret"]


@pytest.fixture(scope="module")
def running() -> Iterator[RunningSimulator]:
    tenant = TenantConfig(users=30, locations=2, history_days=40, future_days=3, today=TODAY)
    with run_simulator(SimulatorConfig(tenant=tenant)) as running:
        yield running


@pytest.fixture
def sim(running: RunningSimulator) -> Iterator[RunningSimulator]:
    running.sim.set_faults(None)
    running.sim.clear_requests()
    ttl = running.sim.token_ttl_seconds
    yield running
    running.sim.set_faults(None)
    running.sim.token_ttl_seconds = ttl
    running.sim.expire_tokens()


def key_for(sim: RunningSimulator, auth_type: AuthType) -> ApiKey:
    return sim.key("warehouse", basic=auth_type == "basic")


def connect(
    sim: RunningSimulator, auth_type: AuthType, key: ApiKey | None = None, **kw: object
) -> CalvenClient:
    key = key or key_for(sim, auth_type)
    kw.setdefault("retry", FAST_RETRY)
    return CalvenClient(sim.base_url, auth_type, key.key_id, key.secret, **kw)  # type: ignore[arg-type]


def paths(sim: RunningSimulator) -> list[str]:
    return [entry.path for entry in sim.sim.requests()]


def expected_paths(auth_type: AuthType, *data: str) -> list[str]:
    if auth_type == "basic":
        return [p + "/basic" for p in data]
    token = "/v1/auth" if auth_type == "hmac" else "/v1/auth/token"
    return [token, *data]


@pytest.mark.parametrize("auth_type", AUTH_TYPES)
def test_each_auth_type_reads_data(sim: RunningSimulator, auth_type: AuthType) -> None:
    window = {"startDate": "2025-02-01", "endDate": "2025-02-14"}
    with connect(sim, auth_type) as client:
        users = client.get_records(USERS, context="users")
        bookings = client.get_records(BOOKINGS, window, context="bookings")
    assert len(users) == 30
    # truth() takes inclusive days, like the API.
    truth = sim.sim.truth("user-booking-attendance", date(2025, 2, 1), date(2025, 2, 14))
    assert len(bookings) == truth.count > 0
    assert paths(sim) == expected_paths(auth_type, USERS, BOOKINGS)
    entries = sim.sim.requests()
    assert entries[-1].params == window
    assert {e.key_id for e in entries} == {key_for(sim, auth_type).key_id}
    assert entries[-1].auth_kind == ("basic" if auth_type == "basic" else "bearer")
    assert client.requests_made == len(entries)


@pytest.mark.parametrize("auth_type", AUTH_TYPES)
def test_31_day_range_is_400_and_not_retried(sim: RunningSimulator, auth_type: AuthType) -> None:
    context = "bookings_attendance partition=all window=2025-01-01..2025-02-01"
    with connect(sim, auth_type) as client, pytest.raises(ClientRequestError) as info:
        client.get_records(
            BOOKINGS, {"startDate": "2025-01-01", "endDate": "2025-01-31"}, context=context
        )
    data = [e for e in sim.sim.requests() if e.path.startswith(BOOKINGS)]
    assert len(data) == 1 and data[0].status == 400
    path = BOOKINGS + ("/basic" if auth_type == "basic" else "")
    message = str(info.value)
    assert message.startswith(f"GET {path} [{context}] failed with 400 Bad Request: ")
    assert "30 days" in message
    assert info.value.status == 400


@pytest.mark.parametrize(
    ("auth_type", "secret", "status"),
    [("basic", "wrong", 401), ("hmac", "wrong", 401), ("client_secret", "wrong", 401)],
    ids=["basic", "hmac", "client_secret"],
)
def test_wrong_secret_is_auth_error(
    sim: RunningSimulator, auth_type: AuthType, secret: str, status: int
) -> None:
    key = key_for(sim, auth_type)
    wrong = ApiKey(key.key_id, secret, key.basic_enabled, key.role)
    with connect(sim, auth_type, wrong) as client, pytest.raises(AuthError) as info:
        client.get_records(USERS, context="users")
    assert len(sim.sim.requests()) == 1
    assert key.key_id in str(info.value) and auth_type in str(info.value)
    assert f"{status} Unauthorized" in str(info.value)


def test_basic_key_on_token_endpoint_is_403(sim: RunningSimulator) -> None:
    with (
        connect(sim, "hmac", sim.key("warehouse", basic=True)) as client,
        pytest.raises(AuthError) as info,
    ):
        client.get_records(USERS)
    key_id = sim.key("warehouse", basic=True).key_id
    assert str(info.value) == (
        f"POST /v1/auth: the hmac token request for key {key_id} was refused with "
        "403 Forbidden: a Basic-enabled API key cannot request tokens"
    )


def test_role_violation_is_auth_error(sim: RunningSimulator) -> None:
    with connect(sim, "hmac", sim.key("events")) as client, pytest.raises(AuthError) as info:
        client.get_records(USERS, context="users")
    assert str(info.value).startswith(f"GET {USERS} [users] was refused with 403 Forbidden")


@pytest.mark.parametrize("auth_type", ["hmac", "client_secret"])
def test_token_refreshed_after_401_exactly_once(sim: RunningSimulator, auth_type: AuthType) -> None:
    with connect(sim, auth_type) as client:
        client.get_records(USERS)
        sim.sim.expire_tokens()
        client.get_records(USERS)
    token = "/v1/auth" if auth_type == "hmac" else "/v1/auth/token"
    assert paths(sim) == [token, USERS, USERS, token, USERS]
    assert [e.status for e in sim.sim.requests()] == [200, 200, 401, 200, 200]


@pytest.mark.parametrize("auth_type", ["hmac", "client_secret"])
def test_token_refreshed_ahead_of_expiry(sim: RunningSimulator, auth_type: AuthType) -> None:
    sim.sim.token_ttl_seconds = 2.0  # refreshed 0.2 s before it expires
    with connect(sim, auth_type) as client:
        client.get_records(USERS)
        client.get_records(USERS)
        time.sleep(1.85)
        client.get_records(USERS)
    token = "/v1/auth" if auth_type == "hmac" else "/v1/auth/token"
    assert paths(sim) == [token, USERS, USERS, token, USERS]
    assert all(e.status == 200 for e in sim.sim.requests())


@pytest.mark.parametrize("auth_type", ["hmac", "client_secret"])
def test_concurrent_requests_share_one_token(sim: RunningSimulator, auth_type: AuthType) -> None:
    with connect(sim, auth_type, max_concurrency=8) as client:
        futures = [client.submit(USERS, context=f"n={i}") for i in range(24)]
        assert all(len(f.result()) == 30 for f in futures)
    assert paths(sim).count("/v1/auth" if auth_type == "hmac" else "/v1/auth/token") == 1
    assert paths(sim).count(USERS) == 24


FAULTS: list[FaultKind] = ["500", "502", "503", "429", "timeout", "reset", "truncate"]


@pytest.mark.parametrize("kind", FAULTS)
def test_each_fault_kind_is_retried(sim: RunningSimulator, kind: FaultKind) -> None:
    sim.sim.set_faults(
        FaultConfig(
            rules=(FaultRule(kind, path=USERS, times=2),),
            retry_after_seconds=0,
            timeout_seconds=1.0,
        )
    )
    with connect(sim, "basic", timeout=0.3) as client:
        assert len(client.get_records(USERS)) == 30
    entries = sim.sim.requests()
    assert [e.fault for e in entries] == [kind, kind, None]
    assert client.retries_made == 2


def test_token_endpoint_faults_are_retried(sim: RunningSimulator) -> None:
    sim.sim.set_faults(FaultConfig(rules=(FaultRule("503", path="/v1/auth", times=1),)))
    with connect(sim, "hmac") as client:
        assert len(client.get_records(USERS)) == 30
    assert paths(sim) == ["/v1/auth", "/v1/auth", USERS]


def test_retry_after_is_waited(sim: RunningSimulator) -> None:
    sim.sim.set_faults(
        FaultConfig(rules=(FaultRule("429", path=USERS, times=1),), retry_after_seconds=1)
    )
    with connect(sim, "basic") as client:
        client.get_records(USERS)
    first, second = sim.sim.requests()
    assert first.status == 429 and second.status == 200
    assert second.time - first.time >= 1.0


def test_retries_are_bounded(sim: RunningSimulator) -> None:
    sim.sim.set_faults(FaultConfig(rules=(FaultRule("502", path=USERS),)))
    with connect(sim, "basic") as client, pytest.raises(RetriesExhausted) as info:
        client.get_records(USERS, context="users")
    assert len(sim.sim.requests()) == FAST_RETRY.max_attempts
    assert str(info.value).startswith(f"GET {USERS}/basic [users]: gave up after 4 attempt(s)")
    assert "failed with 502 Bad Gateway" in str(info.value)


def test_random_faults_still_load_everything(sim: RunningSimulator) -> None:
    mix: dict[FaultKind, float] = {k: 1.0 for k in FAULTS if k != "timeout"}
    sim.sim.set_faults(FaultConfig(rate=0.3, mix=mix, retry_after_seconds=0, seed=7))
    policy = RetryPolicy(max_attempts=10, backoff_base=0.001, backoff_max=0.01)
    days = [TODAY - timedelta(days=n) for n in range(1, 31, 2)]
    with connect(sim, "hmac", retry=policy) as client:
        futures = [
            client.submit(BOOKINGS, {"startDate": d.isoformat(), "endDate": d.isoformat()})
            for d in days
        ]
        rows = sum(len(f.result()) for f in futures)
    truth = sum(sim.sim.truth("user-booking-attendance", d, d).count for d in days)
    assert rows == truth > 0
    assert client.retries_made == sum(1 for e in sim.sim.requests() if e.fault is not None)


def test_rate_budget_over_http(sim: RunningSimulator) -> None:
    with connect(sim, "basic", max_requests_per_second=20.0, max_concurrency=4) as client:
        started = time.monotonic()
        for future in [client.submit(USERS) for _ in range(9)]:
            future.result()
        elapsed = time.monotonic() - started
    assert elapsed >= 8 / 20 - 0.01


@pytest.mark.parametrize("auth_type", AUTH_TYPES)
def test_credentials_never_logged_or_raised(
    sim: RunningSimulator, auth_type: AuthType, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = key_for(sim, auth_type)
    tokens: list[str] = []
    sim.sim.set_faults(FaultConfig(rules=(FaultRule("503", path=USERS, times=1),)))
    with connect(sim, auth_type) as client:

        def grab(response: httpx.Response) -> None:
            if response.url.path.startswith("/v1/auth"):
                response.read()
                body = response.json()
                tokens.append(body.get("token") or body.get("access_token"))

        client._sender.http.event_hooks["response"].append(grab)
        client.get_records(USERS)
        sim.sim.expire_tokens()
        client.get_records(USERS)
        with pytest.raises(ClientRequestError) as info:
            client.get_records(BOOKINGS, {"startDate": "2025-01-01", "endDate": "2025-03-01"})
        shown = caplog.text + str(info.value) + repr(client) + repr(vars(client.auth))
    assert "retry 1/3" in caplog.text
    now = int(time.time())
    secrets = [key.secret, basic_credentials(key.key_id, key.secret), *tokens]
    secrets += [hmac_signature(key.key_id, key.secret, ts) for ts in range(now - 60, now + 5)]
    assert len(tokens) == (0 if auth_type == "basic" else 2)
    leaked = [s for s in secrets if s and s in shown]
    assert leaked == []
