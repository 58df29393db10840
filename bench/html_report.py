"""Benchmark 8, report: ``calven-sync report`` on the demo tenant's warehouse and on the
throughput benchmark's, side by side.

Two warehouses are built first, each by a sync of everything (``bench.transform.load``) and a
full-refresh transform: the demo's size (2,000 users, 6 locations, 120 days, as ``calven-sync
demo``) and the throughput backfill's (``sizes.backfill``, 1.78 M rows at full size). Then the
report of each is written ``sizes.repeat`` times, alternately, each a fresh ``python -m
bench.child report`` process. Two clocks: the whole process as a user waits for it (wall) and
``write_report`` alone (imports done), whose cost per warehouse row is compared.

Rows: the demo's wall time, target < 10 s; the big warehouse's report, its time per row
against the demo's, target <= 2x.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import Measured, Tenant, run_child, simulator
from bench.report import Results
from bench.sizes import Sizes
from bench.transform import load

DEMO = Tenant(users=2_000, locations=6, days=120)
DEMO_DAYS = 120
DEMO_TARGET_S = 10.0
PER_ROW_TARGET = 2.0


def _warehouse(tenant: Tenant, days: int, work: Path) -> None:
    with simulator(tenant) as sim:
        load(sim, work, days)
    run_child(["transform", f"--work={work}", "--full-refresh"])


def _timed(work: Path) -> tuple[float, Measured]:
    started = time.perf_counter()
    measured = run_child(["report", f"--work={work}"])
    return time.perf_counter() - started, measured


def bench_html_report(sizes: Sizes, out: Results) -> None:
    runs: dict[str, list[tuple[float, Measured]]] = {"demo": [], "big": []}
    with tempfile.TemporaryDirectory(prefix="calven-bench-report-") as tmp:
        works = {"demo": Path(tmp) / "demo", "big": Path(tmp) / "big"}
        _warehouse(DEMO, DEMO_DAYS, works["demo"])
        _warehouse(sizes.backfill, sizes.backfill_days, works["big"])
        for _ in range(sizes.repeat):
            for name, work in works.items():
                runs[name].append(_timed(work))
    wall = {name: statistics.median(w for w, _ in timed) for name, timed in runs.items()}
    inner = {name: statistics.median(m.seconds for _, m in timed) for name, timed in runs.items()}
    rows = {name: int(timed[0][1].report["rows"]) for name, timed in runs.items()}
    per_row = {name: inner[name] / rows[name] for name in runs}
    demo = runs["demo"][0][1].report
    out.add(
        "8 report",
        f"demo tenant ({rows['demo']:,} rows, {demo['mb']:.1f} MB), s",
        f"{wall['demo']:.2f}",
        f"write_report {inner['demo']:.2f}",
        "",
        f"< {DEMO_TARGET_S:g}",
        ok=wall["demo"] < DEMO_TARGET_S,
    )
    ratio = per_row["big"] / per_row["demo"]
    out.add(
        "8 report",
        f"{rows['big']:,} rows, write_report s (wall {wall['big']:.2f})",
        f"{inner['big']:.2f}",
        f"demo per row x rows {per_row['demo'] * rows['big']:.2f}",
        f"{ratio:.2f}",
        f"<= {PER_ROW_TARGET:g}",
        ok=ratio <= PER_ROW_TARGET,
    )
    each = "; ".join(
        f"{name} {'/'.join(f'{w:.2f}' for w, _ in timed)}" for name, timed in runs.items()
    )
    out.notes.append(
        f"report: wall s per run: {each}; the big report {runs['big'][0][1].report['mb']:.1f} MB,"
        f" peak RSS {statistics.median(m.peak_rss_mb for _, m in runs['big']):.0f} MB"
    )
