"""One writer at a time per dataset, across processes and machines: ``writer_lock``.

Shards (``run --shard``) are separate pipelines loading one dataset at the same time. Their
requests overlap, but what changes the destination must not: DuckDB lets one process open a
file for writing (a second fails at once), and two dlt loads that create or alter the same
tables in PostgreSQL at the same moment fail on the catalog (``pg_type_typname_nsp_index``).
So each stretch that writes (the start of a sync, each checkpoint's load, the run log, a
transform) holds the dataset's lock and the others queue:

- DuckDB: a kernel ``flock`` on ``<database>.lock``, gone with the process that held it;
- PostgreSQL: a session advisory lock keyed by the dataset's name, on a connection of its own,
  released by the server if the holder dies, and shared by jobs on different machines.

Re-entrant within a process. Elsewhere (other destinations) it does nothing.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dlt

from pipelines.destinations import destination_name
from pipelines.destinations.duckdb import file_credentials

logger = logging.getLogger(__name__)
WAIT_NOTICE_SECONDS = 10.0
POLL_SECONDS = 0.05
_held: dict[str, int] = {}
_guard = threading.Lock()


@contextmanager
def writer_lock(pipeline: dlt.Pipeline) -> Iterator[None]:
    """Hold the lock of ``pipeline``'s dataset (or DuckDB file) while the block runs."""
    duckdb_file = file_credentials(pipeline)
    if duckdb_file is not None:
        key = f"{os.path.abspath(str(duckdb_file.database))}.lock"
    elif destination_name(pipeline) == "postgres":
        key = f"postgres:{pipeline.dataset_name}"
    else:
        yield
        return
    with _guard:
        depth = _held.get(key, 0)
        _held[key] = depth + 1
    try:
        if depth:
            yield
        elif duckdb_file is not None:
            with _flock(key):
                try:
                    yield
                finally:
                    gc.collect()  # a cursor dlt left behind keeps the database file open
        else:
            with _advisory(pipeline, key):
                yield
    finally:
        with _guard:
            _held[key] -= 1


@contextmanager
def _flock(path: str) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _wait(lambda: _try_flock(fd), path.removesuffix(".lock"))
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def _advisory(pipeline: dlt.Pipeline, key: str) -> Iterator[None]:
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    with pipeline.sql_client() as client:

        def attempt() -> bool:
            rows = client.execute_sql("SELECT pg_try_advisory_lock(%s)", number)
            return bool(rows and rows[0][0])

        _wait(attempt, f"dataset {pipeline.dataset_name!r}")
        try:
            yield
        finally:
            client.execute_sql("SELECT pg_advisory_unlock(%s)", number)


def _wait(attempt: Callable[[], bool], what: str) -> None:
    waiting_since = time.monotonic()
    notice = waiting_since + WAIT_NOTICE_SECONDS
    while not attempt():
        now = time.monotonic()
        if now >= notice:
            logger.warning(
                "waiting for %s: another job is writing to it (%.0f s so far)",
                what,
                now - waiting_since,
            )
            notice = now + WAIT_NOTICE_SECONDS
        time.sleep(POLL_SECONDS)
