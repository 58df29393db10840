"""Reading the destination for the report: one SQL client, the dataset and its marts schema.

Every figure of the report is a query here, run through dlt's SQL client, so it reads DuckDB
and PostgreSQL alike (and any SQL destination dlt supports, untested). Rows come back as dicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dlt
from dlt.destinations.sql_client import SqlClientBase

from pipelines.destinations.duckdb import missing_database
from sources.calven.errors import ConfigError

Row = dict[str, Any]


class Reader:
    """Queries against the pipeline's dataset (``table``) and its dbt marts (``mart``)."""

    def __init__(self, client: SqlClientBase[Any], dataset: str) -> None:
        self.client = client
        self.dataset = dataset
        self.marts_dataset = f"{dataset}_marts"
        self.tables = self._tables(dataset)
        self.marts = self._tables(self.marts_dataset)

    def _tables(self, schema: str) -> set[str]:
        rows = self.client.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", schema
        )
        return {row[0] for row in rows or ()}

    def table(self, name: str) -> str:
        """The qualified name of a table of the dataset."""
        return self.client.make_qualified_table_name(name)

    def mart(self, name: str) -> str:
        """The qualified name of a model in ``<dataset>_marts``."""
        with self.client.with_alternative_dataset_name(self.marts_dataset):
            return self.client.make_qualified_table_name(name)

    def rows(self, sql: str, *params: Any) -> list[Row]:
        with self.client.execute_query(sql, *params) as cursor:
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@contextmanager
def open_reader(pipeline: dlt.Pipeline) -> Iterator[Reader]:
    """A reader of the pipeline's destination; ConfigError when nothing was ever loaded there."""
    where = f"dataset {pipeline.dataset_name!r} of pipeline {pipeline.pipeline_name!r}"
    if missing_database(pipeline):
        raise ConfigError(f"nothing to report: {where} has no database yet (run calven-sync run)")
    with pipeline.sql_client() as client:
        reader = Reader(client, pipeline.dataset_name)
        if not reader.tables & {"_calven_sync_windows", "users", "locations"}:
            raise ConfigError(
                f"nothing to report: {where} holds no Calven table (run calven-sync run)"
            )
        yield reader
