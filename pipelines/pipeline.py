"""Build the dlt pipeline: destination, dataset and working directory from one place, with the
defaults that make it fast (``apply_defaults``), and hold DuckDB open through a load
(``one_connection``)."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt
import duckdb
from dlt.common.destination import AnyDestination, Destination
from dlt.common.destination.exceptions import UnknownDestinationModule
from dlt.common.exceptions import DltException
from dlt.common.storages.configuration import WithLocalFiles
from dlt.destinations.exceptions import DatabaseUndefinedRelation
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from sources.calven.errors import ConfigError

logger = logging.getLogger(__name__)

LOADER_FILE_FORMATS = {"postgres": "csv", "duckdb": "parquet", "filesystem": "parquet"}
"""What each destination bulk-loads fastest from Arrow: COPY for Postgres, parquet for the others
(dlt's default for Postgres and DuckDB is one INSERT statement per row batch)."""
DUCKDB_SETTINGS = {"memory_limit": "200MB", "preserve_insertion_order": False}
"""DuckDB settings for a bounded footprint, unless ``destination.duckdb.credentials.global_config``
is configured: without a limit DuckDB keeps the rows it loads in its buffer pool (1.5 GB of RSS for
a 1.8 M-row backfill), and keeping insertion order costs memory that merge loads do not need.
Beyond the limit DuckDB spills to a temporary directory next to the database."""
DUCKDB_SETTINGS_KEY = "destination.duckdb.credentials.global_config"
DUCKDB_SETTINGS_ENV = "DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG"
UNCOMPRESSED_KEY = "normalize.data_writer.disable_compression"
UNCOMPRESSED_ENV = "NORMALIZE__DATA_WRITER__DISABLE_COMPRESSION"
"""Load files are written and read on this machine, so gzip buys nothing unless configured: it
took two thirds of a Postgres backfill (csv). Parquet compresses inside the file either way."""
TRUNCATE_STAGING_KEY = "load.truncate_staging_dataset"
TRUNCATE_STAGING_ENV = "LOAD__TRUNCATE_STAGING_DATASET"
"""Staging tables are emptied after each load unless configured; dlt would keep a package's
staged rows until the next load, a third of the DuckDB file after the latency benchmark, and
written to disk by the checkpoint that ends the load (0.26 s of it, 0.17 s emptied)."""
DEFAULT_PIPELINE_NAME = "calven_warehouse"
DEFAULT_DATASET_NAME = "calven"
DEFAULT_PIPELINES_DIR = "state"


@dataclass(frozen=True)
class PipelineSpec:
    """Where a sync loads to. ``destination`` is a dlt destination name or instance."""

    pipeline_name: str = DEFAULT_PIPELINE_NAME
    destination: Any = "duckdb"
    dataset_name: str = DEFAULT_DATASET_NAME
    pipelines_dir: str | Path = DEFAULT_PIPELINES_DIR


def apply_defaults() -> None:
    """DuckDB's settings, uncompressed load files and emptied staging tables (above), each
    unless configured.

    (Arrow's allocator is chosen when ``pipelines`` is imported, see its docstring.)
    """
    # An environment default reaches the credentials however they are given (a path string in
    # secrets.toml cannot take a sub-key); configured settings were found by the lookups.
    if dlt.secrets.get(DUCKDB_SETTINGS_KEY) is None:
        os.environ.setdefault(DUCKDB_SETTINGS_ENV, json.dumps(DUCKDB_SETTINGS))
    for key, env in (
        (UNCOMPRESSED_KEY, UNCOMPRESSED_ENV),
        (TRUNCATE_STAGING_KEY, TRUNCATE_STAGING_ENV),
    ):
        if dlt.config.get(key) is None:
            os.environ.setdefault(env, "true")


def working_dir(path: str | Path) -> Path:
    """The pipelines directory, created if missing; ConfigError if it cannot hold state."""
    directory = Path(path)
    where = f"--pipelines-dir {directory}"
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{where} is not a directory (dlt keeps pipeline state there)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{where} cannot be created: {exc.strerror}") from exc
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ConfigError(f"{where} is not writable (dlt keeps pipeline state there)")
    return directory


def make_pipeline(spec: PipelineSpec) -> dlt.Pipeline:
    """The configured pipeline; ConfigError for a destination dlt does not know or a working
    directory that cannot hold its state."""
    apply_defaults()
    working_dir(spec.pipelines_dir)
    try:
        destination = Destination.from_reference(spec.destination)
    except UnknownDestinationModule as exc:
        raise ConfigError(
            f"destination '{spec.destination}' is not a dlt destination "
            "(for example duckdb, postgres, snowflake, bigquery, filesystem)"
        ) from exc
    return dlt.pipeline(
        pipeline_name=spec.pipeline_name,
        destination=here(destination),
        dataset_name=spec.dataset_name,
        pipelines_dir=str(spec.pipelines_dir),
    )


def here(destination: AnyDestination | None) -> AnyDestination | None:
    """``destination`` with relative local paths resolved against today's working directory.

    dlt binds a destination's local files (the default DuckDB file, a relative filesystem
    ``bucket_url``) to the directory the pipeline *first* ran in, remembered in its local state:
    a moved working folder then failed on every run, and a copied one wrote into the original's
    database. A directory given here wins over the remembered one.
    """
    if destination is not None and issubclass(destination.spec, WithLocalFiles):
        destination.config_params.setdefault(
            "local_dir", os.path.abspath(dlt.current.run_context().local_dir)
        )
    return destination


def destination_name(pipeline: dlt.Pipeline) -> str | None:
    """``duckdb``, ``postgres``...; None before a destination is set."""
    if pipeline.destination is None:
        return None
    return str(pipeline.destination.destination_type.rsplit(".", 1)[-1])


def loader_file_format(pipeline: dlt.Pipeline) -> Any:
    """The loader file format for ``pipeline``'s destination; None keeps dlt's choice."""
    return LOADER_FILE_FORMATS.get(destination_name(pipeline) or "")


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
    if destination_name(pipeline) != "duckdb":
        yield
        return
    resolved = pipeline.destination_client().config.credentials
    if not isinstance(resolved, DuckDbCredentials) or resolved.external_conn() is not None:
        yield
        return
    connection = duckdb.connect(resolved.database, read_only=resolved.read_only)
    settings = {**(resolved.global_config or {}), **(resolved.local_config or {})}
    if rows is not None and "threads" not in settings:
        (available,) = connection.execute("select current_setting('threads')").fetchall()[0]
        connection.execute(f"SET threads = {load_threads(rows, int(available))}")
    params = pipeline.destination.config_params
    missing = object()
    configured = params.get("credentials", missing)
    # The settings dlt applies to a connection it opens, applied by its pool to this one.
    params["credentials"] = DuckDbCredentials(
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
        yield
    finally:
        if configured is missing:
            del params["credentials"]
        else:
            params["credentials"] = configured
        connection.close()


DUCKDB_ROW_GROUP_ROWS = 122_880


def load_threads(rows: int, available: int) -> int:
    """Threads for a DuckDB load of ``rows``: one per row group they fill, 1 to ``available``.

    Each thread appends to row groups of its own, which are merged when the insert commits: for
    fewer rows than a row group per thread that costs more than it saves (93,000 rows staged and
    merged on a 2-core machine: 0.59 to 0.62 s on one thread, 0.73 to 0.80 s on two; 400,000
    rows: 1.87 s on one, 1.00 s on two).
    """
    return max(1, min(available, -(-rows // DUCKDB_ROW_GROUP_ROWS)))


def row_counts(pipeline: dlt.Pipeline, tables: Sequence[str]) -> dict[str, int | None]:
    """Rows in each of ``tables`` in the pipeline's dataset; None where a table is not there or
    the destination cannot be asked (the numbers only inform a summary)."""
    counts: dict[str, int | None] = dict.fromkeys(tables)
    try:
        with pipeline.sql_client() as client:
            for table in tables:
                name = client.make_qualified_table_name(table)
                try:
                    rows = client.execute_sql(f"SELECT count(*) FROM {name}")
                except DatabaseUndefinedRelation:
                    continue
                counts[table] = int(rows[0][0]) if rows else None
    except DltException as exc:
        logger.debug("could not count rows of %s: %s", ", ".join(tables), exc)
    return counts
