"""Shared helpers of the client tests."""

from __future__ import annotations

from sources.calven.http.client import RetryPolicy

FAST_RETRY = RetryPolicy(max_attempts=4, backoff_base=0.001, backoff_max=0.01, max_total_seconds=10)
"""Real backoff shape, tiny waits: keeps retry tests fast."""
