"""Benchmark 9, shards: a latency-bound backfill split into 4 shard processes against one.

40 locations x 12 windows of ``bookings_attendance`` with 300 ms added per request, so the
requests dominate (ideal at a total concurrency of 16: ceil(480 / 16) x 0.3 s = 9 s). Sharded:
4 ``bench.child ours --shard K/4`` processes started together, each at ``max_concurrency`` 4,
loading one dataset of one DuckDB file (their loads queue on its write lock); single: one
process at 16. Each side is timed as every row of this suite is, without Python's start-up:
from the first sync's start to the last one's end (each child reports its span). The wall time
from the parent, start-up included, is in the notes: 4 processes importing dlt and pyarrow on
a 2-core machine start ~2 s later than one. Sides alternate against the same warm simulator;
the window requests each made are read back from its log (they must be equal). Target:
sharded <= 1.25 x single.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid

from bench.harness import Simulator, Tenant, finish_child, simulator, start_child
from bench.report import Results
from bench.runs import common, warm
from bench.sizes import Sizes

DATASET = "bookings_attendance"
WINDOW_PATH = "/v1/analytics/user-booking-attendance"
SHARDS = 4
TOTAL_CONCURRENCY = 16
TARGET = 1.25


def _timed(sim: Simulator, days: int, shards: int) -> tuple[float, int, float]:
    """Seconds from the first sync's start to the last one's end, window requests, and the
    wall time from the parent (Python's start-up of every process included)."""
    sim.control("DELETE", "requests")
    base = common(sim, days, f"--datasets={DATASET}")
    with tempfile.TemporaryDirectory(prefix="calven-bench-shards-") as tmp:
        shared = [f"--work={tmp}", f"--dataset-name=bench_{uuid.uuid4().hex[:8]}"]
        if shards == 1:
            commands = [["ours", *base, *shared, f"--concurrency={TOTAL_CONCURRENCY}"]]
        else:
            each = TOTAL_CONCURRENCY // shards
            commands = [
                ["ours", *base, *shared, f"--concurrency={each}", f"--shard={k}/{shards}"]
                for k in range(1, shards + 1)
            ]
        started = time.perf_counter()
        processes = [(start_child(args), args) for args in commands]
        measured = [finish_child(process, args) for process, args in processes]
        wall = time.perf_counter() - started
    log = sim.control("GET", "requests")
    windows = sum(1 for entry in log if entry["path"].startswith(WINDOW_PATH))
    spans = [m.report["span"] for m in measured]
    return max(end for _, end in spans) - min(start for start, _ in spans), windows, wall


def bench_shards(sizes: Sizes, out: Results) -> None:
    tenant = Tenant(
        users=sizes.latency.users, locations=40, days=sizes.latency_days, latency_ms=300
    )
    days = sizes.latency_days
    with simulator(tenant) as sim:
        warm(sim, days, f"--datasets={DATASET}", f"--concurrency={TOTAL_CONCURRENCY}")
        pairs = [(_timed(sim, days, SHARDS), _timed(sim, days, 1)) for _ in range(sizes.repeat)]
    sharded = statistics.median(s[0] for s, _ in pairs)
    single = statistics.median(o[0] for _, o in pairs)
    windows = {(s[1], o[1]) for s, o in pairs}
    ideal = -(-pairs[0][1][1] // TOTAL_CONCURRENCY) * tenant.latency_ms / 1000
    out.add(
        "9 shards",
        f"{SHARDS} shard processes x c={TOTAL_CONCURRENCY // SHARDS}, s",
        f"{sharded:.2f}",
        f"1 process c={TOTAL_CONCURRENCY} {single:.2f}",
        f"{sharded / single:.2f}",
        f"<= {TARGET}",
        ok=sharded <= TARGET * single and all(a == b for a, b in windows),
    )
    each = "; ".join(f"{s[0]:.2f}/{o[0]:.2f}" for s, o in pairs)
    out.notes.append(
        f"shards: window requests (sharded, single) {sorted(windows)}; wall s sharded/single "
        f"per pair: {each}; wall s from the parent, start-up included, "
        f"{statistics.median(s[2] for s, _ in pairs):.2f}/"
        f"{statistics.median(o[2] for _, o in pairs):.2f}; ideal {ideal:.1f} s"
    )
