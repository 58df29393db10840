"""The retry policy: which statuses are retried, how long to back off, ``Retry-After``.

Pure functions; the loop that sleeps and counts lives in ``sources.calven.http.client``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the client tries before giving up on one request.

    Attributes:
        max_attempts: attempts in total, the first one included.
        backoff_base: first backoff ceiling in seconds; doubles per attempt (full jitter).
        backoff_max: largest backoff ceiling in seconds.
        max_total_seconds: no retry starts once this much time has passed since the first attempt,
            nor a wait that would end after it.
        max_retry_after: a server's ``Retry-After`` is honoured up to this many seconds.
    """

    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_total_seconds: float = 300.0
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        for name in ("backoff_base", "backoff_max", "max_total_seconds", "max_retry_after"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full-jitter backoff after the ``attempt``-th failed attempt (1-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** min(attempt - 1, 62))
        return (rng or random).uniform(0.0, ceiling)

    def next_delay(
        self,
        attempt: int,
        elapsed: float,
        retry_after: float | None,
        rng: random.Random | None = None,
    ) -> float | None:
        """Seconds to wait before the next attempt, or None when the budget is spent.

        Args:
            attempt: the attempt that just failed (1-based).
            elapsed: seconds since the first attempt started.
            retry_after: the server's ``Retry-After`` in seconds, if any.
            rng: random source for the jitter (tests pass a seeded one).
        """
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None:
            delay = min(max(retry_after, 0.0), self.max_retry_after)
        else:
            delay = self.backoff(attempt, rng)
        if elapsed + delay > self.max_total_seconds:
            return None
        return delay


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
