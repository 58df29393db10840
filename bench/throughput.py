"""Benchmarks 1 (throughput, against the floor and the peer), 3 (memory) and 5 (postgres).

All three measure the same backfill of one large location with zero latency, so they share one
simulator: the floor's runs, then ours (whose peak RSS is the memory row), the peer on a slice,
a small backfill for the memory reference, and the same backfill into PostgreSQL.
"""

from __future__ import annotations

import statistics

from bench.child import POSTGRES_URL
from bench.harness import run_child, simulator
from bench.report import Results
from bench.runs import common, median_run, warm
from bench.sizes import Sizes


def postgres_available() -> bool:
    try:
        import psycopg2

        psycopg2.connect(POSTGRES_URL, connect_timeout=3).close()
    except Exception:
        return False
    return True


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
