"""Secrets never leave the auth module: searched for by value everywhere a user could look.

For every auth type, on success and on failure, the API secret, the Basic header value, every
HMAC hash the client could have sent during the run and every token the simulator issued must
be absent from stdout, stderr, every file in the working directory (logs, dlt state, traces,
load packages) and every table in the destination.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path

import duckdb
import pytest

from tests.reliability.cli import run_cli, simulator_env


def _hmac_hashes(key_id: str, secret: str, start: int, end: int) -> list[str]:
    return [
        hmac.new(secret.encode(), f"{key_id}{ts}".encode(), hashlib.sha256).hexdigest()
        for ts in range(start - 2, end + 2)
    ]


def _secret_values(simulator, env: dict[str, str], started: int, ended: int) -> dict[str, str]:
    key_id = env["SOURCES__CALVEN__CREDENTIALS__API_KEY_ID"]
    secret = env["SOURCES__CALVEN__CREDENTIALS__API_SECRET"]
    values = {
        "secret": secret,
        "basic header": base64.b64encode(f"{key_id}:{secret}".encode()).decode(),
    }
    values.update(
        {f"hmac hash {i}": h for i, h in enumerate(_hmac_hashes(key_id, secret, started, ended))}
    )
    values.update({f"token {i}": t for i, t in enumerate(simulator.sim.auth.issued_tokens())})
    return values


def _destination_text(database: Path) -> str:
    if not database.exists():
        return ""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.sql(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        return "\n".join(
            str(con.sql(f'select * from "{schema}"."{name}"').fetchall()) for schema, name in tables
        )


def _leaks(values: dict[str, str], places: dict[str, bytes]) -> list[str]:
    return [
        f"{what} found in {where}"
        for what, value in values.items()
        for where, content in places.items()
        if value.encode() in content
    ]


@pytest.mark.parametrize("outcome", ["success", "wrong-secret", "server-errors"])
@pytest.mark.parametrize("auth_type", ["basic", "hmac", "client_secret"])
def test_no_secret_anywhere(tmp_path, simulator, auth_type, outcome):
    from sources.calven_sim.faults import FaultConfig

    env = {**simulator_env(simulator, auth_type), "RUNTIME__LOG_LEVEL": "DEBUG"}
    if outcome == "wrong-secret":
        env["SOURCES__CALVEN__CREDENTIALS__API_SECRET"] = "a-wrong-secret-5f3c2a"
    if outcome == "server-errors":
        simulator.sim.set_faults(FaultConfig(rate=0.5, retry_after_seconds=0))
    started = int(time.time())
    result = run_cli(tmp_path, env, "run", "--verbose")
    ended = int(time.time())
    if outcome == "success":
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode != 0 or outcome == "server-errors", result.stderr

    places = {"stdout": result.stdout.encode(), "stderr": result.stderr.encode()}
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".duckdb":
            places[str(path.relative_to(tmp_path))] = path.read_bytes()
    places["destination tables"] = _destination_text(tmp_path / "warehouse.duckdb").encode()
    values = _secret_values(simulator, env, started, ended)
    if auth_type != "basic" and outcome != "wrong-secret":
        assert any(name.startswith("token") for name in values), "no token was issued"
    assert len(places) > 3
    assert _leaks(values, places) == []
