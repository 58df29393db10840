"""Dagster: ``Definitions`` of the sync as assets, partitioned by shard, through our runner.

    # definitions.py of a Dagster project (or: dagster dev -m pipelines.orchestration.dagster)
    from pipelines.orchestration.dagster import calven_definitions
    defs = calven_definitions(shards=4, destination="postgres")

- ``calven_tenant``: the dimensions and ``user_change_log`` (one run, unpartitioned);
- ``calven_locations``: ``bookings_attendance`` and ``presence``, one partition per shard
  (``1/4`` ... ``4/4``), each its own dlt pipeline, ledger and lock;
- ``calven_models``: the dbt models, after them.

Each asset runs a job of ``pipelines.orchestration.jobs`` (checkpoints, ledger, crash repair,
lock, run log and alerts), never a bare ``pipeline.run`` of the source: dagster-dlt's
``@dlt_assets`` runs exactly that, so it is not used. A failed partition raises and is retried
alone (``RetryPolicy``); its rerun fetches only its missing windows. Schedules: the loads daily
(one run per shard and one tenant run), the models two hours later.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg

from pipelines.orchestration.jobs import (
    PER_LOCATION,
    TENANT_WIDE,
    JobFailed,
    Warehouse,
    build_models,
    load_shard,
    load_tenant_wide,
)
from pipelines.pipeline import DEFAULT_DATASET_NAME, DEFAULT_PIPELINE_NAME, DEFAULT_PIPELINES_DIR
from pipelines.runner import SyncReport
from sources.calven.incremental.shards import Shard

GROUP = "calven"


class CalvenWarehouse(dg.ConfigurableResource):  # type: ignore[type-arg]
    """The pipeline options of ``calven-sync`` (secrets stay in dlt's configuration)."""

    pipeline_name: str = DEFAULT_PIPELINE_NAME
    destination: str = "duckdb"
    dataset_name: str = DEFAULT_DATASET_NAME
    pipelines_dir: str = DEFAULT_PIPELINES_DIR
    today: str | None = None
    """Pins the sync's today (tests); unset, it is the UTC day."""

    def warehouse(self) -> Warehouse:
        options = {"today": self.today} if self.today else {}
        return Warehouse(
            self.pipeline_name, self.destination, self.dataset_name, self.pipelines_dir, options
        )


def _results(report: SyncReport, names: tuple[str, ...]) -> Iterator[dg.MaterializeResult[Any]]:
    for name in names:
        yield dg.MaterializeResult(
            asset_key=name,
            metadata={
                "rows": dg.MetadataValue.int(report.landed_rows.get(name, 0)),
                "windows": dg.MetadataValue.int(report.landed_windows.get(name, 0)),
            },
        )


def _failure(exc: JobFailed) -> dg.Failure:
    return dg.Failure(description=str(exc), allow_retries=True)


def calven_definitions(
    shards: int = 4,
    *,
    warehouse: CalvenWarehouse | None = None,
    load_cron: str = "30 3 * * *",
    models_cron: str = "30 5 * * *",
    retries: int = 2,
    retry_delay_seconds: int = 60,
) -> dg.Definitions:
    """The assets, jobs and daily schedules of a ``shards``-way split of the locations."""
    partitions = dg.StaticPartitionsDefinition([f"{k}/{shards}" for k in range(1, shards + 1)])
    retry = dg.RetryPolicy(max_retries=retries, delay=retry_delay_seconds)

    @dg.multi_asset(
        specs=[dg.AssetSpec(name, group_name=GROUP) for name in TENANT_WIDE],
        retry_policy=retry,
        name="calven_tenant",
    )
    def calven_tenant(calven: CalvenWarehouse) -> Iterator[dg.MaterializeResult[Any]]:
        try:
            report = load_tenant_wide(calven.warehouse())
        except JobFailed as exc:
            raise _failure(exc) from exc
        yield from _results(report, TENANT_WIDE)

    @dg.multi_asset(
        specs=[dg.AssetSpec(name, group_name=GROUP) for name in PER_LOCATION],
        partitions_def=partitions,
        retry_policy=retry,
        name="calven_locations",
    )
    def calven_locations(
        context: dg.AssetExecutionContext, calven: CalvenWarehouse
    ) -> Iterator[dg.MaterializeResult[Any]]:
        shard = Shard.parse(context.partition_key)
        try:
            report = load_shard(calven.warehouse(), shard)
        except JobFailed as exc:
            raise _failure(exc) from exc
        yield from _results(report, PER_LOCATION)

    @dg.asset(
        name="calven_models",
        group_name=GROUP,
        deps=[*TENANT_WIDE, *PER_LOCATION],
        retry_policy=retry,
    )
    def calven_models(calven: CalvenWarehouse) -> dg.MaterializeResult[Any]:
        result = build_models(calven.warehouse())
        return dg.MaterializeResult(metadata={"models": dg.MetadataValue.int(len(result.nodes))})

    tenant_job = dg.define_asset_job("calven_tenant_job", selection=[calven_tenant])
    locations_job = dg.define_asset_job("calven_locations_job", selection=[calven_locations])
    models_job = dg.define_asset_job("calven_models_job", selection=[calven_models])

    @dg.schedule(cron_schedule=load_cron, job=locations_job, name="calven_locations_daily")
    def locations_daily(context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
        day = context.scheduled_execution_time.date().isoformat()
        for key in partitions.get_partition_keys():
            yield dg.RunRequest(run_key=f"{day}:{key}", partition_key=key)

    schedules: list[Any] = [
        locations_daily,
        dg.ScheduleDefinition(name="calven_tenant_daily", job=tenant_job, cron_schedule=load_cron),
        dg.ScheduleDefinition(
            name="calven_models_daily", job=models_job, cron_schedule=models_cron
        ),
    ]
    return dg.Definitions(
        assets=[calven_tenant, calven_locations, calven_models],
        jobs=[tenant_job, locations_job, models_job],
        schedules=schedules,
        resources={"calven": warehouse or CalvenWarehouse()},
    )


defs = calven_definitions()
"""``dagster dev -m pipelines.orchestration.dagster``: 4 shards into DuckDB, defaults."""
