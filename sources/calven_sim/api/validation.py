"""Query-string rules of the warehouse endpoints: names, dates, the 30-day limit, id lists."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from starlette.datastructures import QueryParams

from sources.calven_sim.api.errors import ApiError

MAX_RANGE_DAYS = 30
_COMPACT = re.compile(r"\d{8}")
_DASHED = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T.+")


def check_params(params: QueryParams, allowed: frozenset[str]) -> dict[str, str]:
    """The query parameters as a dict, refusing unknown and repeated names with 400."""
    names = [name for name, _ in params.multi_items()]
    for name in names:
        if name not in allowed:
            expected = ", ".join(sorted(allowed)) or "none"
            raise ApiError(400, f"unknown query parameter {name!r}; allowed: {expected}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ApiError(400, f"query parameter {repeated[0]!r} is given more than once")
    return dict(params)


def parse_day(name: str, value: str) -> date:
    """A ``YYYYMMDD``, ``YYYY-MM-DD`` or ISO timestamp parameter as its UTC calendar day."""
    text = value.strip()
    try:
        if _COMPACT.fullmatch(text):
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if _DASHED.fullmatch(text):
            return date.fromisoformat(text)
        if _TIMESTAMP.fullmatch(text):
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC)
            return moment.date()
    except ValueError:
        pass
    raise ApiError(400, f"{name} must be YYYYMMDD, YYYY-MM-DD or an ISO timestamp")


def day_range(start: str, end: str) -> tuple[date, date]:
    """An inclusive day range of at most 30 days, ``startDate`` first."""
    first, last = parse_day("startDate", start), parse_day("endDate", end)
    if last < first:
        raise ApiError(400, "endDate is before startDate")
    days = (last - first).days + 1
    if days > MAX_RANGE_DAYS:
        raise ApiError(
            400, f"date range is {days} days; the limit is {MAX_RANGE_DAYS} days (inclusive)"
        )
    return first, last


def id_list(name: str, value: str | None) -> list[str] | None:
    """A comma-separated id filter; None when the parameter is absent."""
    if value is None:
        return None
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if not ids:
        raise ApiError(400, f"{name} must list at least one id")
    return ids
