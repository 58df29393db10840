"""Every setting of the source and of push, its default and its check, in one dlt configspec.

``resolve_config()`` reads ``[sources.calven]`` (push: ``[sources.calven.push]``, falling back
to ``[sources.calven]`` key by key, the dlt way) and their ``SOURCES__CALVEN__...`` environment
variables, applies explicit overrides (CLI flags, tests), and checks the result once: every
error names the setting (or the flag it came from; the environment variable where a value
could not be read), what arrived and what was expected. The
dates are pinned when the configuration is checked, so a run that crosses midnight UTC keeps
the range it started with. ``CalvenConfig.client()`` builds the HTTP client from it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, get_args

import orjson
import pendulum
from dlt.common.configuration import configspec, resolve_configuration
from dlt.common.configuration.exceptions import (
    ConfigFieldMissingException,
    ConfigurationException,
    ConfigValueCannotBeCoercedException,
    LookupTrace,
    LookupTraces,
)
from dlt.common.configuration.specs import BaseConfiguration

from sources.calven.credentials import CalvenCredentials
from sources.calven.errors import ConfigError
from sources.calven.http.auth import AuthType
from sources.calven.http.client import CalvenClient
from sources.calven.incremental.shards import Shard
from sources.calven.incremental.windows import MAX_WINDOW_DAYS, Interval

SOURCE_SECTIONS = ("sources", "calven")
PUSH_SECTIONS = ("sources", "calven", "push")
DEFAULT_BASE_URL = "https://api.calven.com"
DEFAULT_LOOKBACK_DAYS = 7
DEFAULT_HISTORY_DAYS = 365
"""start_date when unset: this many days before today."""
DEFAULT_FUTURE_DAYS = 14
DEFAULT_MAX_CONCURRENCY = 8
DATE_FORMAT = "YYYY-MM-DD"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
RANGES: dict[str, tuple[int, int | None]] = {
    "max_window_days": (1, MAX_WINDOW_DAYS),
    "lookback_days": (0, None),
    "future_days": (1, 366),
    "max_concurrency": (1, None),
}
"""Whole-number settings: lowest and highest accepted value (None: no upper bound)."""
POSITIVE = ("max_requests_per_second", "request_timeout")
KINDS = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}


def parse_day(name: str, value: str | date) -> date:
    """A day given as ``YYYY-MM-DD`` (the only text form accepted: 01/10/2026 is ambiguous).

    Raises:
        ConfigError: naming ``name``, what arrived and the accepted format.
    """
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ConfigError(f"{name} '{value}' is not a date (expected {DATE_FORMAT}, e.g. 2026-01-31)")


def utc_today() -> date:
    today = pendulum.now("UTC")
    return date(today.year, today.month, today.day)


def _location_ids(value: Any) -> tuple[str, ...] | None:
    """A list, a JSON list or a comma list of ids; None (all locations) when empty."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                raise ConfigError(
                    f"locations '{value}' is not a JSON list of ids nor a comma list (id,id)"
                ) from exc
        else:
            value = text.split(",")
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"locations {value!r} must be a list of location ids or a comma list")
    ids = tuple(dict.fromkeys(v.strip() for v in value if v.strip()))
    return ids or None


@configspec
class CalvenConfig(BaseConfiguration):
    """The settings of ``[sources.calven]``; see the README's table for their meaning."""

    credentials: CalvenCredentials = None  # type: ignore[assignment]
    base_url: str = DEFAULT_BASE_URL
    auth_type: str = "hmac"
    start_date: str | None = None
    """First day to load; pinned to 365 days before ``today`` by ``check()`` when unset."""
    end_date: str | None = None
    """First day *not* loaded; pinned to ``today`` by ``check()`` when unset."""
    today: str | None = None
    """The current UTC day, pinned by ``check()`` (set it for reproducible runs)."""
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    max_window_days: int = MAX_WINDOW_DAYS
    locations: Any | None = None
    """Location ids: a list, or in an environment variable a JSON list or ``id,id``."""
    shard: str | None = None
    """``K/N``: only the locations of shard K of N (``sources.calven.incremental.shards``)."""
    future_days: int = DEFAULT_FUTURE_DAYS
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    max_requests_per_second: float | None = None
    allow_insecure_http: bool = False
    request_timeout: float = 60.0

    @property
    def day(self) -> date:
        """Today (UTC) as pinned by ``check()``."""
        return parse_day("today", self.today or utc_today())

    @property
    def start(self) -> date:
        return parse_day("start_date", self.start_date or self.day)

    @property
    def end(self) -> date:
        return parse_day("end_date", self.end_date or self.day)

    @property
    def wanted(self) -> Interval:
        return (self.start, self.end)

    @property
    def future(self) -> Interval:
        return (self.day, self.day + timedelta(days=self.future_days))

    @property
    def location_ids(self) -> tuple[str, ...] | None:
        return _location_ids(self.locations)

    @property
    def in_shard(self) -> Shard | None:
        return Shard.parse(self.shard, "shard") if self.shard else None

    def check(self, flags: Mapping[str, str] | None = None) -> CalvenConfig:
        """Validate every setting and pin the dates; ConfigError with the first problem.

        Args:
            flags: The command-line flag a setting came from (``{"start_date": "--start"}``),
                named in messages instead of the setting.
        """
        named = dict(flags or {})

        def n(setting: str) -> str:
            return named.get(setting, setting)

        valid_auth = get_args(AuthType)
        _require(
            self.auth_type in valid_auth,
            f"auth_type '{self.auth_type}' is not one of {', '.join(valid_auth)}",
        )
        _require(
            self.base_url.startswith(("http://", "https://")),
            f"base_url '{self.base_url}' must start with https:// (or http:// for a local server)",
        )
        self.base_url = self.base_url.rstrip("/")
        today = parse_day(n("today"), self.today) if self.today else utc_today()
        self.today = today.isoformat()
        default_start = today - timedelta(days=DEFAULT_HISTORY_DAYS)
        start = parse_day(n("start_date"), self.start_date) if self.start_date else default_start
        end = parse_day(n("end_date"), self.end_date) if self.end_date else today
        future = f"is in the future (today is {today} UTC)"
        _require(start <= today, f"{n('start_date')} {start} {future}")
        _require(end <= today, f"{n('end_date')} {end} {future}")
        _require(start < end, f"{n('start_date')} {start} must be before {n('end_date')} {end}")
        self.start_date, self.end_date = start.isoformat(), end.isoformat()
        for name, (lowest, highest) in RANGES.items():
            value = getattr(self, name)
            if highest is not None:
                _require(
                    lowest <= value <= highest,
                    f"{n(name)} must be between {lowest} and {highest}, got {value}",
                )
            _require(value >= lowest, f"{n(name)} must be {lowest} or more, got {value}")
        for name in POSITIVE:
            value = getattr(self, name)
            _require(value is None or value > 0, f"{n(name)} must be positive, got {value}")
        self.locations = _location_ids(self.locations)
        if self.shard is not None:
            self.shard = str(Shard.parse(self.shard, n("shard")))
        self.credentials.pair()
        return self

    def client(self) -> CalvenClient:
        """A client with these settings (call ``check()`` first)."""
        key_id, secret = self.credentials.pair()
        return CalvenClient(
            self.base_url,
            self.auth_type,  # type: ignore[arg-type]
            key_id,
            secret,
            max_concurrency=self.max_concurrency,
            max_requests_per_second=self.max_requests_per_second,
            timeout=self.request_timeout,
            allow_insecure_http=self.allow_insecure_http,
        )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def resolve_config(
    sections: tuple[str, ...] = SOURCE_SECTIONS,
    overrides: Mapping[str, Any] | None = None,
    flags: Mapping[str, str] | None = None,
) -> CalvenConfig:
    """The checked configuration: config files and environment, then ``overrides``.

    Overrides whose value is None are ignored, so unset CLI flags keep the configured value;
    ``flags`` names the flag each override came from, for messages (see ``check``).
    """
    explicit = {key: value for key, value in (overrides or {}).items() if value is not None}
    unknown = sorted(set(explicit) - set(CalvenConfig.get_resolvable_fields()))
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)}")
    try:
        config = resolve_configuration(CalvenConfig(), sections=sections, explicit_value=explicit)
    except ConfigValueCannotBeCoercedException as exc:
        raise ConfigError(coercion_message(exc, sections)) from None
    except ConfigFieldMissingException as exc:
        raise ConfigError(missing_message(exc)) from None
    except ConfigurationException as exc:
        raise ConfigError(" ".join(str(exc).split())) from None
    return config.check(flags)


def coercion_message(exc: ConfigValueCannotBeCoercedException, sections: Sequence[str]) -> str:
    """``max_concurrency`` (SOURCES__CALVEN__MAX_CONCURRENCY): 'abc' is not a whole number."""
    key = ".".join((*sections, exc.field_name))
    env = key.upper().replace(".", "__")
    hint = exc.hint
    for option in get_args(hint) or (hint,):
        if option in KINDS:
            expected = KINDS[option]
            break
    else:
        expected = f"a value of type {getattr(hint, '__name__', hint)}"
    return f"setting {key} ({env}): {exc.field_value!r} is not {expected}"


def missing_message(exc: ConfigFieldMissingException) -> str:
    """Which settings dlt could not find, each with its config key and environment variable."""
    missing = [_lookup_names(field, traces) for field, traces in _missing_fields(exc.traces)]
    return f"missing setting(s): {'; '.join(missing)} (in .dlt/secrets.toml or the environment)"


def _missing_fields(
    traces: Mapping[str, Sequence[Any]],
) -> list[tuple[str, Sequence[LookupTrace]]]:
    found: list[tuple[str, Sequence[LookupTrace]]] = []
    for field, field_traces in traces.items():
        nested = [t for t in field_traces if isinstance(t, LookupTraces)]
        if nested:
            found += _missing_fields(nested[0].traces)
        else:
            found.append((field, field_traces))
    return found


def _lookup_names(field: str, traces: Sequence[LookupTrace]) -> str:
    """``a.b.field (A__B__FIELD)``: the most specific place dlt looked."""
    if not traces:
        return field
    sections = [s for s in traces[0].sections if s]
    key = ".".join((*sections, field))
    return f"{key} ({key.upper().replace('.', '__')})"
