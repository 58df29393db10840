"""Airflow: a TaskFlow DAG of the sync, one task per shard, through our runner.

    # dags/calven_warehouse.py in Airflow's DAG folder (Airflow 3; our package installed beside)
    from pipelines.orchestration.airflow import calven_dag
    from pipelines.orchestration.jobs import Warehouse
    dag = calven_dag(shards=4, warehouse=Warehouse(destination="postgres"))

Tasks: ``tenant`` (the dimensions and ``user_change_log``), ``shard_K_of_N`` for each shard
(``bookings_attendance`` and ``presence`` of its locations, its own pipeline, ledger and lock),
both at once, then ``models`` (dbt) when all succeeded. Each task is a job of
``pipelines.orchestration.jobs`` (checkpoints, crash repair, lock, run log, alerts), never a bare
``pipeline.run`` of the source (dlt's ``PipelineTasksGroup`` would run one). A failed task is
retried alone; its retry fetches only its missing windows. Source settings and secrets come from
dlt's configuration (``.dlt/`` beside the DAG's working directory, or ``SOURCES__CALVEN__...``
in the workers' environment).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, dag, task

from pipelines.orchestration.jobs import (
    Warehouse,
    build_models,
    load_shard,
    load_tenant_wide,
)
from sources.calven.incremental.shards import Shard


def calven_dag(
    shards: int = 4,
    *,
    warehouse: Warehouse | None = None,
    dag_id: str = "calven_warehouse",
    schedule: str | None = "30 3 * * *",
    retries: int = 2,
    retry_delay: timedelta = timedelta(minutes=5),
) -> DAG:
    """The DAG: ``tenant`` and ``shard_K_of_N`` in parallel, then ``models``."""
    where = warehouse or Warehouse()

    @dag(
        dag_id=dag_id,
        schedule=schedule,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        default_args={"retries": retries, "retry_delay": retry_delay},
        tags=["calven"],
    )
    def calven() -> None:
        @task
        def tenant() -> dict[str, Any]:
            return dict(load_tenant_wide(where).landed_rows)

        @task
        def shard(key: str) -> dict[str, Any]:
            return dict(load_shard(where, Shard.parse(key)).landed_rows)

        @task(trigger_rule="all_success")
        def models() -> int:
            return len(build_models(where).nodes)

        loads = [tenant()]
        for k in range(1, shards + 1):
            loads.append(shard.override(task_id=f"shard_{k}_of_{shards}")(f"{k}/{shards}"))
        loads >> models()

    return calven()
