"""Queries a user hands us (``push --from query:SQL`` or ``table:NAME``) can only read.

Two locks, so that neither alone has to be perfect: the text must parse as one SELECT (or WITH
... SELECT) with no statement that writes anywhere inside it, and it runs on a connection that
cannot write: a DuckDB file opened read-only, a PostgreSQL session whose transactions are read
only. Other destinations get the first lock only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import dlt
import duckdb
import sqlglot
from dlt.destinations.exceptions import DatabaseException, DatabaseUndefinedRelation
from sqlglot import exp
from sqlglot.errors import SqlglotError

from pipelines.destinations import destination_name
from pipelines.destinations.duckdb import file_credentials
from sources.calven.errors import ConfigError

WRITES = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Into,
    exp.Command,
    exp.Copy,
)
"""Expressions that change something, wherever they appear (a PostgreSQL CTE may delete)."""
DIALECTS = {name: name for name in ("duckdb", "postgres", "snowflake", "bigquery")}
TABLE_NAME_PART = re.compile(r"[^\W\d]\w*")
Rows = list[Mapping[str, Any]]

logging.getLogger("sqlglot").setLevel(logging.ERROR)


def checked_select(sql: str, destination: str | None) -> str:
    """``sql`` if it is one read-only SELECT; ConfigError saying what it is otherwise."""
    shown = " ".join(sql.split())[:200]
    try:
        statements = [s for s in sqlglot.parse(sql, dialect=DIALECTS.get(destination or "")) if s]
    except SqlglotError as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(f"--from query: is not valid SQL ({first}): {shown}") from exc
    if len(statements) != 1:
        raise ConfigError(
            f"--from query: takes exactly one SELECT statement, got {len(statements)}: {shown}"
        )
    (statement,) = statements
    writes = sorted({type(node).__name__.upper() for node in statement.find_all(*WRITES)})
    if not isinstance(statement, exp.Query) or writes:
        what = ", ".join(writes) or type(statement).__name__.upper()
        raise ConfigError(
            f"--from query: must be a single SELECT (or WITH ... SELECT) that only reads; "
            f"found {what}: {shown}"
        )
    return sql


def table_select(name: str, destination: str | None) -> str:
    """``SELECT * FROM name`` with ``name`` quoted part by part; ConfigError if not a name."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 2 or not all(TABLE_NAME_PART.fullmatch(part) for part in parts):
        raise ConfigError(
            f"--from table:{name} is not a table name "
            "(NAME or SCHEMA.NAME of letters, digits and _)"
        )
    dialect = DIALECTS.get(destination or "")
    quoted = ".".join(exp.to_identifier(part, quoted=True).sql(dialect=dialect) for part in parts)
    return f"SELECT * FROM {quoted}"


def read_rows(pipeline: dlt.Pipeline, sql: str, *, what: str) -> Rows:
    """The rows of a checked SELECT, read on a connection that cannot write.

    Args:
        pipeline: Its destination and dataset are where the query runs; unqualified names
            resolve in the dataset.
        sql: A statement that passed ``checked_select`` or came from ``table_select``.
        what: How the user named the source, for error messages.
    """
    duckdb_file = file_credentials(pipeline)
    if duckdb_file is not None:
        return _duckdb_rows(pipeline, str(duckdb_file.database), sql, what)
    with pipeline.sql_client() as client:
        if destination_name(pipeline) == "postgres":
            client.execute_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        try:
            with client.execute_query(sql) as cursor:
                columns = [column[0] for column in cursor.description]
                return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        except DatabaseUndefinedRelation as exc:
            raise ConfigError(f"--from {what}: a table it reads does not exist") from exc
        except DatabaseException as exc:
            first = str(exc).splitlines()[0]
            raise ConfigError(f"--from {what}: the destination refused it: {first}") from exc


def _duckdb_rows(pipeline: dlt.Pipeline, database: str, sql: str, what: str) -> Rows:
    try:
        connection = duckdb.connect(database, read_only=True)
    except duckdb.IOException as exc:
        raise ConfigError(
            f"--from {what}: cannot open the DuckDB database {database} to read ({exc})"
        ) from exc
    with connection:
        schemas = connection.execute(
            "select 1 from information_schema.schemata where schema_name = ?",
            [pipeline.dataset_name],
        ).fetchall()
        if schemas:
            connection.execute(f"SET search_path = '{pipeline.dataset_name}'")
        try:
            cursor = connection.execute(sql)
        except duckdb.CatalogException as exc:
            raise ConfigError(f"--from {what}: {str(exc).splitlines()[0]}") from exc
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            raise ConfigError(f"--from {what}: the destination refused it: {first}") from exc
        columns = [column[0] for column in cursor.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
