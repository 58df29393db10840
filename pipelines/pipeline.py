"""Build the dlt pipeline: destination, dataset and working directory from one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt
from dlt.common.destination.exceptions import UnknownDestinationModule

from sources.calven.errors import ConfigError

LOADER_FILE_FORMATS = {"postgres": "csv", "duckdb": "parquet", "filesystem": "parquet"}
"""What each destination bulk-loads fastest from Arrow: COPY for Postgres, parquet for the others
(dlt's default for Postgres and DuckDB is one INSERT statement per row batch)."""
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


def make_pipeline(spec: PipelineSpec) -> dlt.Pipeline:
    """The configured pipeline; ConfigError for a destination dlt does not know."""
    try:
        return dlt.pipeline(
            pipeline_name=spec.pipeline_name,
            destination=spec.destination,
            dataset_name=spec.dataset_name,
            pipelines_dir=str(spec.pipelines_dir),
        )
    except UnknownDestinationModule as exc:
        raise ConfigError(
            f"destination '{spec.destination}' is not a dlt destination "
            "(for example duckdb, postgres, snowflake, bigquery, filesystem)"
        ) from exc


def loader_file_format(pipeline: dlt.Pipeline) -> Any:
    """The loader file format for ``pipeline``'s destination; None keeps dlt's choice."""
    if pipeline.destination is None:
        return None
    return LOADER_FILE_FORMATS.get(pipeline.destination.destination_type.rsplit(".", 1)[-1])
