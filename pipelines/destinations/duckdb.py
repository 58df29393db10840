"""DuckDB: one connection held open through a load, on as many threads as its rows need."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import dlt
import duckdb
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from pipelines.destinations import destination_name
from pipelines.dlt_internals import lent_credentials


def file_credentials(pipeline: dlt.Pipeline) -> DuckDbCredentials | None:
    """The resolved credentials of a DuckDB destination backed by a file; None for another
    destination or a connection the caller passed in."""
    if destination_name(pipeline) != "duckdb":
        return None
    resolved = pipeline.destination_client().config.credentials
    if not isinstance(resolved, DuckDbCredentials) or resolved.external_conn() is not None:
        return None
    return resolved


@contextmanager
def one_connection(pipeline: dlt.Pipeline, rows: int | None = None) -> Iterator[None]:
    """DuckDB: the load steps run inside share one connection, opened here and closed after.

    On its own dlt opens the database file for each load job and closes it whenever no job holds
    it, and every close checkpoints the database: five times per package, 0.4 to 0.8 s of a
    1.2 to 1.9 s load on the latency benchmark. Held open, the database checkpoints once, when
    the block ends. Outside the block the file is free, so others can open it while rows are
    fetched. Elsewhere (another destination, a connection the caller passed) this does nothing.

    Given the ``rows`` the load writes, the connection runs on no more threads than those rows
    fill DuckDB row groups (see ``load_threads``), unless ``threads`` is configured.
    """
    resolved = file_credentials(pipeline)
    if resolved is None:
        yield
        return
    connection = _connect(resolved)
    settings = {**(resolved.global_config or {}), **(resolved.local_config or {})}
    if rows is not None and "threads" not in settings:
        (available,) = connection.execute("select current_setting('threads')").fetchall()[0]
        connection.execute(f"SET threads = {load_threads(rows, int(available))}")
    # The settings dlt applies to a connection it opens, applied by its pool to this one.
    lent = DuckDbCredentials(
        connection,
        read_only=resolved.read_only,
        extensions=resolved.extensions,
        global_config=resolved.global_config,
        pragmas=resolved.pragmas,
        statements=resolved.statements,
        local_config=resolved.local_config,
        session_timezone=resolved.session_timezone,
    )
    try:
        with lent_credentials(pipeline.destination, lent):
            yield
    finally:
        connection.close()


LOCK_WAIT_SECONDS = 20.0
"""How long a connection waits for another of our processes to let go of the file."""


def _connect(resolved: DuckDbCredentials) -> duckdb.DuckDBPyConnection:
    """A connection to the file, waiting up to ``LOCK_WAIT_SECONDS`` while another process
    holds it: a job that just released ``writer_lock`` may still be closing the database (a
    cursor dlt made keeps it open until collected). Another program's lock still fails."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return duckdb.connect(resolved.database, read_only=resolved.read_only)
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


DUCKDB_ROW_GROUP_ROWS = 122_880


def load_threads(rows: int, available: int) -> int:
    """Threads for a DuckDB load of ``rows``: one per row group they fill, 1 to ``available``.

    Each thread appends to row groups of its own, which are merged when the insert commits: for
    fewer rows than a row group per thread that costs more than it saves (93,000 rows staged and
    merged on a 2-core machine: 0.59 to 0.62 s on one thread, 0.73 to 0.80 s on two; 400,000
    rows: 1.87 s on one, 1.00 s on two).
    """
    return max(1, min(available, -(-rows // DUCKDB_ROW_GROUP_ROWS)))


def missing_database(pipeline: dlt.Pipeline) -> bool:
    """Whether ``pipeline`` loads into a DuckDB file that does not exist yet.

    Reading state from such a destination would create an empty database file: a read-only
    command (``state show``, ``backfill --dry-run``) must not leave one behind.
    """
    resolved = file_credentials(pipeline)
    return resolved is not None and not os.path.exists(str(resolved.database))
