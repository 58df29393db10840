"""Latency and fault injection over real HTTP: every kind, determinism, targeting, scope."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import orjson
import pytest

from sources.calven_sim.faults import (
    FAULT_KINDS,
    FaultConfig,
    FaultInjector,
    FaultRule,
    Latency,
)
from sources.calven_sim.server import RunningSimulator
from tests.sim.httpkit import basic

LOCATIONS = "/v1/analytics/locations/basic"
BOOKINGS = "/v1/analytics/user-booking-attendance/basic"
EVERY_KIND = {kind: 1.0 for kind in FAULT_KINDS}


def _outcome(client: httpx.Client, path: str, **params: str) -> str:
    try:
        response = client.get(path, params=params)
    except httpx.ReadTimeout:
        return "timeout"
    except httpx.RemoteProtocolError:
        return "reset"
    if response.status_code != 200:
        if response.status_code == 429:
            assert response.headers["Retry-After"] == "2"
        assert response.json()["statusCode"] == response.status_code
        return str(response.status_code)
    try:
        orjson.loads(response.content)
    except orjson.JSONDecodeError:
        assert int(response.headers["content-length"]) == len(response.content) > 0
        return "truncate"
    return "ok"


def _client(running: RunningSimulator, timeout: float = 5.0) -> httpx.Client:
    headers = basic(running.key(role="warehouse", basic=True))
    return httpx.Client(base_url=running.base_url, headers=headers, timeout=timeout)


def _run(running: RunningSimulator, config: FaultConfig, n: int) -> list[str]:
    running.sim.set_faults(config)
    with _client(running, timeout=1.0) as client:
        return [_outcome(client, LOCATIONS) for _ in range(n)]


def test_fault_mix_produces_every_kind_deterministically(simulator):
    config = FaultConfig(rate=0.7, mix=EVERY_KIND, retry_after_seconds=2, timeout_seconds=3.0)
    first = _run(simulator, config, 45)
    counts = Counter(first)
    assert set(counts) == {"ok", *FAULT_KINDS}, counts
    logged = [e.fault or "ok" for e in simulator.sim.requests(LOCATIONS)]
    assert logged == first
    simulator.sim.clear_requests()
    assert _run(simulator, config, 45) == first
    other_seed = FaultConfig(
        rate=0.7, mix=EVERY_KIND, retry_after_seconds=2, timeout_seconds=3.0, seed=99
    )
    assert _run(simulator, other_seed, 45) != first


def test_rate_is_roughly_respected():
    injector = FaultInjector(seed=3, faults=FaultConfig(rate=0.2))
    hits = sum(injector.decide("/v1/analytics/users", {}) is not None for _ in range(5000))
    assert 850 < hits < 1150


def test_targeted_location_fails_every_time(simulator):
    tenant = simulator.sim.tenant
    broken, healthy = tenant.location_ids()[:2]
    simulator.sim.set_faults(FaultConfig(rules=(FaultRule(kind="500", location_id=broken),)))
    dates = {"startDate": "2026-03-01", "endDate": "2026-03-10"}
    with _client(simulator) as client:
        for _ in range(3):
            assert _outcome(client, BOOKINGS, locationId=broken, **dates) == "500"
            assert _outcome(client, BOOKINGS, locationId=healthy, **dates) == "ok"
        presence = "/v1/analytics/presence/basic"
        assert _outcome(client, presence, locationIds=f"{healthy},{broken}", **dates) == "500"
        assert _outcome(client, presence, locationIds=healthy, **dates) == "ok"


def test_targeted_path_fails_a_limited_number_of_times(simulator):
    rule = FaultRule(kind="503", path="/v1/analytics/locations", times=2)
    simulator.sim.set_faults(FaultConfig(rules=(rule,)))
    with _client(simulator) as client:
        assert [_outcome(client, LOCATIONS) for _ in range(4)] == ["503", "503", "ok", "ok"]
        assert _outcome(client, "/v1/analytics/users/basic") == "ok"


def test_random_faults_respect_path_prefixes(simulator):
    simulator.sim.set_faults(FaultConfig(rate=1.0, paths=("/v1/analytics/users",)))
    with _client(simulator) as client:
        assert _outcome(client, "/v1/analytics/users/basic") == "500"
        assert _outcome(client, LOCATIONS) == "ok"


def test_faults_and_latency_never_touch_sim_controls(simulator):
    simulator.sim.set_faults(FaultConfig(rate=1.0))
    simulator.sim.set_latency(Latency(fixed_ms=2000))
    with _client(simulator) as client:
        started = time.perf_counter()
        assert client.get("/_sim/state").status_code == 200
        assert time.perf_counter() - started < 1.0
        assert _outcome(client, LOCATIONS) == "500"
    assert [e.path for e in simulator.sim.requests()] == [LOCATIONS]


def test_latency_is_added_to_api_requests(simulator):
    simulator.sim.set_latency(Latency(fixed_ms=500, jitter_ms=40))
    with _client(simulator) as client:
        for _ in range(3):
            started = time.perf_counter()
            assert client.get(LOCATIONS).status_code == 200
            assert time.perf_counter() - started >= 0.5
    simulator.sim.set_latency(None)
    with _client(simulator) as client:
        started = time.perf_counter()
        client.get(LOCATIONS)
        assert time.perf_counter() - started < 0.5


def test_jitter_is_deterministic_and_bounded():
    def delays(seed: int) -> list[float]:
        injector = FaultInjector(seed=seed, latency=Latency(fixed_ms=10, jitter_ms=20))
        return [injector.delay_seconds() for _ in range(50)]

    assert delays(1) == delays(1) != delays(2)
    assert all(0.010 <= d < 0.030 for d in delays(1))
    assert max(delays(1)) - min(delays(1)) > 0.01


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rate": 1.5},
        {"mix": {"418": 1.0}},
        {"rate": 0.5, "mix": {"500": 0.0}},
        {"retry_after_seconds": -1},
    ],
    ids=["rate", "unknown-kind", "no-weight", "negative-retry"],
)
def test_invalid_fault_configs_are_refused(kwargs):
    with pytest.raises(ValueError, match="FaultConfig"):
        FaultConfig(**kwargs)


def test_timeout_answers_after_the_sleep_when_the_client_waits(simulator):
    rule = FaultRule(kind="timeout", path=LOCATIONS)
    simulator.sim.set_faults(FaultConfig(rules=(rule,), timeout_seconds=0.3))
    with _client(simulator, timeout=5) as client:
        started = time.perf_counter()
        assert _outcome(client, LOCATIONS) == "ok"
        assert time.perf_counter() - started >= 0.3
