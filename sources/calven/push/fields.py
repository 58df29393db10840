"""Parsers for one source value each: what arrived (CSV text, JSON, Arrow) -> the API's JSON value.

Every parser returns the value to send or raises ``FieldError`` with a reason that names what
was expected. Missing values (None, an empty string, a float NaN) are handled by the caller, so
parsers only see something present.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson

from sources.calven.config import parse_day
from sources.calven.errors import ConfigError

Parser = Callable[[Any], Any]

_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


class FieldError(ValueError):
    """A present value that cannot become what the API expects."""


def is_missing(value: Any) -> bool:
    """None, blank text or NaN: the column has no value in this row."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def text(value: Any) -> str:
    """A string; whole numbers (a numeric id column) become their decimal text."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal | float) and value == int(value):
        return str(int(value))
    raise FieldError(f"expected text, got {type(value).__name__} {value!r}")


def timestamp(value: Any) -> str:
    """An ISO-8601 date-time as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC; naive means UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        raw = value.strip()
        if len(raw) <= 10:
            raise FieldError(f"expected an ISO-8601 date-time with a time of day, got {raw!r}")
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise FieldError(f"expected an ISO-8601 date-time, got {raw!r}") from None
    else:
        raise FieldError(f"expected an ISO-8601 date-time, got {type(value).__name__} {value!r}")
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def day(value: Any) -> str:
    """A calendar day as ``YYYY-MM-DD``; an ISO date-time counts by its UTC date."""
    if isinstance(value, datetime):
        return timestamp(value)[:10]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        raw = value.strip()
        try:
            return parse_day("day", raw).isoformat() if len(raw) <= 10 else timestamp(raw)[:10]
        except (ConfigError, FieldError):
            raise FieldError(f"expected a date YYYY-MM-DD, got {raw!r}") from None
    raise FieldError(f"expected a date YYYY-MM-DD, got {type(value).__name__} {value!r}")


def boolean(value: Any) -> bool:
    """true/false, also as text (true/false, yes/no, 1/0) or the numbers 0 and 1."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise FieldError(f"expected true or false, got {value!r}")


def count(value: Any) -> int:
    """A whole number of 0 or more (``3``, ``"3"``, ``3.0``)."""
    number: Any = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise FieldError(f"expected a whole number >= 0, got {value!r}") from None
    if isinstance(number, bool) or not isinstance(number, int | float | Decimal):
        raise FieldError(f"expected a whole number >= 0, got {type(value).__name__} {value!r}")
    if not math.isfinite(number) or number != int(number) or number < 0:
        raise FieldError(f"expected a whole number >= 0, got {value!r}")
    return int(number)


def one_of(*allowed: str) -> Parser:
    """A parser accepting ``allowed`` in any letter case and sending it in the documented case."""
    by_lower = {option.lower(): option for option in allowed}

    def parse(value: Any) -> str:
        if isinstance(value, str) and value.strip().lower() in by_lower:
            return by_lower[value.strip().lower()]
        raise FieldError(f"expected one of {', '.join(allowed)}, got {value!r}")

    return parse


def json_list(value: Any) -> list[Any]:
    """A list, or JSON text holding one (how a CSV carries a nested list)."""
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise FieldError("expected a JSON array") from None
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return list(value)
    raise FieldError(f"expected a list, got {type(value).__name__}")
