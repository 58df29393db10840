"""The request budget: ``max_concurrency`` requests in flight, parsing outside of it.

A short body is read whole and its connection returned before it is parsed, so the next
request is under way meanwhile; the server never sees more than ``max_concurrency`` at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial

import httpx
import pyarrow as pa
import pytest

from sources.calven.arrow.framing import MIN_BLOCK_BYTES, Block
from sources.calven.arrow.spool import Parse
from sources.calven.arrow.tables import parse_block
from sources.calven.catalog import BOOKINGS_ATTENDANCE
from sources.calven.http.client import CalvenClient
from sources.calven.http.sending import reads_whole
from sources.calven_sim.control import SimulatorConfig
from sources.calven_sim.faults import Latency
from sources.calven_sim.server import RunningSimulator, run_simulator
from sources.calven_sim.tenant import TenantConfig

TODAY = date(2025, 3, 1)
BOOKINGS = BOOKINGS_ATTENDANCE.path


@pytest.fixture(scope="module")
def slow() -> Iterator[RunningSimulator]:
    """Every request takes 50 ms, so concurrent ones overlap at the server."""
    tenant = TenantConfig(users=20, locations=1, history_days=40, future_days=0, today=TODAY)
    with run_simulator(SimulatorConfig(tenant=tenant, latency=Latency(fixed_ms=50))) as running:
        yield running


def connect(sim: RunningSimulator, max_concurrency: int) -> CalvenClient:
    key = sim.key("warehouse", basic=True)
    return CalvenClient(
        sim.base_url, "basic", key.key_id, key.secret, max_concurrency=max_concurrency
    )


def day_windows(count: int) -> list[dict[str, str]]:
    days = [TODAY - timedelta(days=d) for d in range(1, count + 1)]
    return [{"startDate": d.isoformat(), "endDate": d.isoformat()} for d in days]


def fetch_days(sim: RunningSimulator, max_concurrency: int, days: int, parse: Parse) -> None:
    """Submit one window per day, ``days`` of them, and wait for all."""
    with connect(sim, max_concurrency) as client:
        futures = [
            client.submit_tables(BOOKINGS, window, parse=parse, keys=BOOKINGS_ATTENDANCE.key_fields)
            for window in day_windows(days)
        ]
        for future in futures:
            future.result().close()


def data_requests(sim: RunningSimulator) -> int:
    return len(sim.sim.requests(BOOKINGS))


def test_a_short_body_is_parsed_while_the_next_request_is_under_way(
    slow: RunningSimulator,
) -> None:
    """One request at a time, two windows: the first one's parse waits until the server has
    the second request, which it could not have if parsing held the only slot."""
    slow.sim.clear_requests()
    seen_while_parsing: list[int] = []
    first = threading.Lock()

    def parse(run: Block) -> pa.Table:
        if first.acquire(blocking=False):
            deadline = time.monotonic() + 5
            while data_requests(slow) < 2 and time.monotonic() < deadline:
                time.sleep(0.005)
            seen_while_parsing.append(data_requests(slow))
        return parse_block(run, BOOKINGS_ATTENDANCE)

    fetch_days(slow, max_concurrency=1, days=2, parse=parse)
    assert seen_while_parsing == [2]


def test_the_server_never_has_more_than_max_concurrency_requests(slow: RunningSimulator) -> None:
    slow.sim.clear_requests()
    fetch_days(
        slow, max_concurrency=2, days=10, parse=partial(parse_block, dataset=BOOKINGS_ATTENDANCE)
    )
    entries = slow.sim.requests(BOOKINGS)
    assert len(entries) == 10
    events = sorted(
        [(e.time, 1) for e in entries]
        + [(e.time + (e.duration_ms or 0) / 1000, -1) for e in entries]
    )
    most = running = 0
    for _, change in events:
        running += change
        most = max(most, running)
    assert most == 2


@pytest.mark.parametrize(
    ("headers", "whole"),
    [
        ({"Content-Length": "1000"}, True),
        ({"Content-Length": str(MIN_BLOCK_BYTES)}, True),
        ({"Content-Length": str(MIN_BLOCK_BYTES + 1)}, False),
        ({"Transfer-Encoding": "chunked"}, False),
        ({"Content-Length": "1000", "Content-Encoding": "gzip"}, False),
        ({"Content-Length": "1000, 1000"}, False),
    ],
    ids=["short", "one run", "longer", "unknown length", "compressed", "not a number"],
)
def test_which_bodies_are_read_whole(headers: dict[str, str], whole: bool) -> None:
    assert reads_whole(httpx.Response(200, headers=headers)) is whole
