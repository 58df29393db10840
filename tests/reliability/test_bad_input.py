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
    env: dict[str, str | None] = field(default_factory=dict)
    """Environment on top of the simulator's; None removes a variable."""
    auth_type: str = "hmac"
    role: str = "warehouse"
    fake: Callable | None = None
    """Use the broken fake API instead of the simulator, configured by this function."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Files written into the working directory first (name -> content)."""


def _fake(name: str, payload: object, media_type: str = "application/json") -> Callable:
    return lambda api: api.set(name, payload, media_type)


def _setting(name: str, value: str, message: str, *args: str, code: int = 2) -> Case:
    """A bad value of one ``[sources.calven]`` setting, given as its environment variable."""
    return Case(
        f"{name.lower()}-{value or 'empty'}",
        args or ("run",),
        code,
        message,
        env={f"SOURCES__CALVEN__{name}": value},
    )


def _usage(case_id: str, message: str, *args: str) -> Case:
    """A bad command line: argparse's error as one line, exit 2, before anything runs."""
    return Case(case_id, args, exit_codes.CONFIG, f"usage error: {message}")


LATIN1_CSV = "userId,timestamp,locationId,locationType\nJos\xe9,2026-03-02T09:00:00Z,x,location\n"


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
    # Dates: YYYY-MM-DD only, wherever they enter.
    _setting(
        "START_DATE", "01/10/2026", "start_date '01/10/2026' is not a date (expected YYYY-MM-DD"
    ),
    _setting("END_DATE", "20260301", "end_date '20260301' is not a date (expected YYYY-MM-DD"),
    _setting("TODAY", "18.03.2026", "today '18.03.2026' is not a date (expected YYYY-MM-DD"),
    _usage(
        "backfill-start-us",
        "argument --start: expected a date YYYY-MM-DD (e.g. 2026-01-31), got '01/11/2026'",
        "backfill",
        "--start",
        "01/11/2026",
    ),
    _usage(
        "backfill-end-us",
        "argument --end: expected a date YYYY-MM-DD",
        *("backfill", "--start", "2026-02-01", "--end", "3/1/2026"),
    ),
    _usage("today-flag", "argument --today: expected a date", "run", "--today", "yesterday"),
    # Values dlt cannot coerce, and values out of range.
    _setting(
        "LOOKBACK_DAYS",
        "abc",
        "setting sources.calven.lookback_days (SOURCES__CALVEN__LOOKBACK_DAYS): 'abc' is not a "
        "whole number",
    ),
    _setting("MAX_CONCURRENCY", "abc", "(SOURCES__CALVEN__MAX_CONCURRENCY): 'abc' is not a whole"),
    _setting("MAX_WINDOW_DAYS", "thirty", "'thirty' is not a whole number"),
    _setting("FUTURE_DAYS", "2w", "'2w' is not a whole number", "future"),
    _setting(
        "REQUEST_TIMEOUT", "soon", "(SOURCES__CALVEN__REQUEST_TIMEOUT): 'soon' is not a number"
    ),
    _setting("MAX_REQUESTS_PER_SECOND", "fast", "'fast' is not a number"),
    _setting("ALLOW_INSECURE_HTTP", "maybe", "'maybe' is not true or false"),
    _setting("LOOKBACK_DAYS", "-1", "lookback_days must be 0 or more, got -1"),
    _setting("FUTURE_DAYS", "0", "future_days must be between 1 and 366, got 0", "future"),
    _setting("REQUEST_TIMEOUT", "0", "request_timeout must be positive, got 0.0"),
    _setting("MAX_REQUESTS_PER_SECOND", "-2", "max_requests_per_second must be positive"),
    _setting("LOCATIONS", "[nowhere", "locations '[nowhere' is not a JSON list of ids"),
    _setting("LOCATIONS", "nowhere,elsewhere", "unknown location id(s) elsewhere, nowhere"),
    _setting("BASE_URL", "ftp://calven.example.com", "must start with https://"),
    _setting("BASE_URL", "{base_url}/api/v2", "/api/v2/v1/auth answered 404 Not Found", "run"),
    Case(
        "no-credentials-at-all",
        ("run",),
        exit_codes.CONFIG,
        "missing setting(s): sources.calven.credentials.api_key_id "
        "(SOURCES__CALVEN__CREDENTIALS__API_KEY_ID)",
        env={"SOURCES__CALVEN__CREDENTIALS__API_KEY_ID": None},
    ),
    Case(
        "postgres-without-password",
        ("run", "--destination", "postgres"),
        exit_codes.CONFIG,
        "missing setting(s): destination.postgres.credentials.password "
        "(DESTINATION__POSTGRES__CREDENTIALS__PASSWORD)",
        env={"DESTINATION__POSTGRES__CREDENTIALS": "postgresql://loader@127.0.0.1:5432/test"},
    ),
    # Command-line arguments.
    _usage(
        "future-days-0",
        "argument --days: expected a whole number of at least 1",
        "future",
        "--days",
        "0",
    ),
    _usage(
        "future-days-negative",
        "argument --days: expected a whole number of at least 1, got '-3'",
        "future",
        "--days",
        "-3",
    ),
    _usage(
        "checkpoint-windows-0", "argument --checkpoint-windows", "run", "--checkpoint-windows", "0"
    ),
    _usage("checkpoint-rows-abc", "argument --checkpoint-rows", "run", "--checkpoint-rows", "abc"),
    _usage(
        "pipeline-name-slash", "argument --pipeline-name", "run", "--pipeline-name", "prod/calven"
    ),
    _usage(
        "pipeline-name-dunder",
        "argument --pipeline-name: expected letters",
        "run",
        "--pipeline-name",
        "prod__calven",
    ),
    _usage("dataset-name-dot", "argument --dataset-name", "run", "--dataset-name", "my.data"),
    _usage("unknown-command", "argument COMMAND: invalid choice: 'sync'", "sync"),
    _usage("backfill-without-start", "the following arguments are required: --start", "backfill"),
    _usage("demo-no-users", "argument --users", "demo", "--users", "0"),
    Case(
        "backfill-a-dimension",
        ("backfill", "--start", "2026-03-01", "--dataset", "users"),
        exit_codes.CONFIG,
        "backfill takes windowed datasets only",
    ),
    Case(
        "reset-a-dimension",
        ("state", "reset", "--dataset", "users", "--yes"),
        exit_codes.CONFIG,
        "state reset takes windowed datasets only",
    ),
    Case(
        "pipelines-dir-is-a-file",
        ("run", "--pipelines-dir", "afile"),
        exit_codes.CONFIG,
        "--pipelines-dir afile is not a directory",
        files={"afile": b"x"},
    ),
    Case(
        "pipelines-dir-under-a-file",
        ("run", "--pipelines-dir", "afile/state"),
        exit_codes.CONFIG,
        "--pipelines-dir afile/state cannot be created",
        files={"afile": b"x"},
    ),
    # Push sources.
    Case(
        "push-csv-not-utf8",
        ("push", "presence", "--from", "badges.csv"),
        exit_codes.CONFIG,
        "source file 'badges.csv' is not UTF-8 text",
        files={"badges.csv": LATIN1_CSV.encode("latin-1")},
    ),
    Case(
        "push-query-typo",
        ("push", "presence", "--from", "query:selct 1", "--dry-run"),
        exit_codes.CONFIG,
        "--from query: is not valid SQL",
    ),
    Case(
        "push-query-drop",
        ("push", "presence", "--from", "query:drop table calven.users", "--dry-run"),
        exit_codes.CONFIG,
        "found DROP",
    ),
    Case(
        "push-unknown-format",
        ("push", "presence", "--from", "badges.xlsx"),
        exit_codes.CONFIG,
        "cannot tell the format of 'badges.xlsx'",
    ),
    Case(
        "push-missing-file",
        ("push", "presence", "--from", "nowhere.csv"),
        exit_codes.CONFIG,
        "source file 'nowhere.csv' does not exist",
    ),
    Case(
        "push-bad-auth-type",
        ("push", "presence", "--from", "badges.csv"),
        exit_codes.CONFIG,
        "auth_type 'oauth' is not one of",
        env={"SOURCES__CALVEN__PUSH__AUTH_TYPE": "oauth"},
        files={"badges.csv": b"userId,timestamp,locationId,locationType\n"},
    ),
    # check: a refused key is an authentication error, as for every other command.
    Case("check-wrong-role", ("check",), exit_codes.AUTH, "", role="events"),
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
    for name, content in case.files.items():
        (tmp_path / name).write_bytes(content)
    settings = {
        key: value.format(base_url=shared_simulator.base_url)
        for key, value in {**env, **case.env}.items()
        if value is not None
    }
    if case.fake is None:
        result = run_cli(tmp_path, settings, *case.args)
    else:
        with fake_api() as api:
            case.fake(api)
            settings["SOURCES__CALVEN__BASE_URL"] = api.base_url
            result = run_cli(tmp_path, settings, *case.args)

    if case.args[0] == "check":
        assert result.returncode == case.code, result.stdout + result.stderr
        assert "FAILED" in result.stdout and "Traceback" not in result.stderr
        return
    errors = [line for line in result.stderr.splitlines() if line.startswith("calven-sync:")]
    assert result.returncode == case.code, result.stdout + result.stderr
    assert len(errors) == 1, result.stderr
    assert case.message in errors[0], errors[0]
    assert "Traceback" not in result.stderr
    assert _nothing_loaded(tmp_path)


def test_table_has_at_least_forty_five_cases():
    assert len(CASES) >= 45
    assert len({case.id for case in CASES}) == len(CASES)
