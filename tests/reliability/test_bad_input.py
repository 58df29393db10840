"""Bad input: each case gets a clear one-line error, a distinct exit code, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pytest

from pipelines import exit_codes
from tests.reliability.cli import run_cli, simulator_env
from tests.reliability.fake_api import fake_api

BOOKING = {"userId": "u-1", "day": "2026-03-02T00:00:00.000Z", "plan": "o"}


@dataclass
class Case:
    id: str
    args: tuple[str, ...]
    code: int
    message: str
    env: dict[str, str] = field(default_factory=dict)
    auth_type: str = "hmac"
    role: str = "warehouse"
    fake: Callable | None = None
    """Use the broken fake API instead of the simulator, configured by this function."""


def _fake(name: str, payload: object, media_type: str = "application/json") -> Callable:
    return lambda api: api.set(name, payload, media_type)


def _wrong_secret(auth_type: str) -> Case:
    return Case(
        f"wrong-secret-{auth_type}",
        ("run",),
        exit_codes.AUTH,
        "authentication error",
        env={"SOURCES__CALVEN__CREDENTIALS__API_SECRET": "wrong-secret-value-1234"},
        auth_type=auth_type,
    )


CASES = [
    Case(
        "missing-key-id",
        ("run",),
        exit_codes.CONFIG,
        "credentials missing",
        env={"SOURCES__CALVEN__CREDENTIALS__API_KEY_ID": ""},
    ),
    Case(
        "missing-secret",
        ("run",),
        exit_codes.CONFIG,
        "credentials missing",
        env={"SOURCES__CALVEN__CREDENTIALS__API_SECRET": ""},
    ),
    _wrong_secret("basic"),
    _wrong_secret("hmac"),
    _wrong_secret("client_secret"),
    Case("wrong-role", ("run",), exit_codes.AUTH, "403", role="events"),
    Case(
        "unknown-auth-type",
        ("run",),
        exit_codes.CONFIG,
        "auth_type 'oauth' is not one of",
        env={"SOURCES__CALVEN__AUTH_TYPE": "oauth"},
    ),
    Case(
        "unreachable-host",
        ("run",),
        exit_codes.API,
        "could not connect to 127.0.0.1:9: ConnectError: [Errno 111] Connection refused",
        env={"SOURCES__CALVEN__BASE_URL": "http://127.0.0.1:9"},
    ),
    Case(
        "plain-http-remote",
        ("run",),
        exit_codes.CONFIG,
        "http://",
        env={"SOURCES__CALVEN__BASE_URL": "http://calven.example.com"},
    ),
    Case(
        "start-not-a-date",
        ("run",),
        exit_codes.CONFIG,
        "start_date 'last tuesday' is not a date",
        env={"SOURCES__CALVEN__START_DATE": "last tuesday"},
    ),
    Case(
        "start-in-future",
        ("run",),
        exit_codes.CONFIG,
        "is in the future",
        env={"SOURCES__CALVEN__START_DATE": "2030-01-01"},
    ),
    Case(
        "start-after-end",
        ("backfill", "--start", "2026-03-01", "--end", "2026-02-01"),
        exit_codes.CONFIG,
        "--start 2026-03-01 must be before --end 2026-02-01",
    ),
    Case(
        "window-0",
        ("run",),
        exit_codes.CONFIG,
        "max_window_days must be between 1 and 30, got 0",
        env={"SOURCES__CALVEN__MAX_WINDOW_DAYS": "0"},
    ),
    Case(
        "window-31",
        ("run",),
        exit_codes.CONFIG,
        "max_window_days must be between 1 and 30",
        env={"SOURCES__CALVEN__MAX_WINDOW_DAYS": "31"},
    ),
    Case(
        "concurrency-0",
        ("run",),
        exit_codes.CONFIG,
        "max_concurrency must be 1 or more, got 0",
        env={"SOURCES__CALVEN__MAX_CONCURRENCY": "0"},
    ),
    Case(
        "unknown-dataset",
        ("run", "--datasets", "users,bookings"),
        exit_codes.CONFIG,
        "unknown dataset(s) bookings; valid: users, groups, locations",
    ),
    Case(
        "unknown-location",
        ("run",),
        exit_codes.CONFIG,
        "unknown location id(s) nowhere",
        env={"SOURCES__CALVEN__LOCATIONS": '["nowhere"]'},
    ),
    Case(
        "unknown-destination",
        ("run", "--destination", "nosuchdb"),
        exit_codes.CONFIG,
        "destination 'nosuchdb' is not a dlt destination",
    ),
    Case(
        "html-not-json",
        ("run",),
        exit_codes.API,
        "users",
        fake=_fake("users", b"<html><body>Maintenance</body></html>", "text/html"),
    ),
    Case(
        "object-not-array",
        ("run",),
        exit_codes.API,
        "expected a JSON array",
        fake=_fake("users", {"data": []}),
    ),
    Case(
        "record-missing-key",
        ("run",),
        exit_codes.DATA,
        "users: record 0 has no value for key field(s) ['userId']",
        fake=_fake("users", [{"email": "a@b.c"}]),
    ),
    Case(
        "field-changes-type",
        ("run", "--datasets", "bookings_attendance"),
        exit_codes.DATA,
        "bookings_attendance: field 'bookingDepth' should be int64 but the API sent str 'deep'",
        fake=_fake("user-booking-attendance", [{**BOOKING, "bookingDepth": "deep"}]),
    ),
    Case(
        "empty-tenant",
        ("run",),
        exit_codes.DATA,
        "the tenant has no locations",
        fake=_fake("locations", []),
    ),
    Case("reset-without-yes", ("state", "reset"), exit_codes.CONFIG, "add --yes to confirm"),
]


def _nothing_loaded(workdir) -> bool:
    database = workdir / "warehouse.duckdb"
    if not database.exists():
        return True
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.sql(
            "select table_name from information_schema.tables where table_schema = 'calven'"
        ).fetchall()
    return not [t for (t,) in tables if not t.startswith("_dlt")]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path, shared_simulator):
    env = simulator_env(shared_simulator, case.auth_type, case.role)
    if case.fake is None:
        result = run_cli(tmp_path, {**env, **case.env}, *case.args)
    else:
        with fake_api() as api:
            case.fake(api)
            env["SOURCES__CALVEN__BASE_URL"] = api.base_url
            result = run_cli(tmp_path, {**env, **case.env}, *case.args)

    errors = [line for line in result.stderr.splitlines() if line.startswith("calven-sync:")]
    assert result.returncode == case.code, result.stdout + result.stderr
    assert len(errors) == 1, result.stderr
    assert case.message in errors[0], errors[0]
    assert "Traceback" not in result.stderr
    assert _nothing_loaded(tmp_path)


def test_table_has_at_least_twenty_cases():
    assert len(CASES) >= 20
