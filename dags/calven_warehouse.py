"""The Calven sync as an Airflow DAG: copy this file into Airflow's DAG folder.

Settings from the environment of the scheduler and workers (all optional): CALVEN_SHARDS (4),
CALVEN_DESTINATION (duckdb), CALVEN_DATASET_NAME (calven), CALVEN_PIPELINE_NAME
(calven_warehouse), CALVEN_PIPELINES_DIR (state), CALVEN_SCHEDULE (30 3 * * *); the source's
settings and secrets as dlt reads them (SOURCES__CALVEN__..., DESTINATION__...). Run once by
hand, as the tests do: ``python calven_warehouse.py`` (``dag.test()``).
"""

import os

from pipelines.orchestration.airflow import calven_dag
from pipelines.orchestration.jobs import Warehouse

env = os.environ.get
dag = calven_dag(
    int(env("CALVEN_SHARDS", "4")),
    warehouse=Warehouse(
        pipeline_name=env("CALVEN_PIPELINE_NAME", "calven_warehouse"),
        destination=env("CALVEN_DESTINATION", "duckdb"),
        dataset_name=env("CALVEN_DATASET_NAME", "calven"),
        pipelines_dir=env("CALVEN_PIPELINES_DIR", "state"),
    ),
    schedule=env("CALVEN_SCHEDULE", "30 3 * * *"),
    retries=int(env("CALVEN_RETRIES", "2")),
)
dag.fileloc = __file__  # the DAG is defined here, for Airflow's parser

if __name__ == "__main__":
    run = dag.test()
    print({ti.task_id: str(ti.state) for ti in run.get_task_instances()})
