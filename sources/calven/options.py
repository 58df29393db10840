"""Validated settings of one source invocation, built from dlt-injected configuration.

Every check names the setting, what arrived and what was expected, so a typo in config.toml or
an environment variable fails before a single request is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import get_args

import pendulum

from sources.calven.auth import AuthType
from sources.calven.errors import ConfigError
from sources.calven.settings import DEFAULT_HISTORY_DAYS
from sources.calven.windows import MAX_WINDOW_DAYS, Interval


def parse_date(name: str, value: str | date | None) -> date | None:
    """Parse a YYYY-MM-DD setting; ConfigError naming ``name`` otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        parsed = pendulum.parse(str(value), strict=False)
    except (ValueError, pendulum.parsing.exceptions.ParserError) as exc:
        raise ConfigError(f"{name} '{value}' is not a date (expected YYYY-MM-DD)") from exc
    if not isinstance(parsed, pendulum.Date):
        raise ConfigError(f"{name} '{value}' is not a date (expected YYYY-MM-DD)")
    return date(parsed.year, parsed.month, parsed.day)


def utc_today() -> date:
    today = pendulum.now("UTC")
    return date(today.year, today.month, today.day)


@dataclass(frozen=True)
class SourceOptions:
    base_url: str
    auth_type: AuthType
    start: date
    end: date
    """Exclusive: the first day not loaded (today by default)."""
    today: date
    lookback_days: int
    max_window_days: int
    future_days: int
    locations: tuple[str, ...] | None
    max_concurrency: int
    max_requests_per_second: float | None
    allow_insecure_http: bool
    request_timeout: float

    @property
    def wanted(self) -> Interval:
        return (self.start, self.end)

    @property
    def future(self) -> Interval:
        return (self.today, self.today + timedelta(days=self.future_days))


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def build_options(
    *,
    base_url: str,
    auth_type: str,
    start_date: str | date | None,
    end_date: str | date | None,
    today: str | date | None,
    lookback_days: int,
    max_window_days: int,
    future_days: int,
    locations: Sequence[str] | None,
    max_concurrency: int,
    max_requests_per_second: float | None,
    allow_insecure_http: bool,
    request_timeout: float,
) -> SourceOptions:
    """Validate raw settings; raises ConfigError with the first problem found."""
    valid_auth = get_args(AuthType)
    _require(
        auth_type in valid_auth,
        f"auth_type '{auth_type}' is not one of {', '.join(valid_auth)}",
    )
    _require(
        base_url.startswith(("http://", "https://")),
        f"base_url '{base_url}' must start with https:// (or http:// for a local server)",
    )
    current = parse_date("today", today) or utc_today()
    end = parse_date("end_date", end_date) or current
    start = parse_date("start_date", start_date) or current - timedelta(days=DEFAULT_HISTORY_DAYS)
    _require(start <= current, f"start_date {start} is in the future (today is {current} UTC)")
    _require(end <= current, f"end_date {end} is in the future (today is {current} UTC)")
    _require(start < end, f"start_date {start} must be before end_date {end}")
    _require(
        1 <= max_window_days <= MAX_WINDOW_DAYS,
        f"max_window_days must be between 1 and {MAX_WINDOW_DAYS}, got {max_window_days}",
    )
    _require(lookback_days >= 0, f"lookback_days must be 0 or more, got {lookback_days}")
    _require(0 <= future_days <= 366, f"future_days must be between 0 and 366, got {future_days}")
    _require(max_concurrency >= 1, f"max_concurrency must be 1 or more, got {max_concurrency}")
    _require(
        max_requests_per_second is None or max_requests_per_second > 0,
        f"max_requests_per_second must be positive, got {max_requests_per_second}",
    )
    _require(request_timeout > 0, f"request_timeout must be positive, got {request_timeout}")
    return SourceOptions(
        base_url=base_url.rstrip("/"),
        auth_type=auth_type,  # type: ignore[arg-type]
        start=start,
        end=end,
        today=current,
        lookback_days=lookback_days,
        max_window_days=max_window_days,
        future_days=future_days,
        locations=tuple(locations) if locations else None,
        max_concurrency=max_concurrency,
        max_requests_per_second=max_requests_per_second,
        allow_insecure_http=allow_insecure_http,
        request_timeout=request_timeout,
    )
