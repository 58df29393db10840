"""Half-open day windows and interval arithmetic on UTC calendar dates.

Everything here is pure: no I/O, no clock. A window ``[start, end)`` covers the days ``start``
up to but excluding ``end``; the API's inclusive ``endDate`` is ``end - 1 day`` (README, "API
assumptions"). Interval lists are kept *normalized*: sorted, non-empty, non-overlapping and
non-adjacent, so that state built from them stays small.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)
MAX_WINDOW_DAYS = 30
"""The API's longest query range ("Generally, 30 days is the longest query range")."""


@dataclass(frozen=True, order=True)
class Window:
    """A half-open range of UTC days ``[start, end)``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"Window end {self.end} must be after start {self.start}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - ONE_DAY

    def query(self) -> dict[str, str]:
        """The API's inclusive ``startDate``/``endDate`` parameters for this window."""
        return {"startDate": self.start.isoformat(), "endDate": self.last_day.isoformat()}

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.last_day.isoformat()}"


Interval = tuple[date, date]


def normalize(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge overlapping or adjacent half-open intervals; drop empty ones."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(wanted: Interval, covered: Iterable[Interval]) -> list[Interval]:
    """The parts of ``wanted`` that no interval in ``covered`` contains."""
    gaps: list[Interval] = []
    cursor, stop = wanted
    for start, end in normalize(covered):
        if end <= cursor:
            continue
        if start >= stop:
            break
        if start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < stop:
        gaps.append((cursor, stop))
    return gaps


def intersect(a: Interval, b: Interval) -> Interval | None:
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return (start, end) if end > start else None


def split(intervals: Iterable[Interval], max_days: int = MAX_WINDOW_DAYS) -> Iterator[Window]:
    """Cover the normalized ``intervals`` with consecutive windows of at most ``max_days``.

    Windows never overlap and leave no gap inside an interval; they are aligned to each
    interval's start, so the same interval always yields the same windows.
    """
    if not 1 <= max_days <= MAX_WINDOW_DAYS:
        raise ValueError(f"max_days must be between 1 and {MAX_WINDOW_DAYS}, got {max_days}")
    step = timedelta(days=max_days)
    for start, end in normalize(intervals):
        while start < end:
            window_end = min(start + step, end)
            yield Window(start, window_end)
            start = window_end
