"""``_calven_sync_runs``: one row per invocation of a command that changes the destination.

The row is written when the run starts (status ``running``, no ``finished_at``), so a run that
was killed stays visible as started and never finished, and completed when it ends, whatever
the outcome: ``success``, ``partial`` (some windows failed; the rest landed), ``failed`` or
``interrupted``. Each write is one INSERT or UPDATE through dlt's SQL client (milliseconds).
Before the table exists (a pipeline's first run) the start is not written: when the run ends,
dlt creates the table from the source's schema (DDL, tens of milliseconds) and the row is
inserted. A table made before the sync would change what a crash at its first package leaves.
Nothing in a row is a secret: arguments are the command line (secrets only ever come from
config or the environment), errors are the one-line messages the CLI prints.
"""

from __future__ import annotations

import json
import logging
import shlex
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any, cast

import dlt
import pyarrow as pa
from dlt.common.exceptions import DltException
from dlt.common.schema.typing import TColumnSchema
from dlt.common.schema.utils import new_table
from dlt.destinations.exceptions import DatabaseUndefinedRelation

from pipelines.destinations.duckdb import one_connection
from pipelines.destinations.write_lock import writer_lock

logger = logging.getLogger(__name__)

RUNS_TABLE = "_calven_sync_runs"
SCHEMA_NAME = "calven"
"""The source's schema: the run log lives beside the tables it describes."""
STATUSES = ("running", "success", "partial", "failed", "interrupted")
COLUMNS: dict[str, dict[str, Any]] = {
    "run_id": {"data_type": "text", "description": "One invocation."},
    "pipeline_name": {"data_type": "text", "description": "The dlt pipeline it ran."},
    "command": {"data_type": "text", "description": "run, backfill, future, push or transform."},
    "arguments": {"data_type": "text", "description": "The command line (holds no secret)."},
    "started_at": {"data_type": "timestamp", "description": "When the run began (UTC)."},
    "finished_at": {
        "data_type": "timestamp",
        "description": "When it ended (UTC); empty for a run still going or killed.",
    },
    "status": {"data_type": "text", "description": " | ".join(STATUSES)},
    "exit_code": {"data_type": "bigint", "description": "calven-sync's exit code."},
    "rows": {"data_type": "text", "description": "JSON: rows that landed per dataset."},
    "windows": {"data_type": "text", "description": "JSON: windows that landed per dataset."},
    "requests": {"data_type": "bigint", "description": "HTTP requests to Calven."},
    "retries": {"data_type": "bigint", "description": "Requests retried."},
    "failed_windows": {"data_type": "bigint", "description": "Windows that failed."},
    "first_error": {"data_type": "text", "description": "The first failure, one line."},
    "load_ids": {"data_type": "text", "description": "JSON: the dlt load ids of the run."},
    "schema_changes": {
        "data_type": "text",
        "description": "JSON: columns the API added in this run, as table.column.",
    },
    "version": {"data_type": "text", "description": "calven-warehouse version."},
}


@dataclass
class RunRecord:
    """One row of ``_calven_sync_runs``."""

    run_id: str
    pipeline_name: str
    command: str
    arguments: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"
    exit_code: int | None = None
    rows: dict[str, int] = field(default_factory=dict)
    windows: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    failed_windows: int = 0
    first_error: str | None = None
    load_ids: list[str] = field(default_factory=list)
    schema_changes: list[str] = field(default_factory=list)
    version: str = ""
    logged: bool = False
    """The start is in the table (not a column): a run that ends must then complete it."""

    def row(self) -> dict[str, Any]:
        values = asdict(self)
        del values["logged"]
        for name in ("rows", "windows", "load_ids", "schema_changes"):
            values[name] = json.dumps(values[name], sort_keys=True)
        return values


def package_version() -> str:
    try:
        return metadata.version("calven-warehouse")
    except metadata.PackageNotFoundError:
        return "unknown"


def start_run(pipeline: dlt.Pipeline, command: str, argv: Sequence[str]) -> RunRecord:
    """A new record, written at once as ``running`` (a warning if the destination refuses)."""
    record = RunRecord(
        run_id=uuid.uuid4().hex,
        pipeline_name=pipeline.pipeline_name,
        command=command,
        arguments=shlex.join(["calven-sync", *argv]),
        started_at=datetime.now(UTC),
        version=package_version(),
    )
    try:
        record.logged = _write_sql(pipeline, record)
    except (DltException, OSError) as exc:
        _warn(record, exc)
    return record


def finish_run(pipeline: dlt.Pipeline, record: RunRecord, status: str, exit_code: int) -> None:
    """Complete ``record`` with its outcome and write it."""
    record.status = status
    record.exit_code = exit_code
    record.finished_at = datetime.now(UTC)
    _write(pipeline, record)


def _write(pipeline: dlt.Pipeline, record: RunRecord) -> None:
    try:
        with writer_lock(pipeline), one_connection(pipeline):
            if _write_sql(pipeline, record):
                return
            if _create_table(pipeline) and _write_sql(pipeline, record):
                return
            _write_dlt(pipeline, record)
    except (DltException, OSError) as exc:
        _warn(record, exc)


def _warn(record: RunRecord, exc: BaseException) -> None:
    logger.warning(
        "run log: could not write run %s (%s) to %s: %s",
        record.run_id,
        record.status,
        RUNS_TABLE,
        " ".join(str(exc).split())[:300],
    )


def _write_sql(pipeline: dlt.Pipeline, record: RunRecord) -> bool:
    """INSERT (a new run) or UPDATE (its end); False when the table is not there yet."""
    row = record.row()
    try:
        with pipeline.sql_client() as client:
            table = client.make_qualified_table_name(RUNS_TABLE)
            found = client.execute_sql(
                f"SELECT count(*) FROM {table} WHERE run_id = %s", record.run_id
            )
            if found and found[0][0]:
                names = [name for name in COLUMNS if name != "run_id"]
                assignments = ", ".join(f"{client.escape_column_name(n)} = %s" for n in names)
                client.execute_sql(
                    f"UPDATE {table} SET {assignments} WHERE run_id = %s",
                    *(row[n] for n in names),
                    record.run_id,
                )
            else:
                columns = ", ".join(client.escape_column_name(n) for n in COLUMNS)
                marks = ", ".join("%s" for _ in COLUMNS)
                client.execute_sql(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})", *(row[n] for n in COLUMNS)
                )
    except DatabaseUndefinedRelation:
        return False
    return True


def _create_table(pipeline: dlt.Pipeline) -> bool:
    """The table, created by dlt from the source's schema: DDL only, no load package.

    False when the pipeline has no schema yet (nothing was ever extracted): then the first row
    goes through dlt as a load of its own (``_write_dlt``).
    """
    if SCHEMA_NAME not in pipeline.schemas:
        return False
    schema = pipeline.schemas[SCHEMA_NAME]
    if RUNS_TABLE not in schema.tables:
        schema.update_table(
            new_table(
                RUNS_TABLE,
                write_disposition="append",
                columns=[
                    cast(TColumnSchema, {"name": name, "nullable": name != "run_id", **hints})
                    for name, hints in COLUMNS.items()
                ],
            )
        )
        pipeline.schemas.save_schema(schema)
    pipeline.sync_schema(SCHEMA_NAME)
    return True


ARROW_TYPES = {"text": pa.string(), "bigint": pa.int64(), "timestamp": pa.timestamp("us", tz="UTC")}


def _write_dlt(pipeline: dlt.Pipeline, record: RunRecord) -> None:
    """The first row ever: dlt creates the table (every column typed) in the source's schema.

    As an Arrow table, so dlt adds no ``_dlt_id``/``_dlt_load_id`` columns that later INSERTs
    would have to invent values for.
    """
    schema = pipeline.schemas.get(SCHEMA_NAME)
    arrow_schema = pa.schema(
        [(name, ARROW_TYPES[hints["data_type"]]) for name, hints in COLUMNS.items()]
    )
    pipeline.run(
        pa.Table.from_pylist([record.row()], schema=arrow_schema),
        table_name=RUNS_TABLE,
        write_disposition="append",
        columns=cast(dict[str, TColumnSchema], COLUMNS),
        schema=schema or dlt.Schema(SCHEMA_NAME),
    )
