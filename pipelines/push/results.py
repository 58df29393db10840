"""The destination side of a push: reading source tables and the ``_calven_push_results`` table.

Outcomes are appended (one row per row of the source per run, with ``run_id`` and
``pushed_at``), so the table is also the audit trail; a run reads back, per event id, whether
any run accepted it, else its latest status.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.destinations.exceptions import DatabaseUndefinedRelation

from pipelines.destinations import destination_name
from pipelines.push.read_only import checked_select, read_rows, table_select
from sources.calven.errors import ConfigError
from sources.calven.push import STATUSES, EventKind, Outcome, Status, read_file

logger = logging.getLogger(__name__)

RESULTS_TABLE = "_calven_push_results"
RESULTS_SOURCE = "calven_push"
SOURCE_TEXT_LIMIT = 500

RESULTS_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("event_id", pa.string()),
        ("row_number", pa.int64()),
        ("status", pa.string()),
        ("result_code", pa.int64()),
        ("update_result", pa.string()),
        ("message", pa.string()),
        ("http_status", pa.int64()),
        ("source_id", pa.string()),
        ("source", pa.string()),
        ("run_id", pa.string()),
        ("pushed_at", pa.timestamp("us", tz="UTC")),
    ]
)


def read_source(pipeline: dlt.Pipeline, source: str) -> list[Mapping[str, Any]]:
    """All rows of a file, ``table:NAME`` or ``query:SQL`` (read-only, before any write)."""
    kind, sep, rest = source.partition(":")
    if sep and kind in ("table", "query"):
        if not rest.strip():
            raise ConfigError(
                f"--from {kind}: needs a {'table name' if kind == 'table' else 'query'}"
            )
        target = destination_name(pipeline)
        if kind == "table":
            sql = table_select(rest.strip(), target)
        else:
            sql = checked_select(rest.strip(), target)
        return read_rows(pipeline, sql, what=f"{kind}:{rest.strip()}"[:SOURCE_TEXT_LIMIT])
    return list(read_file(source))


def previous_outcomes(pipeline: dlt.Pipeline, kind: EventKind) -> dict[str, Status]:
    """Per event id: ``accepted`` if any run accepted it, else the latest status recorded."""
    settled: dict[str, Status] = {}
    try:
        with pipeline.sql_client() as client:
            table = client.make_qualified_table_name(RESULTS_TABLE)
            rows = client.execute_sql(
                f"SELECT event_id, status FROM {table} "
                f"WHERE kind = '{kind.name}' AND event_id IS NOT NULL ORDER BY pushed_at"
            )
    except DatabaseUndefinedRelation:
        return settled
    for event_id, status in rows or []:
        if settled.get(event_id) != "accepted" and status in STATUSES:
            settled[event_id] = status
    return settled


@dlt.source(name=RESULTS_SOURCE, max_table_nesting=0)
def push_results(table: pa.Table) -> Any:
    """The outcomes as a source of its own, so its schema never mixes with the pull's."""
    return dlt.resource(table, name=RESULTS_TABLE, write_disposition="append")


class ResultsWriter:
    """Buffers outcomes and appends them to ``_calven_push_results`` in load packages."""

    def __init__(
        self, pipeline: dlt.Pipeline, kind: EventKind, source: str, every: int, run_id: str
    ) -> None:
        if every < 1:
            raise ConfigError(f"--checkpoint-events must be at least 1, got {every}")
        self.pipeline = pipeline
        self.kind = kind
        self.source = source[:SOURCE_TEXT_LIMIT]
        self.every = every
        self.run_id = run_id
        self.written = 0
        self._buffer: list[Outcome] = []

    def __call__(self, outcome: Outcome) -> None:
        self._buffer.append(outcome)
        if len(self._buffer) >= self.every:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        outcomes, self._buffer = self._buffer, []
        now = datetime.now(UTC)
        table = pa.Table.from_pylist(
            [
                {
                    "kind": self.kind.name,
                    "event_id": o.event_id,
                    "row_number": o.row,
                    "status": o.status,
                    "result_code": o.result_code,
                    "update_result": o.update_result,
                    "message": o.message,
                    "http_status": o.http_status,
                    "source_id": o.source_id,
                    "source": self.source,
                    "run_id": self.run_id,
                    "pushed_at": now,
                }
                for o in outcomes
            ],
            schema=RESULTS_SCHEMA,
        )
        self.pipeline.run(push_results(table))
        self.written += len(outcomes)
        logger.info("recorded %d outcome(s) in %s", len(outcomes), RESULTS_TABLE)
