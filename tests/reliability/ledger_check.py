"""Does the ledger claim only what the destination holds? Inspection of a DuckDB file and a
pipeline working directory, for tests whose loads run (and die) in another process.

The ledger that counts is the one dlt restores: the newest ``_dlt_pipeline_state`` row whose
load package completed (``get_stored_state``). Every day it claims for a (dataset, partition)
must hold exactly the simulator's rows of that day; the local ``state.json`` may run ahead of it
only by what a package still waiting in the working directory carries.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import dlt
from dlt.common.destination.exceptions import DestinationUndefinedEntity
from dlt.common.versioned_state import decompress_state, json_decode_state

from pipelines.pipeline import PipelineSpec, make_pipeline
from sources.calven.catalog import ALL_PARTITION, SYNC_WINDOWS_TABLE, WINDOWED, Dataset
from sources.calven.incremental.windows import Interval, normalize, subtract
from tests.e2e.test_first_load import API_NAME
from tests.e2e.truth import expected_rows, loaded_rows

SLICE_FIELDS = {
    "bookings_attendance": ("primaryLocationId", "day"),
    "presence": ("locationId", "timestamp"),
    "user_change_log": (None, "eventTime"),
}
"""Per windowed dataset: the field naming its partition (None: one partition) and its day."""

Slices = dict[tuple[str, date], Counter[tuple[Any, ...]]]
Ledgers = dict[str, dict[str, list[Interval]]]


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    assert isinstance(value, date), value
    return value


def by_slice(dataset: Dataset, rows: Counter[tuple[Any, ...]]) -> Slices:
    """Rows grouped by (partition, day), the unit a ledger interval claims."""
    names = list(dataset.fields)
    partition_field, day_field = SLICE_FIELDS[dataset.name]
    day_at = names.index(day_field)
    partition_at = None if partition_field is None else names.index(partition_field)
    slices: Slices = defaultdict(Counter)
    for row, count in rows.items():
        partition = ALL_PARTITION if partition_at is None else row[partition_at]
        slices[(partition, _day(row[day_at]))][row] += count
    return slices


def truth_slices(tenant: Any) -> dict[str, Slices]:
    """The simulator's rows of every windowed dataset, by (partition, day)."""
    last_day = tenant.today - timedelta(days=1)
    return {
        d.name: by_slice(
            d, expected_rows(d, tenant.rows(API_NAME[d.name], tenant.first_day, last_day))
        )
        for d in WINDOWED
    }


def ledgers_of(state: dict[str, Any] | None) -> Ledgers:
    """dataset -> partition -> loaded intervals, from a pipeline state document."""
    resources = (state or {}).get("sources", {}).get("calven", {}).get("resources", {})
    return {
        name: {
            partition: normalize((date.fromisoformat(s), date.fromisoformat(e)) for s, e in spans)
            for partition, spans in resource.get("ledger", {}).items()
        }
        for name, resource in resources.items()
    }


def _days(intervals: list[Interval]) -> list[date]:
    return [s + timedelta(days=n) for s, e in intervals for n in range((e - s).days)]


@dataclass
class Snapshot:
    """What the destination holds after a run (or a kill)."""

    ledgers: Ledgers
    raw_ledgers: Ledgers
    """From the newest ``_dlt_pipeline_state`` row, whether or not its package completed."""
    audit: dict[tuple[str, str], list[Interval]]
    rows: dict[str, Counter[tuple[Any, ...]]]
    duplicate_keys: dict[str, int]
    tables: set[str] = field(default_factory=set)

    def violations(self, truth: dict[str, Slices], *, raw: bool = False) -> list[str]:
        """Every day the ledger claims whose rows are not exactly the truth, and more."""
        found = [f"{name}: {n} duplicated key(s)" for name, n in self.duplicate_keys.items() if n]
        ledgers = self.raw_ledgers if raw else self.ledgers
        for dataset in WINDOWED:
            loaded = by_slice(dataset, self.rows.get(dataset.name, Counter()))
            for partition, intervals in ledgers.get(dataset.name, {}).items():
                uncovered = subtract_all(intervals, self.audit.get((dataset.name, partition), []))
                if uncovered:
                    found.append(f"{dataset.name} {partition}: no audit row for {uncovered}")
                for day in _days(intervals):
                    have = loaded.get((partition, day), Counter())
                    want = truth[dataset.name].get((partition, day), Counter())
                    if have != want:
                        found.append(
                            f"{dataset.name} {partition} {day}: claimed, but "
                            f"{sum(have.values())} row(s) loaded of {sum(want.values())}"
                        )
        return found


def subtract_all(intervals: list[Interval], minus: list[Interval]) -> list[Interval]:
    return [gap for interval in intervals for gap in subtract(interval, normalize(minus))]


def inspector(db_path: Path, workdir: Path) -> dlt.Pipeline:
    """A pipeline of its own (own working dir) reading the same DuckDB dataset."""
    return make_pipeline(
        PipelineSpec(
            pipeline_name=f"inspect_{uuid.uuid4().hex[:8]}",
            destination=dlt.destinations.duckdb(str(db_path)),
            pipelines_dir=workdir,
        )
    )


def duckdb_pipeline(workdir: Path) -> dlt.Pipeline:
    """A fresh pipeline loading into ``workdir/warehouse.duckdb``, working dir inside it."""
    return make_pipeline(
        PipelineSpec(
            pipeline_name=f"test_{uuid.uuid4().hex[:8]}",
            destination=dlt.destinations.duckdb(str(workdir / "warehouse.duckdb")),
            pipelines_dir=workdir / "state",
        )
    )


def snapshot(db_path: Path, pipeline_name: str, workdir: Path) -> Snapshot:
    """Read the committed ledger, the audit table and every windowed table."""
    pipeline = inspector(db_path, workdir)
    try:
        with pipeline.destination_client() as client:
            stored = client.get_stored_state(pipeline_name)  # type: ignore[attr-defined]
    except DestinationUndefinedEntity:
        stored = None
    state = decompress_state(stored.state) if stored else None
    with pipeline.sql_client() as sql:
        listed = sql.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            pipeline.dataset_name,
        )
        tables = {row[0] for row in listed}
        raw = None
        if "_dlt_pipeline_state" in tables:
            newest = sql.execute_sql(
                f"SELECT state FROM {sql.make_qualified_table_name('_dlt_pipeline_state')} "
                "WHERE pipeline_name = %s ORDER BY version DESC LIMIT 1",
                pipeline_name,
            )
            raw = decompress_state(newest[0][0]) if newest else None
    shot = Snapshot(ledgers_of(state), ledgers_of(raw), {}, {}, {}, tables)
    if SYNC_WINDOWS_TABLE in tables:
        with pipeline.sql_client() as sql:
            table = sql.make_qualified_table_name(SYNC_WINDOWS_TABLE)
            audit = sql.execute_sql(
                f"SELECT dataset, partition, window_start, window_end FROM {table}"
            )
        spans: dict[tuple[str, str], list[Interval]] = defaultdict(list)
        for dataset, partition, start, end in audit:
            spans[(dataset, partition)].append((_day(start), _day(end)))
        shot.audit = dict(spans)
    for dataset in WINDOWED:
        if dataset.name in tables:
            shot.rows[dataset.name] = loaded_rows(pipeline, dataset)
            shot.duplicate_keys[dataset.name] = duplicate_keys(pipeline, dataset)
    return shot


def duplicate_keys(pipeline: dlt.Pipeline, dataset: Dataset) -> int:
    """How many primary-key values occur more than once."""
    keys = ", ".join(dataset.primary_key)
    with pipeline.sql_client() as sql:
        table = sql.make_qualified_table_name(dataset.name)
        query = (
            f"SELECT count(*) FROM (SELECT {keys} FROM {table} GROUP BY {keys} HAVING count(*) > 1)"
        )
        return int(sql.execute_sql(query)[0][0])


def local_ledgers(pipeline_dir: Path) -> Ledgers:
    """The ledger in the working directory's ``state.json``."""
    state_file = pipeline_dir / "state.json"
    if not state_file.exists():
        return {}
    return ledgers_of(json_decode_state(state_file.read_text()))


def pending_packages(pipeline_dir: Path) -> list[Path]:
    """Packages extracted or normalized but not loaded (what ``finish_pending`` will load)."""
    found: list[Path] = []
    for folder in ("normalize/extracted", "load/normalized", "load/new"):
        root = pipeline_dir / folder
        if root.is_dir():
            found.extend(p for p in sorted(root.iterdir()) if p.is_dir())
    return found


def pending_ledgers(pipeline_dir: Path) -> list[Ledgers]:
    """The ledgers carried by the state documents of pending packages."""
    found = []
    for package in pending_packages(pipeline_dir):
        state_file = package / "load_package_state.json"
        if not state_file.exists():
            continue
        doc = json_decode_state(state_file.read_text()).get("pipeline_state")
        if doc:
            found.append(ledgers_of(decompress_state(doc["state"])))
    return found


def unbacked_local_claims(pipeline_dir: Path, committed: Ledgers) -> list[str]:
    """Local ledger claims neither committed in the destination nor carried by a pending package."""
    backing: dict[tuple[str, str], list[Interval]] = defaultdict(list)
    for ledgers in [committed, *pending_ledgers(pipeline_dir)]:
        for name, partitions in ledgers.items():
            for partition, intervals in partitions.items():
                backing[(name, partition)].extend(intervals)
    found = []
    for name, partitions in local_ledgers(pipeline_dir).items():
        for partition, intervals in partitions.items():
            gaps = subtract_all(intervals, backing[(name, partition)])
            if gaps:
                found.append(f"local state: {name} {partition} claims {gaps} with no package")
    return found
