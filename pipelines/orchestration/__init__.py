"""Running the sync from an orchestrator: ``jobs`` (one tenant-wide job, one job per shard and
the models, each through ``pipelines.runner`` with its lock, checkpoints, crash repair, run log
and alerts), ``dagster`` (assets partitioned by shard) and ``airflow`` (a DAG of those jobs).
Nothing here runs a bare ``pipeline.run`` of the source."""
