"""Benchmark 7, operations: what the run log, progress and alerts add to the throughput backfill.

The same backfill as benchmark 1, ours with them (``bench.child ours --operations``: the run
log's row at the start and the end, the progress the CLI shows, an alert check) and without,
run alternately so both see the machine at the same moments. Each run loads into a fresh
pipeline, so the run log takes its first-run path (dlt creates the table when the run ends),
the dearer one. Target: under 2 % more wall time.
"""

from __future__ import annotations

import statistics

from bench.harness import simulator
from bench.report import Results
from bench.runs import common, side_by_side, warm
from bench.sizes import Sizes

TARGET = 1.02


def bench_operations(sizes: Sizes, out: Results) -> None:
    with simulator(sizes.backfill) as sim:
        big = common(sim, sizes.backfill_days)
        warm(sim, sizes.backfill_days)
        with_ops, without = side_by_side(
            ["ours", *big, "--operations"], ["ours", *big], sizes.repeat
        )
    ours_s = statistics.median(run.seconds for run in with_ops)
    bare_s = statistics.median(run.seconds for run in without)
    out.add(
        "7 operations",
        "run log + progress + alerts, s",
        f"{ours_s:.2f}",
        f"without {bare_s:.2f}",
        f"{ours_s / bare_s:.3f}",
        f"<= {TARGET}",
        ok=ours_s <= TARGET * bare_s,
    )
    out.notes.append(
        "operations: each run, s: with "
        + "/".join(f"{run.seconds:.2f}" for run in with_ops)
        + "; without "
        + "/".join(f"{run.seconds:.2f}" for run in without)
    )
