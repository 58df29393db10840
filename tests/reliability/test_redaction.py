"""Credentials a server quotes back in an error body never reach the user: the client redacts them.

The simulator's ``echo_credentials`` faults (``sources.calven_sim.faults``) answer with an error
whose message quotes what the request carried: the HMAC hash sent to ``/v1/auth``, the client
secret sent to ``/v1/auth/token``, the live bearer token or the Basic value sent to a warehouse
endpoint. For each auth flow, through ``CalvenClient`` and through ``calven-sync run -v``, every
place a user could read (the exception and its causes, every log line, stdout, stderr and the
files of the working directory) is searched for each credential by value, and the quoted message
must arrive whole with ``***`` in the credential's place, so the echo did happen.

The hash and the tokens change during a run; only the redactor's ``remember`` knows them. The
5xx cases cover the retried path (a 429/5xx message ends in ``RetriesExhausted``), which leaked
both until it went through the redactor too.
"""

from __future__ import annotations

import base64
import logging
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

from sources.calven.errors import AuthError, CalvenError, ClientRequestError, RetriesExhausted
from sources.calven.http.auth import AuthType
from sources.calven.http.client import CalvenClient
from sources.calven_sim.auth import hmac_hash
from sources.calven_sim.faults import FaultConfig, FaultKind, FaultRule
from sources.calven_sim.server import RunningSimulator
from tests.client.conftest import FAST_RETRY
from tests.reliability.cli import run_cli, simulator_env

USERS = "/v1/analytics/users"
WAREHOUSE = "/v1/analytics/"


@dataclass(frozen=True)
class Echo:
    """A fault that quotes a credential back, and what the user must see instead."""

    auth_type: AuthType
    path: str
    """Prefix of the faulted paths: a token endpoint or every warehouse endpoint."""
    kind: FaultKind
    quoted: str
    """The end of the server's message once redacted."""
    error: type[CalvenError]

    @property
    def tail(self) -> str:
        return f"injected fault {self.kind}; the request carried {self.quoted}"

    def message(self, key_id: str) -> str | None:
        """The client's exact error message (None for a retried fault: it names the timing)."""
        status = {"400": "400 Bad Request"}.get(self.kind)
        if status is None:
            return None
        if self.path != WAREHOUSE:
            return (
                f"POST {self.path}: the {self.auth_type} token request for key {key_id} "
                f"was refused with {status}: {self.tail}"
            )
        suffix = "/basic" if self.auth_type == "basic" else ""
        return f"GET {USERS}{suffix} failed with {status}: {self.tail}"


HASH = "hash '***'"
BEARER = "Authorization 'Bearer ***'"
REFUSED = [
    pytest.param(Echo("hmac", "/v1/auth", "400", HASH, AuthError), id="hmac-hash"),
    pytest.param(Echo("hmac", WAREHOUSE, "400", BEARER, ClientRequestError), id="hmac-token"),
    pytest.param(
        Echo("client_secret", "/v1/auth/token", "400", "client_secret '***'", AuthError),
        id="client_secret-secret",
    ),
    pytest.param(
        Echo("client_secret", WAREHOUSE, "400", BEARER, ClientRequestError),
        id="client_secret-token",
    ),
    pytest.param(
        Echo("basic", WAREHOUSE, "400", "Authorization 'Basic ***'", ClientRequestError),
        id="basic-header",
    ),
]
RETRIED = [
    pytest.param(Echo("hmac", "/v1/auth", "500", HASH, RetriesExhausted), id="hmac-hash-500"),
    pytest.param(
        Echo("hmac", WAREHOUSE, "500", BEARER, RetriesExhausted),
        id="hmac-token-500",
    ),
]


def _echo_faults(simulator: RunningSimulator, echo: Echo) -> None:
    rule = FaultRule(echo.kind, path=echo.path)
    simulator.sim.set_faults(FaultConfig(rules=(rule,), echo_credentials=True))


def _credentials(
    simulator: RunningSimulator, echo: Echo, started: int, ended: int
) -> dict[str, str]:
    """Every credential value the run could have sent, named; hashes for each second of it."""
    key = simulator.key(basic=echo.auth_type == "basic")
    values = {
        "api secret": key.secret,
        "basic value": base64.b64encode(f"{key.key_id}:{key.secret}".encode()).decode(),
    }
    for ts in range(started - 2, ended + 3):
        values[f"hmac hash at {ts}"] = hmac_hash(key.key_id, ts, key.secret)
    tokens = simulator.sim.auth.issued_tokens()
    if echo.path == WAREHOUSE and echo.auth_type != "basic":
        assert tokens, "no token was issued, so none could leak"
    values.update({f"token {i}": token for i, token in enumerate(tokens)})
    return values


def _leaks(values: dict[str, str], places: dict[str, str]) -> list[str]:
    return [
        f"{what} found in {where}"
        for what, value in values.items()
        for where, text in places.items()
        if value in text
    ]


def _assert_echoed(simulator: RunningSimulator, echo: Echo) -> None:
    """The server did answer with the echoing fault."""
    faulted = [e for e in simulator.sim.requests(echo.path) if e.fault == echo.kind]
    assert faulted and {e.status for e in faulted} == {int(echo.kind)}


@pytest.mark.parametrize("echo", [*REFUSED, *RETRIED])
def test_the_client_redacts_what_an_error_quotes(
    simulator: RunningSimulator, caplog: pytest.LogCaptureFixture, echo: Echo
) -> None:
    caplog.set_level(logging.DEBUG)
    _echo_faults(simulator, echo)
    key = simulator.key(basic=echo.auth_type == "basic")
    started = int(time.time())
    with (
        CalvenClient(
            simulator.base_url, echo.auth_type, key.key_id, key.secret, retry=FAST_RETRY
        ) as client,
        pytest.raises(CalvenError) as raised,
    ):
        client.get_records(USERS)
    ended = int(time.time())

    _assert_echoed(simulator, echo)
    places = {
        "exception": "".join(traceback.format_exception(raised.value)),
        "log": caplog.text,
        "log records": "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records),
    }
    assert _leaks(_credentials(simulator, echo, started, ended), places) == []
    assert type(raised.value) is echo.error
    expected = echo.message(key.key_id)
    assert str(raised.value) == expected if expected else str(raised.value).endswith(echo.tail)


@pytest.mark.parametrize("echo", REFUSED)
def test_the_cli_redacts_what_an_error_quotes(
    tmp_path: Path, simulator: RunningSimulator, echo: Echo
) -> None:
    _echo_faults(simulator, echo)
    env = {**simulator_env(simulator, echo.auth_type), "RUNTIME__LOG_LEVEL": "DEBUG"}
    started = int(time.time())
    result = run_cli(tmp_path, env, "run", "-v")
    ended = int(time.time())

    _assert_echoed(simulator, echo)
    places = {"stdout": result.stdout, "stderr": result.stderr}
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".duckdb":
            places[str(path.relative_to(tmp_path))] = path.read_bytes().decode("utf-8", "replace")
    assert _leaks(_credentials(simulator, echo, started, ended), places) == []
    assert result.returncode != 0
    assert echo.tail in result.stderr
    if echo.path == WAREHOUSE:  # a refused token request is never logged, at any level
        suffix = "/basic" if echo.auth_type == "basic" else ""
        assert f"DEBUG sources.calven.http.sending: GET {USERS}{suffix} -> 400" in result.stderr
