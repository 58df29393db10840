"""The jobs an orchestrator runs: tenant-wide tables, one shard's locations, the models.

Each job is what ``calven-sync`` runs for the same command line (``argv``, which the run log
records): its pipeline's lock (waiting, so a retry queues behind a straggler), the runner's
checkpoints and crash repair, the run log row and alerts. A job that left windows unloaded
raises ``JobFailed`` after its loaded checkpoints are kept, so the orchestrator's retry of that
job alone fetches only what is missing.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelines.cli.recording import recorded
from pipelines.lock import pipeline_lock
from pipelines.pipeline import (
    DEFAULT_DATASET_NAME,
    DEFAULT_PIPELINE_NAME,
    DEFAULT_PIPELINES_DIR,
    PipelineSpec,
    make_pipeline,
)
from pipelines.runner import SyncReport, new_report, sync
from pipelines.transform import TransformResult, transform
from sources.calven.catalog import DIMENSIONS, WINDOWED
from sources.calven.errors import CalvenError
from sources.calven.incremental.shards import Shard

TENANT_WIDE: tuple[str, ...] = (
    *(d.name for d in DIMENSIONS),
    *(d.name for d in WINDOWED if d.partitioning == "none"),
)
"""Loaded by the tenant job: the dimensions (replaced) and the tenant-wide change log."""
PER_LOCATION: tuple[str, ...] = tuple(d.name for d in WINDOWED if d.partitioning == "location")
"""Loaded by the shard jobs, each for its locations."""


class JobFailed(CalvenError):
    """Some windows of a job failed; what loaded is kept and a rerun fetches the rest."""


@dataclass(frozen=True)
class Warehouse:
    """Where the jobs load: the pipeline options of ``calven-sync``. Source settings and
    secrets come from dlt's configuration (``.dlt/`` or ``SOURCES__CALVEN__...``) as usual;
    ``source_options`` overrides some of them (tests set ``today``)."""

    pipeline_name: str = DEFAULT_PIPELINE_NAME
    destination: str = "duckdb"
    dataset_name: str = DEFAULT_DATASET_NAME
    pipelines_dir: str = DEFAULT_PIPELINES_DIR
    source_options: Mapping[str, Any] = field(default_factory=dict)

    def spec(self, shard: Shard | None = None) -> PipelineSpec:
        return PipelineSpec(
            self.pipeline_name, self.destination, self.dataset_name, self.pipelines_dir, shard
        )

    def argv(self, command: str, *extra: str) -> list[str]:
        return [
            command,
            *extra,
            *("--pipeline-name", self.pipeline_name, "--destination", self.destination),
            *("--dataset-name", self.dataset_name, "--pipelines-dir", self.pipelines_dir),
        ]


def load_tenant_wide(warehouse: Warehouse) -> SyncReport:
    """The dimensions and the change log, in the pipeline ``pipeline_name`` itself."""
    return _load(warehouse, None, TENANT_WIDE)


def load_shard(warehouse: Warehouse, shard: Shard) -> SyncReport:
    """``bookings_attendance`` and ``presence`` of the shard's locations, in its pipeline."""
    return _load(warehouse, shard, PER_LOCATION)


def _load(warehouse: Warehouse, shard: Shard | None, datasets: tuple[str, ...]) -> SyncReport:
    spec = warehouse.spec(shard)
    pipeline = make_pipeline(spec)
    options = {**warehouse.source_options, **({"shard": str(shard)} if shard else {})}
    extra = ["--datasets", ",".join(datasets), *(["--shard", str(shard)] if shard else [])]
    args = argparse.Namespace(command="run", argv=warehouse.argv("run", *extra))
    resume = shlex.join(["calven-sync", *args.argv])
    report = new_report()
    lock = pipeline_lock(spec.pipelines_dir, spec.name, wait=True)
    with lock, recorded(pipeline, args, report, resume=resume):
        sync(pipeline, datasets, options, report=report)
    if not report.ok:
        failures = report.session.failures
        raise JobFailed(
            f"{len(failures)} window(s) failed, first: {failures[0]}; the loaded ones are "
            f"kept, and a rerun of this job fetches the rest ({resume})"
        )
    return report


def build_models(warehouse: Warehouse) -> TransformResult:
    """The attendance models over everything loaded (run it after every shard's job)."""
    spec = warehouse.spec()
    pipeline = make_pipeline(spec)
    args = argparse.Namespace(command="transform", argv=warehouse.argv("transform"))
    lock = pipeline_lock(spec.pipelines_dir, spec.name, wait=True)
    with lock, recorded(pipeline, args, command="transform"):
        return transform(pipeline)
