"""Benchmark 4, incremental: after a backfill, nightly runs counted in the simulator's log."""

from __future__ import annotations

import math

from bench.harness import run_child, simulator
from bench.report import Results
from bench.runs import common
from bench.sizes import Sizes


def bench_incremental(sizes: Sizes, out: Results) -> None:
    tenant = sizes.nightly
    with simulator(tenant) as sim:
        measured = run_child(["nightly", *common(sim, tenant.days - 1), f"--nights={sizes.nights}"])
    # Per location: bookings and presence, one window each (lookback 7 + 1 new day <= 30);
    # the change log is one tenant-wide window; one request per dimension.
    expected = 2 * tenant.locations * math.ceil((7 + 1) / 30) + 1 + 4
    counts = [night["requests"] for night in measured.report["nights"]]
    out.add(
        "4 incremental",
        f"{tenant.locations} locations, nightly",
        f"{measured.seconds:.2f} s, {counts[0]} requests",
        f"{expected} requests",
        "exact" if set(counts) == {expected} else f"got {sorted(set(counts))}",
        "< 5 s, exact",
        ok=measured.seconds < 5 and set(counts) == {expected},
    )
