"""Faults that quote the request's credentials back (``FaultConfig.echo_credentials``).

They exist to prove the client's redaction; here: they quote exactly what arrived, and only
when asked.
"""

from __future__ import annotations

import httpx
import pytest

from sources.calven_sim.faults import (
    FaultConfig,
    FaultRule,
    echoed_credentials,
    fault_config_as_dict,
)
from sources.calven_sim.server import RunningSimulator
from tests.sim.httpkit import assert_error, basic, bearer, hmac_body

USERS = "/v1/analytics/users"


@pytest.mark.parametrize(
    ("authorization", "body", "expected"),
    [
        (None, b"", ""),
        ("Bearer tok", b"", "; the request carried Authorization 'Bearer tok'"),
        (
            None,
            b'{"apiKey": "K", "timestamp": 1, "hash": "ab12"}',
            "; the request carried hash 'ab12'",
        ),
        (None, b"client_id=K&client_secret=s%2F1", "; the request carried client_secret 's/1'"),
        (
            "Basic QTpC",
            b'{"client_secret": "s", "hash": "h"}',
            "; the request carried Authorization 'Basic QTpC', hash 'h', client_secret 's'",
        ),
        (None, b'["hash", "h"]', ""),
        (None, b'{"hash": 5}', ""),
    ],
    ids=["nothing", "bearer", "json-hash", "form-secret", "all", "not-an-object", "not-text"],
)
def test_echoed_credentials(authorization: str | None, body: bytes, expected: str) -> None:
    assert echoed_credentials(authorization, body) == expected


def _echo(running: RunningSimulator, kind: str, path: str, echo: bool = True) -> None:
    rule = FaultRule(kind, path=path)  # type: ignore[arg-type]
    running.sim.set_faults(FaultConfig(rules=(rule,), echo_credentials=echo))


@pytest.mark.parametrize("kind", ["400", "500"])
def test_each_credential_is_quoted_as_received(simulator: RunningSimulator, kind: str) -> None:
    token_key, basic_key = simulator.key(), simulator.key(basic=True)
    prefix = f"injected fault {kind}; the request carried"
    with httpx.Client(base_url=simulator.base_url) as client:
        signed = hmac_body(token_key)
        _echo(simulator, kind, "/v1/auth")
        response = client.post("/v1/auth", json=signed)
        assert_error(response, int(kind))
        assert response.json()["message"] == f"{prefix} hash '{signed['hash']}'"
        form = {"client_id": token_key.key_id, "client_secret": token_key.secret}
        response = client.post("/v1/auth/token", data=form)
        assert response.json()["message"] == f"{prefix} client_secret '{token_key.secret}'"

        simulator.sim.set_faults(None)
        headers = bearer(simulator, token_key)
        _echo(simulator, kind, USERS)
        response = client.get(USERS, headers=headers)
        assert response.json()["message"] == f"{prefix} Authorization '{headers['Authorization']}'"
        headers = basic(basic_key)
        response = client.get(f"{USERS}/basic", headers=headers)
        assert response.json()["message"] == f"{prefix} Authorization '{headers['Authorization']}'"
    faulted = [(e.path, e.fault, e.status) for e in simulator.sim.requests()]
    assert faulted == [
        ("/v1/auth", kind, int(kind)),
        ("/v1/auth/token", kind, int(kind)),
        ("/v1/auth", None, 200),
        (USERS, kind, int(kind)),
        (f"{USERS}/basic", kind, int(kind)),
    ]


def test_nothing_is_quoted_unless_asked(simulator: RunningSimulator) -> None:
    _echo(simulator, "400", "/v1/auth", echo=False)
    response = httpx.post(f"{simulator.base_url}/v1/auth", json=hmac_body(simulator.key()))
    assert_error(response, 400)
    assert response.json()["message"] == "injected fault 400"


def test_a_refusal_is_a_rule_never_a_random_fault(simulator: RunningSimulator) -> None:
    with pytest.raises(ValueError, match=r"FaultConfig.mix has unknown kinds \['400'\]"):
        FaultConfig(rate=0.5, mix={"400": 1.0})
    config = {"rules": [{"kind": "400", "path": USERS}], "echo_credentials": True}
    with httpx.Client(base_url=simulator.base_url) as client:
        stored = client.put("/_sim/faults", json=config).json()
    assert stored["echo_credentials"] is True and stored["rules"][0]["kind"] == "400"
    assert stored == fault_config_as_dict(simulator.sim.faults.config)
    assert simulator.sim.faults.config.echo_credentials is True
