"""Benchmark 2, latency: 40 locations x 12 windows of bookings with 100 ms added per request.

At ``max_concurrency`` 8 and 16, ours is measured side by side with the floor (``bench/floor.py``
doing the same windows at the same concurrency, against the same warm simulator): ours / floor is
the target. The ideal (``ceil(windows / concurrency)`` round trips of pure latency) and the fixed
cost (a run that loads only ``users``) are context. Every measured run's window requests are read
back from the simulator's log: their number, and how many were in flight at once, which shows
that both sides really ran at the requested concurrency (a floor that did not fails the row).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from bench.harness import Measured, Simulator, run_child, simulator
from bench.report import Results
from bench.runs import Runner, common, median_run, median_seconds, side_by_side, warm
from bench.sizes import Sizes

DATASET = "bookings_attendance"
CONCURRENCIES = (8, 16)
TARGET = 1.3
WINDOW_PATH = "/v1/analytics/user-booking-attendance"
"""Ours (token auth) and the floor (``/basic``) read the same endpoint under this prefix."""


def peak_in_flight(entries: Iterable[dict[str, Any]]) -> int:
    """The most requests the simulator was handling at once, from its log's start times and
    durations."""
    events: list[tuple[float, int]] = []
    for entry in entries:
        start = float(entry["time"])
        events += [(start, 1), (start + float(entry["duration_ms"] or 0) / 1000, -1)]
    peak = current = 0
    for _, step in sorted(events):  # an end sorts before a start at the same instant
        current += step
        peak = max(peak, current)
    return peak


def logged(sim: Simulator) -> Runner:
    """``run_child`` with the simulator's log cleared before and read after: the report gains
    ``windows`` (window requests received) and ``in_flight`` (their peak concurrency)."""

    def run(args: Sequence[str]) -> Measured:
        sim.control("DELETE", "requests")
        measured = run_child(args)
        log = [e for e in sim.control("GET", "requests") if e["path"].startswith(WINDOW_PATH)]
        report = {**measured.report, "windows": len(log), "in_flight": peak_in_flight(log)}
        return Measured(report, measured.peak_rss_mb)

    return run


def bench_latency(sizes: Sizes, out: Results) -> None:
    latency_s = sizes.latency.latency_ms / 1000
    with simulator(sizes.latency) as sim:
        warm(sim, sizes.latency_days, f"--datasets={DATASET}", f"--concurrency={CONCURRENCIES[-1]}")
        fixed_s, _ = median_run(["ours", *common(sim, 1, "--datasets=users")], sizes.repeat)
        for concurrency in CONCURRENCIES:
            args = common(
                sim, sizes.latency_days, f"--datasets={DATASET}", f"--concurrency={concurrency}"
            )
            ours, floors = side_by_side(
                ["ours", *args], ["floor", *args], sizes.repeat, run=logged(sim)
            )
            _compare(out, concurrency, latency_s, fixed_s, ours, floors)


def _compare(
    out: Results,
    concurrency: int,
    latency_s: float,
    fixed_s: float,
    ours: list[Measured],
    floors: list[Measured],
) -> None:
    ours_s, floor_s = median_seconds(ours), median_seconds(floors)
    fetch_s = median_seconds(floors, "fetch_seconds")
    windows = floors[0].report["windows"]
    ideal = math.ceil(windows / concurrency) * latency_s
    c = f"c={concurrency}"
    _check_same_work(out, c, ours, floors)
    floor_in_flight = min(f.report["in_flight"] for f in floors)
    floor_ran_at_c = floor_in_flight >= min(concurrency, windows)
    if not floor_ran_at_c:
        out.notes.append(f"{c}: the floor had at most {floor_in_flight} requests in flight")
    out.add(
        "2 latency",
        f"{windows} windows, {c}, s",
        f"{ours_s:.2f}",
        f"floor {floor_s:.2f}",
        f"{ours_s / floor_s:.2f}",
        f"<= {TARGET}",
        ok=ours_s <= TARGET * floor_s and floor_ran_at_c,
    )
    out.context(
        "2 latency",
        f"same, vs ideal + fixed, {c}",
        f"{ours_s:.2f}",
        f"ideal {ideal:.1f} + fixed {fixed_s:.2f}",
        f"{(ours_s - fixed_s) / ideal:.2f}",
    )
    out.context(
        "2 latency",
        f"floor's requests alone, {c}",
        f"{fetch_s:.2f}",
        f"ideal {ideal:.1f}",
        f"{fetch_s / ideal:.2f}",
    )
    out.notes.append(
        f"latency {c}: requests in flight at most, ours {_span(ours, 'in_flight')}, "
        f"floor {_span(floors, 'in_flight')} (simulator's log, each run)"
    )


def _check_same_work(out: Results, c: str, ours: list[Measured], floors: list[Measured]) -> None:
    for key in ("windows", "rows"):
        mine, theirs = _span(ours, key), _span(floors, key)
        if mine != theirs:
            out.notes.append(f"latency {c}: {key} differ, ours {mine}, floor {theirs}")


def _span(runs: list[Measured], key: str) -> str:
    low, high = min(r.report[key] for r in runs), max(r.report[key] for r in runs)
    return f"{low:,}" if low == high else f"{low:,}-{high:,}"
