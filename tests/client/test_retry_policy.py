"""Pure units of the retry policy, Retry-After parsing and the rate limiter."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime

import pytest

from sources.calven.http.ratelimit import RateLimiter
from sources.calven.http.retry import RetryPolicy, parse_retry_after

NOW = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("Wed, 01 Jan 2025 12:00:30 GMT", 30.0),
        ("Wed, 01 Jan 2025 11:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
    ids=["int", "float", "negative", "http-date", "past-date", "garbage", "empty", "absent"],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


def test_backoff_is_full_jitter_under_a_doubling_capped_ceiling() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=4.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0), (500, 4.0)]:
        samples = [policy.backoff(attempt, rng) for _ in range(200)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8, "jitter should span the whole range"


@pytest.mark.parametrize(
    ("attempt", "elapsed", "retry_after", "expected"),
    [
        (1, 0.0, 5.0, 5.0),
        (1, 0.0, 500.0, 120.0),
        (6, 0.0, 1.0, None),
        (2, 299.0, 5.0, None),
        (2, 100.0, None, "jitter"),
    ],
    ids=["retry-after", "retry-after-capped", "attempts-spent", "time-spent", "backoff"],
)
def test_next_delay(
    attempt: int, elapsed: float, retry_after: float | None, expected: float | str | None
) -> None:
    delay = RetryPolicy().next_delay(attempt, elapsed, retry_after, random.Random(0))
    if expected == "jitter":
        assert delay is not None and 0.0 <= delay <= 1.0
    else:
        assert delay == expected


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts must be at least 1, got 0"):
        RetryPolicy(max_attempts=0)


def test_rate_limiter_paces_across_threads() -> None:
    clock = [0.0]
    waits: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            waits.append(seconds)

    limiter = RateLimiter(4.0, clock=lambda: clock[0], sleep=sleep)
    threads = [threading.Thread(target=limiter.acquire) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Eight starts at 4/s from one instant: slots at 0, .25, ..., 1.75 s.
    assert sorted(waits) == pytest.approx([0.25 * i for i in range(1, 8)])


def test_rate_limiter_unlimited_and_invalid() -> None:
    assert RateLimiter(None).acquire() == 0.0
    with pytest.raises(ValueError, match="must be positive, got 0"):
        RateLimiter(0)
