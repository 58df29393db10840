"""Settings a load uses unless they are configured: the loader file format per destination,
DuckDB's memory footprint, uncompressed load files and emptied staging tables."""

from __future__ import annotations

import json
import os
from typing import Any

import dlt

from pipelines.destinations import destination_name

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


def loader_file_format(pipeline: dlt.Pipeline) -> Any:
    """The loader file format for ``pipeline``'s destination; None keeps dlt's choice."""
    return LOADER_FILE_FORMATS.get(destination_name(pipeline) or "")


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
