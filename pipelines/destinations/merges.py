"""When a merge may skip deduplicating its staging table, and when it may not.

dlt deduplicates a merge's staging table on the primary key before inserting it: a window
function over every staged row, which was most of a DuckDB load (10 of 13 s for 1.8 M rows,
spilled under the memory limit). Into ``UNIQUE_STAGING_DESTINATIONS`` the runner skips it where
the package proves it unnecessary:

- ``trust``: before extraction, merged resources get dlt's ``deduplicated`` hint;
- ``verify``: after normalization, a table whose load files repeat a key gets deduplication back
  for that package (a user who moves location during a sync appears under both locations);
- ``deduplicate_resumed``: a package left by an earlier run gets it back for every table, since a
  load cut off between a staging insert's commit and dlt's record of it stages those rows again
  when resumed.

DuckDB commits each job in-process. A remote destination can also retry a job whose commit went
through but whose answer was lost, so the others always deduplicate.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.parquet as pq
from dlt.common.schema.typing import TTableSchema
from dlt.common.schema.utils import get_columns_names_with_prop
from dlt.common.storages.load_package import PackageStorage, ParsedLoadJobFileName
from dlt.extract import DltSource

from pipelines.destinations import destination_name
from pipelines.dlt_internals import normalized_packages

logger = logging.getLogger(__name__)

UNIQUE_STAGING_DESTINATIONS = frozenset({"duckdb"})
STAGED_UNIQUE_HINT = "x-stage-data-deduplicated"
"""dlt's table hint for ``{"disposition": "merge", "deduplicated": True}``."""
STAGED_UNIQUE_MERGE: Any = {"disposition": "merge", "deduplicated": True}


def trust(pipeline: dlt.Pipeline, source: DltSource) -> None:
    """Mark ``source``'s merged resources as staging unique rows, where the destination allows."""
    if destination_name(pipeline) not in UNIQUE_STAGING_DESTINATIONS:
        return
    for resource in source.selected_resources.values():
        if resource.write_disposition == "merge":
            resource.apply_hints(write_disposition=STAGED_UNIQUE_MERGE)


def verify(pipeline: dlt.Pipeline) -> None:
    """Turn deduplication back on for each trusted table whose normalized rows repeat a key."""
    for load_id, name in _deduplicate(pipeline, _repeating):
        logger.warning(
            "%s: a key repeats in load package %s; its merge deduplicates", name, load_id
        )


def deduplicate_resumed(pipeline: dlt.Pipeline) -> None:
    """Turn deduplication back on for every table of every package an earlier run left."""
    _deduplicate(pipeline, lambda packages, load_id, trusted: list(trusted))


Select = Callable[[PackageStorage, str, dict[str, TTableSchema]], list[str]]
"""Which of a normalized package's trusted tables (by name) must deduplicate after all."""


def _deduplicate(pipeline: dlt.Pipeline, select: Select) -> list[tuple[str, str]]:
    """Turn the hint off for the tables ``select`` picks; returns (load id, table name) pairs."""
    packages = normalized_packages(pipeline)
    changed = []
    for load_id in pipeline.list_normalized_load_packages():
        schema = packages.load_schema(load_id)
        trusted = {n: t for n, t in schema.tables.items() if t.get(STAGED_UNIQUE_HINT)}
        chosen = select(packages, load_id, trusted) if trusted else []
        for name in chosen:
            trusted[name][STAGED_UNIQUE_HINT] = False  # type: ignore[literal-required]
            changed.append((load_id, name))
        if chosen:
            packages.save_schema(load_id, schema)
    return changed


def _repeating(
    packages: PackageStorage, load_id: str, trusted: dict[str, TTableSchema]
) -> list[str]:
    """The tables whose rows in this package's load files repeat a primary key."""
    files: dict[str, list[tuple[ParsedLoadJobFileName, str]]] = defaultdict(list)
    for path in packages.list_new_jobs(load_id):
        job = ParsedLoadJobFileName.parse(path)
        files[job.table_name].append((job, packages.storage.make_full_path(path)))
    return [
        name
        for name, table in trusted.items()
        if not _unique_keys(files[name], get_columns_names_with_prop(table, "primary_key"))
    ]


def _unique_keys(jobs: list[tuple[ParsedLoadJobFileName, str]], keys: list[str]) -> bool:
    """Whether the rows of these load files have distinct ``keys`` (read: key columns only)."""
    if not keys or any(job.file_format != "parquet" for job, _ in jobs):
        return False
    if not jobs:
        return True
    table = pa.concat_tables(pq.read_table(path, columns=keys) for _, path in jobs)
    return bool(table.group_by(keys, use_threads=False).aggregate([]).num_rows == table.num_rows)
