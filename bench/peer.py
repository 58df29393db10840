"""The baseline: a plain dlt source written the obvious way, as a newcomer to dlt would.

One resource per dataset, one request per (location, window), the parsed JSON list handed to
dlt as is (a dict per record), dlt's defaults for everything else (normalizer, loader file
format, no concurrency). Same windows and write dispositions as the real source.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import dlt
import httpx

from bench.floor import Request


@dlt.source(name="peer")
def peer_source(base_url: str, key_id: str, secret: str, requests: Sequence[Request]) -> Any:
    """bookings_attendance and presence, from ``requests`` (Basic auth, one after another)."""

    def fetch(dataset: str) -> Iterator[list[dict[str, Any]]]:
        with httpx.Client(base_url=base_url, auth=(key_id, secret), timeout=300) as client:
            for request in requests:
                if request.dataset == dataset:
                    response = client.get(request.path, params=request.params)
                    response.raise_for_status()
                    yield response.json()

    yield dlt.resource(
        fetch("bookings_attendance"),
        name="bookings_attendance",
        write_disposition="merge",
        primary_key=("user_id", "day"),
    )
    yield dlt.resource(
        fetch("presence"), name="presence", write_disposition="merge", primary_key="presence_id"
    )
