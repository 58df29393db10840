"""The bad-input table, part one: the API, credentials and every setting.

Each ``Case`` is a command a user might run with one thing wrong, the exit code it must end in
and the text its one ``calven-sync:`` line must hold (``test_bad_input`` runs them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipelines import exit_codes

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


def setting(name: str, value: str, message: str, *args: str, code: int = 2) -> Case:
    """A bad value of one ``[sources.calven]`` setting, given as its environment variable."""
    return Case(
        f"{name.lower()}-{value or 'empty'}",
        args or ("run",),
        code,
        message,
        env={f"SOURCES__CALVEN__{name}": value},
    )


def usage(case_id: str, message: str, *args: str) -> Case:
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


API_CASES = [
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
SETTING_CASES = [
    Case(
        "secret-in-config-toml",
        ("run",),
        exit_codes.CONFIG,
        "Provider `config.toml` cannot hold secret values",
        files={".dlt/config.toml": b'[sources.calven.credentials]\napi_secret = "oops"\n'},
    ),
    # Dates: YYYY-MM-DD only, wherever they enter.
    setting(
        "START_DATE", "01/10/2026", "start_date '01/10/2026' is not a date (expected YYYY-MM-DD"
    ),
    setting("END_DATE", "20260301", "end_date '20260301' is not a date (expected YYYY-MM-DD"),
    setting("TODAY", "18.03.2026", "today '18.03.2026' is not a date (expected YYYY-MM-DD"),
    usage(
        "backfill-start-us",
        "argument --start: expected a date YYYY-MM-DD (e.g. 2026-01-31), got '01/11/2026'",
        "backfill",
        "--start",
        "01/11/2026",
    ),
    usage(
        "backfill-end-us",
        "argument --end: expected a date YYYY-MM-DD",
        *("backfill", "--start", "2026-02-01", "--end", "3/1/2026"),
    ),
    usage("today-flag", "argument --today: expected a date", "run", "--today", "yesterday"),
    # Values dlt cannot coerce, and values out of range.
    setting(
        "LOOKBACK_DAYS",
        "abc",
        "setting sources.calven.lookback_days (SOURCES__CALVEN__LOOKBACK_DAYS): 'abc' is not a "
        "whole number",
    ),
    setting("MAX_CONCURRENCY", "abc", "(SOURCES__CALVEN__MAX_CONCURRENCY): 'abc' is not a whole"),
    setting("MAX_WINDOW_DAYS", "thirty", "'thirty' is not a whole number"),
    setting("FUTURE_DAYS", "2w", "'2w' is not a whole number", "future"),
    setting(
        "REQUEST_TIMEOUT", "soon", "(SOURCES__CALVEN__REQUEST_TIMEOUT): 'soon' is not a number"
    ),
    setting("MAX_REQUESTS_PER_SECOND", "fast", "'fast' is not a number"),
    setting("ALLOW_INSECURE_HTTP", "maybe", "'maybe' is not true or false"),
    setting("LOOKBACK_DAYS", "-1", "lookback_days must be 0 or more, got -1"),
    setting("FUTURE_DAYS", "0", "future_days must be between 1 and 366, got 0", "future"),
    setting("REQUEST_TIMEOUT", "0", "request_timeout must be positive, got 0.0"),
    setting("MAX_REQUESTS_PER_SECOND", "-2", "max_requests_per_second must be positive"),
    setting("LOCATIONS", "[nowhere", "locations '[nowhere' is not a JSON list of ids"),
    setting("LOCATIONS", "nowhere,elsewhere", "unknown location id(s) elsewhere, nowhere"),
    setting("BASE_URL", "ftp://calven.example.com", "must start with https://"),
    setting("BASE_URL", "{base_url}/api/v2", "/api/v2/v1/auth answered 404 Not Found", "run"),
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
]
