"""``python -m bench [--quick] [--only NAME,...]``: run the benchmarks and print one table.

Each benchmark is a ratio measured in one run, from medians of ``--repeat`` repetitions (the
peer, slow by nature, runs once on a slice and is scaled to the full row count). The simulator
always runs in its own process. Benchmarks (see README "Benchmarks"): throughput (with memory
and postgres, ``bench/throughput.py``), latency (``bench/latency.py``), incremental
(``bench/incremental.py``), simulator (``bench/bench_simulator.py``), transform (the dbt
models, ``bench/transform.py``), operations (run log, progress, alerts,
``bench/operations.py``), report (the HTML report, ``bench/html_report.py``), shards
(``bench/shards.py``); sizes in
``bench/sizes.py``, the table in ``bench/report.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable

from bench.html_report import bench_html_report
from bench.incremental import bench_incremental
from bench.latency import bench_latency
from bench.operations import bench_operations
from bench.report import Results, render
from bench.shards import bench_shards
from bench.sizes import FULL, QUICK, Sizes
from bench.throughput import bench_throughput, postgres_available
from bench.transform import bench_transform


def bench_simulator(out: Results) -> None:
    from bench import bench_simulator as sim_bench

    started = time.perf_counter()
    first = sim_bench.run()[0]
    out.add(
        "simulator",
        "bookings 30 d, 5k users",
        f"{first['cold_s']:.2f} s ({first['rows_per_s']:,} rows/s)",
        "",
        "",
        "< 2 s",
        ok=first["cold_s"] < 2.0,
    )
    out.notes.append(f"simulator benchmark took {time.perf_counter() - started:.0f} s")


BENCHMARKS: dict[str, Callable[[Sizes, Results, bool], None]] = {
    "throughput": lambda s, r, pg: bench_throughput(s, r, pg),
    "latency": lambda s, r, pg: bench_latency(s, r),
    "incremental": lambda s, r, pg: bench_incremental(s, r),
    "simulator": lambda s, r, pg: bench_simulator(r),
    "transform": lambda s, r, pg: bench_transform(s, r),
    "operations": lambda s, r, pg: bench_operations(s, r),
    "report": lambda s, r, pg: bench_html_report(s, r),
    "shards": lambda s, r, pg: bench_shards(s, r),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition")
    parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(BENCHMARKS))
    parser.add_argument("--repeat", type=int, help="repetitions per measurement (median)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the Postgres backfill")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.repeat:
        sizes = dataclasses.replace(sizes, repeat=args.repeat)
    chosen = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}")
    results = Results()
    started = time.perf_counter()
    pg = "throughput" in chosen and not args.no_postgres and postgres_available()
    if "throughput" in chosen and not pg:
        results.notes.append("postgres skipped: turned off, or no server on 127.0.0.1:5432")
    for name in chosen:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        BENCHMARKS[name](sizes, results, pg)
    size = "quick" if args.quick else "full"
    results.notes.append(f"total {time.perf_counter() - started:.0f} s, {size} sizes")
    print(render(results))
    return 0 if results.met else 1


if __name__ == "__main__":
    sys.exit(main())
