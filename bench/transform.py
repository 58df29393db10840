"""Benchmark 6, transform: the dbt project (``pipelines/transform``) on the throughput backfill.

One simulator of the throughput tenant (``sizes.backfill``); one pipeline kept in a temporary
folder (``bench.child --work``) loads the same ``bookings_attendance`` and ``presence`` days as
the throughput benchmark, plus the four dimensions (``users``, ``groups``, ``locations``,
``desks``: a few thousand rows, without which ``agg_zone_day`` is empty) and
``user_change_log``: everything a scheduled ``run`` loads. Each timed transform is a fresh
``python -m bench.child transform`` process, like every measured run of the other benchmarks;
the clock runs around ``transform(...)`` only (dbt imported before), so it holds what dbt does
per run (parse, with partial parsing, connect, build, close) and not Python's imports.

Rows (medians of ``sizes.repeat`` runs; full, fixed and direct are measured in turn, so all
three see the machine at the same moments):

- fixed: a transform with nothing new to build, right after a full refresh and again right
  after each nightly transform (so twice ``repeat`` runs): dbt's cost per run (start, partial
  parse, connect, the nine staging views replaced, artifacts written) plus each incremental
  mart finding it has no day to rebuild. Reported, no target.
- full: ``transform(full_refresh=True)`` minus fixed, against *direct*: the compiled SQL of a
  full-refresh run (``target/compiled/...``, where ``is_incremental()`` is false) as
  ``create or replace view/table ... as (select)`` in dependency order, in one DuckDB connection
  to a copy of the database file (same file name, so the compiled relations resolve), timed
  from connect to close (DuckDB's checkpoint; dbt's run closes its connection too). Target
  <= 1.5. Fixed holds the views and the marts' no-op queries, which direct also runs in part,
  so the ratio is a lower bound of dbt's overhead; the notes give dbt's own model times.
- nightly: after the clock advances one day, a nightly sync (default lookback: the last 7 days
  are re-read) and then an incremental transform, once a repetition: (nightly - fixed) /
  (full - fixed), target <= 0.25; also the rows of ``fct_attendance_day`` it rebuilt (those
  holding the newest ``_calven_load_id``).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from bench.harness import TODAY, Measured, Simulator, run_child, simulator
from bench.report import Results
from bench.runs import median_seconds
from bench.sizes import Sizes
from sources.calven.catalog import SYNC_DATASETS

DATABASE = "warehouse-calven.duckdb"
"""``bench.child.kept_pipeline``'s DuckDB file (dataset ``calven``) in ``--work``."""
MARTS = (
    "fct_attendance_day",
    "agg_location_day",
    "agg_zone_day",
    "agg_booking_changes_day",
    "agg_presence_source_day",
    "agg_group_week",
    "agg_zone_week",
)
"""In dependency order; every staging view goes first."""
FULL_TARGET = 1.5
NIGHTLY_TARGET = 0.25


def load(sim: Simulator, work: Path, days: int, night: int = 0) -> Measured:
    """A sync of everything from ``TODAY - days`` to ``TODAY + night`` into ``work``."""
    today = TODAY + dt.timedelta(days=night)
    return run_child(
        [
            "load",
            f"--work={work}",
            f"--base-url={sim.base_url}",
            f"--today={today.isoformat()}",
            f"--days={days + night}",
            f"--datasets={','.join(SYNC_DATASETS)}",
        ]
    )


def direct_script(work: Path) -> tuple[Path, Path]:
    """The compiled SQL of the full refresh just run, as statements, and a copy of the
    database to run them in: (the JSON script, the copy)."""
    compiled = work / "state" / "calven_warehouse" / "dbt" / "target" / "compiled"
    models = compiled / "calven_warehouse" / "models"
    statements = [
        f'create or replace view "calven_stg"."{path.stem}" as (\n{path.read_text()}\n)'
        for path in sorted((models / "staging").glob("*.sql"))
    ]
    if {path.stem for path in (models / "marts").glob("*.sql")} != set(MARTS):
        raise RuntimeError(f"the project's marts are no longer {', '.join(MARTS)}")
    for mart in MARTS:
        select = (models / "marts" / f"{mart}.sql").read_text()
        if f'"calven_marts"."{mart}"' in select:  # reads itself: an incremental build
            raise RuntimeError(f"{mart}: compiled SQL is incremental, not a full refresh")
        statements.append(f'create or replace table "calven_marts"."{mart}" as (\n{select}\n)')
    direct = work / "direct"
    direct.mkdir(exist_ok=True)
    script = direct / "script.json"
    script.write_text(json.dumps(statements), encoding="utf-8")
    copy = direct / DATABASE
    shutil.copyfile(work / DATABASE, copy)
    return script, copy


def bench_transform(sizes: Sizes, out: Results) -> None:
    with tempfile.TemporaryDirectory(prefix="calven-bench-transform-") as tmp:
        work = Path(tmp)
        at = f"--work={work}"
        with simulator(sizes.backfill) as sim:
            loaded = load(sim, work, sizes.backfill_days)
            run_child(["transform", at, "--full-refresh"])  # the first build: not timed
            script, copy = direct_script(work)
            sql = ["sql", f"--script={script}", f"--database={copy}"]
            runs: dict[str, list[Measured]] = {
                k: [] for k in ("full", "fixed", "direct", "nightly")
            }
            for _ in range(sizes.repeat):
                runs["full"].append(run_child(["transform", at, "--full-refresh"]))
                runs["fixed"].append(run_child(["transform", at]))
                runs["direct"].append(run_child(sql))
            for night in range(1, sizes.repeat + 1):
                sim.control("POST", "advance", days=1)
                load(sim, work, sizes.backfill_days, night)
                runs["nightly"].append(run_child(["transform", at]))
                runs["fixed"].append(run_child(["transform", at]))  # nothing new again
    _report(out, loaded, runs)


def _report(out: Results, loaded: Measured, runs: dict[str, list[Measured]]) -> None:
    full_s, fixed_s = median_seconds(runs["full"]), median_seconds(runs["fixed"])
    direct_s, nightly_s = median_seconds(runs["direct"]), median_seconds(runs["nightly"])
    models = runs["full"][0].report["models"]
    out.add(
        "6 transform",
        f"fixed ({models} models, nothing new), s",
        f"{fixed_s:.2f}",
        "",
        "",
        "report",
        ok=None,
    )
    built_s = full_s - fixed_s
    if built_s <= 0:  # only on tiny (--quick) data: the full build is lost in the noise
        out.notes.append("transform: full refresh no slower than fixed, ratios meaningless")
    out.add(
        "6 transform",
        f"full refresh of {loaded.report['rows']:,} rows, s",
        f"{full_s:.2f} - fixed = {built_s:.2f}",
        f"direct {direct_s:.2f}",
        f"{built_s / direct_s:.2f}",
        f"<= {FULL_TARGET}",
        ok=built_s <= FULL_TARGET * direct_s if built_s > 0 else None,
    )
    nights = runs["nightly"]
    rebuilt = int(statistics.median(n.report["rebuilt"] for n in nights))
    days = int(statistics.median(n.report["rebuilt_days"] for n in nights))
    ratio = (nightly_s - fixed_s) / built_s
    out.add(
        "6 transform",
        f"nightly, {rebuilt:,} fct rows ({days} days) rebuilt, s",
        f"{nightly_s:.2f} - fixed = {nightly_s - fixed_s:.2f}",
        f"full - fixed {built_s:.2f}",
        f"{ratio:.2f}",
        f"<= {NIGHTLY_TARGET}",
        ok=ratio <= NIGHTLY_TARGET if built_s > 0 else None,
    )
    each = "; ".join(f"{k} {'/'.join(f'{r.seconds:.2f}' for r in v)}" for k, v in runs.items())
    inside = ", ".join(
        f"{k} {median_seconds(runs[k], 'models_s'):.2f}" for k in ("full", "fixed", "nightly")
    )
    datasets = ", ".join(f"{k} {v:,}" for k, v in loaded.report["datasets"].items())
    out.notes.append(f"transform: loaded {datasets}; each run, s: {each}")
    out.notes.append(
        f"transform: dbt's own model times (run_results), s: {inside}; direct {direct_s:.2f}; "
        f"peak RSS of a full refresh {statistics.median(r.peak_rss_mb for r in runs['full']):.0f}"
        " MB"
    )
    reparsed = sum(r.report.get("reparsed", False) for k in runs if k != "direct" for r in runs[k])
    if reparsed:
        out.notes.append(
            f"transform: {reparsed} timed run(s) parsed the dbt project again (its files changed)"
        )
