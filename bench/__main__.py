"""``python -m bench [--quick] [--only NAME,...]``: run the benchmarks and print one table.

Each benchmark is a ratio measured in one run, from medians of ``--repeat`` repetitions (the
peer, slow by nature, runs once on a slice and is scaled to the full row count). The simulator
always runs in its own process. Benchmarks (see README "Benchmarks"): throughput (with memory
and postgres), latency, incremental, simulator.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.child import POSTGRES_URL
from bench.harness import TODAY, Measured, Simulator, Tenant, run_child, simulator


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark is; ``--quick`` shrinks everything to a smoke run."""

    backfill: Tenant
    backfill_days: int
    small_days: int
    peer_days: int
    latency: Tenant
    latency_days: int
    nightly: Tenant
    nights: int
    repeat: int


FULL = Sizes(
    backfill=Tenant(users=10_000, locations=1, days=155),
    backfill_days=155,
    small_days=15,
    peer_days=4,
    latency=Tenant(users=400, locations=40, days=360, latency_ms=100),
    latency_days=360,
    nightly=Tenant(users=2_000, locations=40, days=60),
    nights=3,
    repeat=3,
)
QUICK = Sizes(
    backfill=Tenant(users=2_000, locations=1, days=60),
    backfill_days=60,
    small_days=8,
    peer_days=2,
    latency=Tenant(users=120, locations=40, days=90, latency_ms=100),
    latency_days=90,
    nightly=Tenant(users=400, locations=40, days=30),
    nights=1,
    repeat=1,
)


@dataclass
class Row:
    benchmark: str
    measure: str
    ours: str
    reference: str
    ratio: str
    target: str
    ok: bool | None


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: str, ok: bool | None) -> None:
        self.rows.append(Row(*cells, ok=ok))  # type: ignore[arg-type]


def common(sim: Simulator, days: int, *extra: str) -> list[str]:
    return [f"--base-url={sim.base_url}", f"--today={TODAY.isoformat()}", f"--days={days}", *extra]


def warm(sim: Simulator, days: int, *extra: str) -> None:
    """One untimed floor run, so every measured run reads from a simulator with its cache full."""
    run_child(["floor", *common(sim, days, *extra)])


def median_run(args: list[str], repeat: int) -> tuple[float, list[Measured]]:
    runs = [run_child(args) for _ in range(repeat)]
    return statistics.median(r.seconds for r in runs), runs


def bench_throughput(sizes: Sizes, out: Results, pg: bool) -> None:
    with simulator(sizes.backfill) as sim:
        big = common(sim, sizes.backfill_days)
        warm(sim, sizes.backfill_days)
        floor_s, floors = median_run(["floor", *big], sizes.repeat)
        ours_s, ours = median_run(["ours", *big], sizes.repeat)
        rows = ours[0].report["rows"]
        if floors[0].report["rows"] != rows:
            out.notes.append(f"row counts differ: floor {floors[0].report['rows']}, ours {rows}")
        peer = run_child(["peer", *common(sim, sizes.peer_days)])
        peer_rate = peer.report["rows"] / peer.seconds
        peer_s = rows / peer_rate
        out.add(
            "1 throughput",
            f"{rows:,} rows, s",
            f"{ours_s:.1f} ({rows / ours_s:,.0f} rows/s)",
            f"floor {floor_s:.1f}",
            f"{ours_s / floor_s:.2f}",
            "<= 1.5",
            ok=ours_s <= 1.5 * floor_s,
        )
        out.add(
            "1 throughput",
            "vs peer, s",
            f"{ours_s:.1f}",
            f"peer {peer_s:,.0f} ({peer_rate:,.0f} rows/s)",
            f"1/{peer_s / ours_s:.0f}",
            "<= 1/20",
            ok=ours_s * 20 <= peer_s,
        )
        out.notes.append(
            f"peer measured once on {peer.report['rows']:,} rows in {peer.seconds:.1f} s and "
            f"scaled to {rows:,} rows at that rate"
        )
        _, small = median_run(["ours", *common(sim, sizes.small_days)], sizes.repeat)
        big_mb = statistics.median(r.peak_rss_mb for r in ours)
        small_mb = statistics.median(r.peak_rss_mb for r in small)
        out.add(
            "3 memory",
            "peak RSS, MB",
            f"{big_mb:.0f} ({rows:,} rows)",
            f"{small_mb:.0f} ({small[0].report['rows']:,} rows)",
            f"{big_mb / small_mb:.2f}",
            "<= 1.3, < 600 MB",
            ok=big_mb <= 1.3 * small_mb and big_mb < 600,
        )
        if pg:
            pg_s, _ = median_run(["ours", *big, "--destination=postgres"], sizes.repeat)
            out.add(
                "5 postgres",
                "backfill, s",
                f"{pg_s:.1f}",
                f"duckdb {ours_s:.1f}",
                f"{pg_s / ours_s:.2f}",
                "<= 3",
                ok=pg_s <= 3 * ours_s,
            )


def bench_latency(sizes: Sizes, out: Results) -> None:
    latency = sizes.latency.latency_ms / 1000
    with simulator(sizes.latency) as sim:
        warm(sim, sizes.latency_days, "--datasets=bookings_attendance", "--concurrency=16")
        fixed_s, _ = median_run(["ours", *common(sim, 1, "--datasets=users")], sizes.repeat)
        for concurrency in (8, 16):
            args = common(
                sim,
                sizes.latency_days,
                "--datasets=bookings_attendance",
                f"--concurrency={concurrency}",
            )
            ours_s, runs = median_run(["ours", *args], sizes.repeat)
            floor_s, floors = median_run(["floor", *args], sizes.repeat)
            fetch_s = statistics.median(f.report["fetch_seconds"] for f in floors)
            windows = runs[0].report["requests"] - 2  # less the token and locations requests
            ideal = math.ceil(windows / concurrency) * latency
            bound = 1.3 * ideal + fixed_s
            out.add(
                "2 latency",
                f"{windows} windows, c={concurrency}, s",
                f"{ours_s:.2f}",
                f"ideal {ideal:.1f} + fixed {fixed_s:.2f}",
                f"{(ours_s - fixed_s) / ideal:.2f}",
                "<= 1.3 (less fixed)",
                ok=ours_s <= bound,
            )
            out.add(
                "2 latency",
                f"same, vs floor, c={concurrency}",
                f"{ours_s:.2f}",
                f"floor {floor_s:.2f}",
                f"{ours_s / floor_s:.2f}",
                "(context)",
                ok=None,
            )
            out.add(
                "2 latency",
                f"floor's requests alone, c={concurrency}",
                f"{fetch_s:.2f}",
                f"ideal {ideal:.1f}",
                f"{fetch_s / ideal:.2f}",
                "(context)",
                ok=None,
            )


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


def postgres_available() -> bool:
    try:
        import psycopg2

        psycopg2.connect(POSTGRES_URL, connect_timeout=3).close()
    except Exception:
        return False
    return True


def render(results: Results) -> str:
    header = ("benchmark", "measure", "ours", "reference", "ratio", "target", "ok")
    cells = [
        (r.benchmark, r.measure, r.ours, r.reference, r.ratio, r.target, _ok(r.ok))
        for r in results.rows
    ]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        padded = (c.ljust(w) for c, w in zip(row, widths, strict=True))
        lines.append("| " + " | ".join(padded) + " |")
    return "\n".join(lines + [f"- {note}" for note in results.notes])


def _ok(ok: bool | None) -> str:
    return "" if ok is None else ("yes" if ok else "NO")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition")
    parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(BENCHMARKS))
    parser.add_argument("--repeat", type=int, help="repetitions per measurement (median)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the Postgres backfill")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.repeat:
        sizes = Sizes(**{**sizes.__dict__, "repeat": args.repeat})
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
    return 0 if all(r.ok is not False for r in results.rows) else 1


BENCHMARKS: dict[str, Callable[[Sizes, Results, bool], None]] = {
    "throughput": lambda s, r, pg: bench_throughput(s, r, pg),
    "latency": lambda s, r, pg: bench_latency(s, r),
    "incremental": lambda s, r, pg: bench_incremental(s, r),
    "simulator": lambda s, r, pg: bench_simulator(r),
}


if __name__ == "__main__":
    sys.exit(main())
