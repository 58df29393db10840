"""The floor: the same HTTP requests fetched with httpx at the same concurrency, then the bodies
bulk-loaded into DuckDB with nothing else (no validation, no state, no dlt).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import httpx

ENDPOINTS = {
    "bookings_attendance": ("/v1/analytics/user-booking-attendance/basic", "locationId"),
    "presence": ("/v1/analytics/presence/basic", "locationIds"),
}


@dataclass(frozen=True)
class FloorResult:
    rows: int
    fetch_seconds: float
    """The requests alone: every body fetched, nothing loaded yet."""


@dataclass(frozen=True)
class Request:
    """One warehouse read: a dataset, a location and a half-open window of days."""

    dataset: str
    location: str
    start: dt.date
    end: dt.date

    @property
    def path(self) -> str:
        return ENDPOINTS[self.dataset][0]

    @property
    def params(self) -> dict[str, str]:
        last = self.end - dt.timedelta(days=1)
        return {
            "startDate": self.start.isoformat(),
            "endDate": last.isoformat(),
            ENDPOINTS[self.dataset][1]: self.location,
        }


def windows(start: dt.date, end: dt.date, days: int = 30) -> list[tuple[dt.date, dt.date]]:
    """``[start, end)`` cut into windows of ``days``, the first aligned at ``start``."""
    out = []
    while start < end:
        out.append((start, min(start + dt.timedelta(days=days), end)))
        start = out[-1][1]
    return out


def plan(datasets: list[str], locations: list[str], start: dt.date, end: dt.date) -> list[Request]:
    return [
        Request(dataset, location, a, b)
        for dataset in datasets
        for location in locations
        for a, b in windows(start, end)
    ]


def run_floor(
    base_url: str, key_id: str, secret: str, requests: list[Request], concurrency: int, db: Path
) -> FloorResult:
    """Fetch every request into a file, then one ``read_json`` per dataset."""
    with tempfile.TemporaryDirectory(prefix="calven-floor-") as tmp:
        started = time.perf_counter()
        # One connection per worker thread, all kept alive between requests (httpx keeps at most
        # 20 by default): the benchmarks' simulator log shows ``concurrency`` requests in flight.
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        with httpx.Client(
            base_url=base_url, auth=(key_id, secret), timeout=300, limits=limits
        ) as client:

            def fetch(numbered: tuple[int, Request]) -> Path:
                number, request = numbered
                target = Path(tmp) / f"{request.dataset}-{number}.json"
                with (
                    client.stream("GET", request.path, params=request.params) as response,
                    target.open("wb") as sink,
                ):
                    response.raise_for_status()
                    for chunk in response.iter_raw():
                        sink.write(chunk)
                return target

            with ThreadPoolExecutor(concurrency) as pool:
                files = list(pool.map(fetch, enumerate(requests)))
        fetch_seconds = time.perf_counter() - started
        rows = 0
        with duckdb.connect(str(db)) as con:
            for dataset in dict.fromkeys(r.dataset for r in requests):
                mine = [str(f) for f in files if f.name.startswith(f"{dataset}-")]
                con.execute(
                    f"create or replace table {dataset} as "
                    f"select * from read_json({mine!r}, format = 'array')"
                )
                rows += con.execute(f"select count(*) from {dataset}").fetchone()[0]
        return FloorResult(rows, fetch_seconds)
