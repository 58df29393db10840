"""Test controls under /_sim and from Python: request log, secrecy, clock, locations, truth."""

from __future__ import annotations

import base64
import json
import logging

import httpx
import pytest

from sources.calven_sim.faults import FaultConfig, FaultRule
from tests.sim.httpkit import assert_error, basic, hmac_body


def test_request_log_records_requests_without_secrets(simulator, caplog):
    caplog.set_level(logging.DEBUG)
    sim = simulator.sim
    basic_key = simulator.key(role="warehouse", basic=True)
    token_key = simulator.key(role="warehouse")
    secrets: list[str] = [basic_key.secret, token_key.secret]
    with httpx.Client(base_url=simulator.base_url) as client:
        basic_value = basic(basic_key)["Authorization"]
        secrets.append(basic_value.split(" ", 1)[1])
        dates = {"startDate": "2026-03-01", "endDate": "2026-03-07"}
        assert (
            client.get(
                "/v1/analytics/presence/basic", params=dates, headers=basic(basic_key)
            ).status_code
            == 200
        )
        signed = hmac_body(token_key)
        secrets.append(signed["hash"])
        token = client.post("/v1/auth", json=signed).json()["token"]
        secrets.append(token)
        form = {"client_id": token_key.key_id, "client_secret": token_key.secret}
        secrets.append(client.post("/v1/auth/token", data=form).json()["access_token"])
        bearer = {"Authorization": f"Bearer {token}"}
        misplaced = {"client_secret": token_key.secret}
        assert (
            client.get("/v1/analytics/users", params=misplaced, headers=bearer).status_code == 400
        )
        raw = {"Authorization": f"Basic {basic_key.key_id}:{basic_key.secret}"}
        assert client.get("/v1/analytics/users/basic", headers=raw).status_code == 200
        wrong = {"Authorization": f"Basic {basic_key.key_id}:{token_key.secret}"}
        assert client.get("/v1/analytics/users/basic", headers=wrong).status_code == 401
        assert (
            client.get("/v1/analytics/users", headers={"Authorization": "Bearer nope"}).status_code
            == 401
        )
        over_http = client.get("/_sim/requests").json()

    entries = sim.requests()
    summary = [(e.method, e.path, e.status, e.auth_kind, e.key_id) for e in entries]
    assert summary == [
        ("GET", "/v1/analytics/presence/basic", 200, "basic", basic_key.key_id),
        ("POST", "/v1/auth", 200, "none", token_key.key_id),
        ("POST", "/v1/auth/token", 200, "none", token_key.key_id),
        ("GET", "/v1/analytics/users", 400, "bearer", token_key.key_id),
        ("GET", "/v1/analytics/users/basic", 200, "basic", basic_key.key_id),
        ("GET", "/v1/analytics/users/basic", 401, "basic", basic_key.key_id),
        ("GET", "/v1/analytics/users", 401, "bearer", None),
    ]
    assert entries[0].params == dates and entries[0].fault is None
    assert entries[3].params == {"client_secret": "***"}
    assert all(e.time > 0 and e.duration_ms is not None for e in entries)
    assert over_http == [e.as_dict() for e in entries]
    server_logs = [r for r in caplog.records if r.name.startswith(("sources.", "uvicorn"))]
    dumped = json.dumps(over_http) + repr(entries) + repr([r.__dict__ for r in server_logs])
    for secret in secrets:
        assert secret not in dumped
    assert (
        base64.b64encode(f"{basic_key.key_id}:{basic_key.secret}".encode()).decode() not in dumped
    )


def test_error_messages_never_echo_credentials(shared_simulator):
    key = shared_simulator.key(role="warehouse", basic=True)
    other = shared_simulator.key(role="warehouse")
    with httpx.Client(base_url=shared_simulator.base_url) as client:
        responses = [
            client.post("/v1/auth", json={**hmac_body(other), "timestamp": "x"}),
            client.post("/v1/auth", json={**hmac_body(key)}),
            client.post("/v1/auth/token", json={"client_id": other.key_id, "client_secret": 5}),
            client.post(
                "/v1/auth/token", json={"client_id": key.key_id, "client_secret": key.secret}
            ),
            client.get(
                "/v1/analytics/users/basic", headers={"Authorization": f"Basic x:{key.secret}"}
            ),
        ]
    text = " ".join(r.text for r in responses)
    assert all(r.status_code in (400, 401, 403) for r in responses), text
    assert key.secret not in text and other.secret not in text


def test_request_log_clears_from_python_and_http(shared_simulator):
    with httpx.Client(base_url=shared_simulator.base_url) as client:
        client.get("/v1/analytics/users")
        assert shared_simulator.sim.requests()
        shared_simulator.sim.clear_requests()
        assert shared_simulator.sim.requests() == []
        client.get("/v1/analytics/users")
        client.get("/v1/analytics/groups")
        only_groups = client.get("/_sim/requests", params={"pathPrefix": "/v1/analytics/g"}).json()
        assert [e["path"] for e in only_groups] == ["/v1/analytics/groups"]
        assert client.delete("/_sim/requests").status_code == 200
        assert client.get("/_sim/requests").json() == []


def test_fault_and_latency_controls_over_http(simulator):
    with httpx.Client(base_url=simulator.base_url) as client:
        config = {
            "rate": 0.25,
            "mix": {"503": 2, "429": 1},
            "retry_after_seconds": 3,
            "rules": [{"kind": "reset", "location_id": "L9", "times": 1}],
        }
        stored = client.put("/_sim/faults", json=config).json()
        assert simulator.sim.faults.config == FaultConfig(
            rate=0.25,
            mix={"503": 2, "429": 1},
            retry_after_seconds=3,
            rules=(FaultRule(kind="reset", location_id="L9", times=1),),
        )
        assert client.get("/_sim/faults").json() == stored
        assert_error(client.put("/_sim/faults", json={"rate": 2}), 400, "rate")
        assert_error(client.put("/_sim/faults", json={"bogus": 1}), 400, "bogus")
        assert_error(client.put("/_sim/faults", json={"rules": [{"kind": "x"}]}), 400)
        assert client.delete("/_sim/faults").json()["rate"] == 0.0
        assert client.put("/_sim/latency", json={"fixed_ms": 5, "jitter_ms": 1}).status_code == 200
        assert client.get("/_sim/latency").json() == {"fixed_ms": 5.0, "jitter_ms": 1.0}
        assert_error(client.put("/_sim/latency", json={"fixed_ms": -1}), 400)
        assert client.put("/_sim/token-ttl", json={"seconds": 60}).status_code == 200
        assert simulator.sim.token_ttl_seconds == 60
        assert_error(client.put("/_sim/token-ttl", json={"seconds": 0}), 400)


def test_tenant_controls_over_http(simulator):
    tenant = simulator.sim.tenant
    with httpx.Client(base_url=simulator.base_url) as client:
        state = client.get("/_sim/state").json()
        assert state["today"] == tenant.today.isoformat() == "2026-03-18"
        assert state["locationIds"] == tenant.location_ids()
        advanced = client.post("/_sim/advance", json={"days": 2}).json()
        assert advanced == {"today": "2026-03-20"} and tenant.today.isoformat() == "2026-03-20"
        new = client.post("/_sim/locations", json={"users": 5}).json()["locationId"]
        assert new in tenant.location_ids() and len(tenant.user_ids(new)) == 5
        assert_error(client.post("/_sim/advance", json={"days": "x"}), 400, "days")
        assert_error(client.post("/_sim/locations", json={}), 400, "users")


@pytest.mark.parametrize(
    ("dataset", "params"),
    [
        ("users", {}),
        ("user-booking-attendance", {"startDate": "2026-02-01", "endDate": "2026-03-10"}),
        ("presence", {"startDate": "20260301", "endDate": "20260310", "location": True}),
    ],
    ids=["dimension", "long-range", "one-location"],
)
def test_truth_over_http_matches_python(shared_simulator, dataset, params):
    from datetime import date

    tenant = shared_simulator.sim.tenant
    query = {"dataset": dataset, **{k: v for k, v in params.items() if k != "location"}}
    location = tenant.location_ids()[0] if params.get("location") else None
    if location:
        query["locationId"] = location
    body = httpx.get(f"{shared_simulator.base_url}/_sim/truth", params=query).json()
    start = date.fromisoformat(_dashed(params["startDate"])) if "startDate" in params else None
    end = date.fromisoformat(_dashed(params["endDate"])) if "endDate" in params else None
    expected = shared_simulator.sim.truth(dataset, start, end, location)
    assert body == {"count": expected.count, "checksum": expected.checksum}
    assert expected.count > 0


def _dashed(value: str) -> str:
    return value if "-" in value else f"{value[:4]}-{value[4:6]}-{value[6:]}"


def test_truth_refuses_unknown_dataset(shared_simulator):
    response = httpx.get(f"{shared_simulator.base_url}/_sim/truth", params={"dataset": "nope"})
    assert_error(response, 400, "dataset")


def test_sim_routes_are_not_in_openapi(shared_simulator):
    paths = httpx.get(f"{shared_simulator.base_url}/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/_sim") or p.endswith("/")]
    assert "/v1/analytics/change-log/user/basic" in paths and "/v1/auth/token" in paths
