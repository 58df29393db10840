"""Build the dlt pipeline: destination, dataset and working directory from one place, with
the defaults of ``pipelines.destinations.defaults``."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt
from dlt.common.destination import AnyDestination, Destination
from dlt.common.destination.exceptions import UnknownDestinationModule
from dlt.common.exceptions import DltException
from dlt.destinations.exceptions import DatabaseUndefinedRelation

from pipelines.destinations.defaults import apply_defaults
from pipelines.dlt_internals import bind_local_dir, given_setting, with_settings
from sources.calven.errors import ConfigError
from sources.calven.incremental.shards import Shard

logger = logging.getLogger(__name__)

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
    shard: Shard | None = None
    """A shard's job is its own pipeline (``Shard.pipeline_name``) loading the same dataset."""

    @property
    def name(self) -> str:
        """The dlt pipeline's name: ``pipeline_name``, or its shard's pipeline."""
        return self.shard.pipeline_name(self.pipeline_name) if self.shard else self.pipeline_name


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
    if destination is not None and spec.shard is not None:
        destination = _shard_destination(destination, spec)
    if destination is not None:
        # dlt would resolve a relative DuckDB file or bucket_url against the folder the pipeline
        # first ran in: a moved working folder failed on every run, a copied one wrote into the
        # original's database. Today's working directory wins.
        bind_local_dir(destination, os.path.abspath(dlt.current.run_context().local_dir))
    return dlt.pipeline(
        pipeline_name=spec.name,
        destination=destination,
        dataset_name=spec.dataset_name,
        pipelines_dir=str(spec.pipelines_dir),
    )


def _shard_destination(destination: AnyDestination, spec: PipelineSpec) -> AnyDestination:
    """The destination of a shard's pipeline: the dataset's, with a staging dataset of its own.

    Shards merge into the same tables at the same time, each through its own staging tables
    (``<dataset>_staging_shard_2_of_4``), so no shard empties or merges another's staged rows.
    An unconfigured DuckDB file keeps the name of ``pipeline_name``, not of the shard's pipeline.
    """
    assert spec.shard is not None
    kind = destination.destination_name
    layout = (
        given_setting(destination, "staging_dataset_name_layout")
        or dlt.config.get(f"destination.{kind}.staging_dataset_name_layout")
        or dlt.config.get("destination.staging_dataset_name_layout")
        or "%s_staging"
    )
    shard = spec.shard
    settings: dict[str, Any] = {
        "staging_dataset_name_layout": f"{layout}_shard_{shard.index}_of_{shard.count}"
    }
    if (
        destination.destination_type.endswith(".duckdb")
        and given_setting(destination, "credentials") is None
        and dlt.secrets.get(f"destination.{kind}.credentials") is None
    ):
        settings["credentials"] = f"{spec.pipeline_name}.duckdb"
    return with_settings(destination, **settings)


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
