"""One measured run in a fresh process: ``python -m bench.child KIND [options]``.

Prints one JSON line: ``seconds`` (wall time of the work, imports excluded), ``rows``, the
process's ``peak_rss_mb`` and what else the kind reports. Kinds: ``ours`` (the real pipeline
through ``pipelines.runner.sync``), ``floor``, ``peer`` and ``nightly`` (a backfill, then
nightly runs, counting the requests the simulator received for each). With ``--work DIR`` the
run keeps its files there, so that runs can follow each other on one pipeline: ``load`` (a sync
into the pipeline of DIR), ``transform`` (``pipelines.transform.transform`` of that pipeline)
and ``sql`` (a JSON list of statements run in one DuckDB connection, ``bench/transform.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import dlt
import httpx

from bench.floor import plan, run_floor
from bench.harness import TODAY
from bench.peer import peer_source
from pipelines.pipeline import PipelineSpec, make_pipeline
from pipelines.runner import SyncReport, new_report, sync
from sources.calven.catalog import SYNC_DATASETS
from sources.calven.incremental.shards import Shard
from sources.calven_sim.auth import default_keys

POSTGRES_URL = "postgresql://postgres:bench@127.0.0.1:5432/test"
BENCH_DATASETS = ["bookings_attendance", "presence"]


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def key(seed: int, basic: bool) -> tuple[str, str]:
    for k in default_keys(seed):
        if k.role == "warehouse" and k.basic_enabled == basic:
            return k.key_id, k.secret
    raise LookupError("no warehouse key")


def source_options(args: argparse.Namespace, today: dt.date, start: dt.date) -> dict[str, Any]:
    key_id, secret = key(args.seed, basic=False)
    return {
        "base_url": args.base_url,
        "auth_type": "hmac",
        "credentials": {"api_key_id": key_id, "api_secret": secret},
        "today": today.isoformat(),
        "start_date": start.isoformat(),
        "max_concurrency": args.concurrency,
    }


def destination(kind: str, work: Path, dataset: str) -> Any:
    if kind == "postgres":
        return dlt.destinations.postgres(POSTGRES_URL)
    return dlt.destinations.duckdb(str(work / f"warehouse-{dataset}.duckdb"))


def drop_postgres_dataset(name: str) -> None:
    import psycopg2

    with psycopg2.connect(POSTGRES_URL) as con, con.cursor() as cur:
        cur.execute(f'drop schema if exists "{name}" cascade')
        cur.execute(f'drop schema if exists "{name}_staging" cascade')


def ours(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    today = dt.date.fromisoformat(args.today)
    start = today - dt.timedelta(days=args.days)
    dataset = args.dataset_name or f"bench_{uuid.uuid4().hex[:8]}"
    shard = Shard.parse(args.shard) if args.shard else None
    pipeline = make_pipeline(
        PipelineSpec(
            pipeline_name=dataset,
            destination=destination(args.destination, work, dataset),
            dataset_name=dataset,
            pipelines_dir=work / "state",
            shard=shard,
        )
    )
    datasets = args.datasets.split(",")
    options = {**source_options(args, today, start), **({"shard": str(shard)} if shard else {})}
    started, began = time.perf_counter(), time.time()
    try:
        report = with_operations(pipeline, datasets, options) if args.operations else None
        report = report or sync(pipeline, datasets, options)
        seconds = time.perf_counter() - started
    finally:
        if args.destination == "postgres":
            drop_postgres_dataset(dataset)
    rows = sum(report.session.rows[name] for name in datasets)
    return {
        "seconds": seconds,
        "rows": rows,
        "requests": report.session.requests,
        "span": [began, began + seconds],
    }


def with_operations(
    pipeline: dlt.Pipeline, datasets: list[str], options: dict[str, Any]
) -> SyncReport:
    """The sync as ``calven-sync`` runs it: the run log row, progress and alerts around it."""
    from pipelines.cli.output import Progress
    from pipelines.operations.alerts import send_alert
    from pipelines.operations.runlog import finish_run, start_run

    record = start_run(pipeline, "backfill", ["backfill", "--bench"])
    progress = Progress()
    report = new_report(on_window=progress, on_planned=progress.planned)
    report = sync(pipeline, datasets, options, report=report)
    progress.close()
    record.rows = dict(report.landed_rows)
    finish_run(pipeline, record, "success" if report.ok else "partial", 0)
    send_alert(pipeline, record)
    return report


def floor(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    today = dt.date.fromisoformat(args.today)
    key_id, secret = key(args.seed, basic=True)
    started = time.perf_counter()
    auth = (key_id, secret)
    locations = httpx.get(f"{args.base_url}/v1/analytics/locations/basic", auth=auth).json()
    ids = [row["locationId"] for row in locations]
    requests = plan(args.datasets.split(","), ids, today - dt.timedelta(days=args.days), today)
    result = run_floor(
        args.base_url, key_id, secret, requests, args.concurrency, work / "floor.duckdb"
    )
    return {
        "seconds": time.perf_counter() - started,
        "rows": result.rows,
        "requests": len(requests),
        "fetch_seconds": result.fetch_seconds,
    }


def peer(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    today = dt.date.fromisoformat(args.today)
    key_id, secret = key(args.seed, basic=True)
    pipeline = dlt.pipeline(
        "peer",
        destination=dlt.destinations.duckdb(str(work / "peer.duckdb")),
        pipelines_dir=str(work / "state"),
    )
    started = time.perf_counter()
    auth = (key_id, secret)
    locations = httpx.get(f"{args.base_url}/v1/analytics/locations/basic", auth=auth).json()
    ids = [row["locationId"] for row in locations]
    requests = plan(args.datasets.split(","), ids, today - dt.timedelta(days=args.days), today)
    pipeline.run(peer_source(args.base_url, key_id, secret, requests))
    seconds = time.perf_counter() - started
    counts = pipeline.last_trace.last_normalize_info.row_counts
    return {"seconds": seconds, "rows": sum(counts.get(d, 0) for d in args.datasets.split(","))}


def nightly(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """A full backfill (not measured), then ``--nights`` nightly runs of every dataset."""
    today = dt.date.fromisoformat(args.today)
    start = today - dt.timedelta(days=args.days)
    pipeline = make_pipeline(
        PipelineSpec(
            pipeline_name="nightly",
            destination=destination("duckdb", work, "nightly"),
            pipelines_dir=work / "state",
        )
    )
    sync(pipeline, list(SYNC_DATASETS), source_options(args, today, start))
    nights = []
    for night in range(1, args.nights + 1):
        httpx.post(f"{args.base_url}/_sim/advance", json={"days": 1}).raise_for_status()
        httpx.delete(f"{args.base_url}/_sim/requests").raise_for_status()
        options = source_options(args, today + dt.timedelta(days=night), start)
        started = time.perf_counter()
        sync(pipeline, list(SYNC_DATASETS), options)
        seconds = time.perf_counter() - started
        log = httpx.get(
            f"{args.base_url}/_sim/requests", params={"pathPrefix": "/v1/analytics"}
        ).json()
        nights.append({"seconds": seconds, "requests": len(log)})
    return {"seconds": sorted(n["seconds"] for n in nights)[len(nights) // 2], "nights": nights}


def kept_pipeline(work: Path) -> dlt.Pipeline:
    """The pipeline ``load`` and ``transform`` share in ``--work``: dataset ``calven``."""
    return make_pipeline(
        PipelineSpec(
            pipeline_name="calven_warehouse",
            destination=destination("duckdb", work, "calven"),
            dataset_name="calven",
            pipelines_dir=work / "state",
        )
    )


def load(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """A sync of ``--datasets`` from ``--today`` minus ``--days`` into the kept pipeline."""
    today = dt.date.fromisoformat(args.today)
    pipeline = kept_pipeline(work)
    datasets = args.datasets.split(",")
    options = source_options(args, today, today - dt.timedelta(days=args.days))
    started = time.perf_counter()
    report = sync(pipeline, datasets, options)
    seconds = time.perf_counter() - started
    rows = {name: report.session.rows[name] for name in datasets}
    return {"seconds": seconds, "rows": sum(rows.values()), "datasets": rows}


def transform(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The models built in the kept pipeline as ``calven-sync transform`` builds them (dbt
    imported before the clock starts). Also: ``models_s`` (dbt's own times of the models),
    ``reparsed`` (dbt parsed project files again: they changed since the last run), and
    ``rebuilt`` rows (and days) of ``fct_attendance_day``: those of its newest load."""
    import dbt.adapters.duckdb  # dbt and its adapter imported before the clock starts
    import dbt.cli.main  # noqa: F401
    import duckdb

    from pipelines.transform import transform as build
    from pipelines.transform.settings import transform_settings

    pipeline = kept_pipeline(work)
    variables = transform_settings().variables()
    log = Path(pipeline.working_dir) / "dbt" / "logs" / "dbt.log"
    logged = log.stat().st_size if log.exists() else 0
    started = time.perf_counter()
    result = build(pipeline, full_refresh=args.full_refresh, variables=variables)
    seconds = time.perf_counter() - started
    with log.open("rb") as file:
        file.seek(logged if log.stat().st_size >= logged else 0)
        text = file.read().decode(errors="replace")
    with duckdb.connect(str(work / "warehouse-calven.duckdb"), read_only=True) as con:
        fct = "calven_marts.fct_attendance_day"
        newest = f"select max(_calven_load_id) from {fct}"
        query = (
            f"select count(*), count(distinct day) from {fct} where _calven_load_id = ({newest})"
        )
        rebuilt, days = con.execute(query).fetchone() or (0, 0)
    models = [node for node in result.nodes if node.kind == "model"]
    return {
        "seconds": seconds,
        "models": len(models),
        "models_s": sum(node.seconds for node in models),
        "reparsed": "Unable to do partial parsing" in text or "Partial parsing: updated" in text,
        "rebuilt": rebuilt,
        "rebuilt_days": days,
    }


def sql(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The statements of ``--script`` (a JSON list) in one connection to ``--database``;
    connecting and closing (DuckDB's checkpoint) are timed, as dbt's are."""
    import duckdb

    statements = json.loads(Path(args.script).read_text(encoding="utf-8"))
    started = time.perf_counter()
    con = duckdb.connect(args.database)
    for statement in statements:
        con.execute(statement)
    con.close()
    return {"seconds": time.perf_counter() - started, "statements": len(statements)}


def report(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The HTML report of the kept pipeline (``calven-sync report``), imports before the clock;
    also the rows of the warehouse's Calven tables and the file's size."""
    from pipelines.report import ReportOptions, write_report

    pipeline = kept_pipeline(work)
    options = ReportOptions(output=work / "report.html", today=TODAY)
    started = time.perf_counter()
    written = write_report(pipeline, options)
    seconds = time.perf_counter() - started
    with pipeline.sql_client() as client:
        tables = [client.make_qualified_table_name(name) for name in SYNC_DATASETS]
        rows = sum(int(client.execute_sql(f"select count(*) from {t}")[0][0]) for t in tables)
    return {"seconds": seconds, "rows": rows, "mb": written.bytes / 1e6, "charts": written.charts}


KINDS = {
    "ours": ours,
    "floor": floor,
    "peer": peer,
    "nightly": nightly,
    "load": load,
    "transform": transform,
    "sql": sql,
    "report": report,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.child")
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("--base-url", help="the simulator (every kind that calls the API)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today")
    parser.add_argument("--days", type=int, help="days back from today to load")
    parser.add_argument("--datasets", default=",".join(BENCH_DATASETS))
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--destination", default="duckdb", choices=["duckdb", "postgres"])
    parser.add_argument("--nights", type=int, default=3)
    parser.add_argument("--work", type=Path, help="keep the run's files here (default: a temp)")
    parser.add_argument("--full-refresh", action="store_true", help="transform: rebuild all")
    parser.add_argument(
        "--operations", action="store_true", help="ours: with the run log, progress and alerts"
    )
    parser.add_argument("--script", help="sql: a JSON list of statements")
    parser.add_argument("--shard", help="ours: only shard K/N of the locations, its own pipeline")
    parser.add_argument("--dataset-name", help="ours: this dataset (shards share one)")
    parser.add_argument("--database", help="sql: the DuckDB file")
    args = parser.parse_args()
    if args.work is not None:
        report = KINDS[args.kind](args, args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="calven-bench-") as tmp:
            report = KINDS[args.kind](args, Path(tmp))
    report["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
