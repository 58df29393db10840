"""The Dagster definitions, materialized in-process against the simulator and the local
PostgreSQL: the tenant asset, one partition per shard and the models load what one ``calven-sync
run`` loads, through our runner (a ledger per shard pipeline, the run log); a partition that
failed is materialized again alone and fills its gap."""

from __future__ import annotations

import pytest

from pipelines import exit_codes
from sources.calven.incremental.shards import shard_of
from sources.calven_sim.faults import FaultConfig, FaultRule
from tests.reliability.cli import run_cli, simulator_env
from tests.shards.conftest import POSTGRES_URL, postgres_differences

dg = pytest.importorskip("dagster", reason="dagster is not installed (the [dagster] extra)")
pytestmark = [pytest.mark.postgres, pytest.mark.slow]
CREDENTIALS = "postgresql://postgres:any-password@127.0.0.1:5432/test"  # trust auth
SHARDS = 3


@pytest.fixture
def definitions(tmp_path, simulator, postgres_dataset, monkeypatch):
    from pipelines.orchestration.dagster import CalvenWarehouse, calven_definitions

    for name, value in simulator_env(simulator).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", CREDENTIALS)
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.chdir(tmp_path)
    warehouse = CalvenWarehouse(
        destination="postgres",
        dataset_name=postgres_dataset,
        pipelines_dir=str(tmp_path / "state"),
        today=simulator.sim.tenant.today.isoformat(),
    )
    defs = calven_definitions(SHARDS, warehouse=warehouse, retries=0)
    assets = {asset.node_def.name: asset for asset in defs.assets}
    return assets, {"calven": warehouse}


def _materialize(assets, resources, name, partition=None):
    return dg.materialize(
        [assets[name]], resources=resources, partition_key=partition, raise_on_error=False
    )


def test_assets_per_shard_load_what_one_run_loads_and_a_failed_partition_reruns_alone(
    tmp_path, simulator, definitions, postgres_dataset
):
    import psycopg2

    assets, resources = definitions
    bad = simulator.sim.tenant.location_ids()[0]
    failing = f"{shard_of(bad, SHARDS)}/{SHARDS}"
    simulator.sim.set_faults(FaultConfig(rules=(FaultRule("500", location_id=bad),)))

    assert _materialize(assets, resources, "calven_tenant").success
    outcomes = {
        key: _materialize(assets, resources, "calven_locations", key)
        for key in (f"{k}/{SHARDS}" for k in range(1, SHARDS + 1))
    }
    assert {key: result.success for key, result in outcomes.items()} == {
        key: key != failing for key in outcomes
    }
    failure = next(
        event for event in outcomes[failing].all_events if event.event_type_value == "STEP_FAILURE"
    )
    message = str(failure.event_specific_data.error)
    assert bad in message and f"--shard {failing}" in message and "a rerun of this job" in message

    simulator.sim.set_faults(None)
    again = _materialize(assets, resources, "calven_locations", failing)
    assert again.success
    models = _materialize(assets, resources, "calven_models")
    assert models.success

    single = f"{postgres_dataset}_single"
    env = {**simulator_env(simulator), "DESTINATION__POSTGRES__CREDENTIALS": CREDENTIALS}
    (tmp_path / "one").mkdir()
    where = ("--destination", "postgres", "--dataset-name", single)
    one = run_cli(tmp_path / "one", env, "run", *where)
    assert one.returncode == exit_codes.OK, one.stdout + one.stderr
    assert postgres_differences(postgres_dataset, single) == {}

    with psycopg2.connect(POSTGRES_URL) as con, con.cursor() as cur:
        cur.execute(
            f'select pipeline_name, command, status from "{postgres_dataset}"._calven_sync_runs '
            "order by started_at"
        )
        runs = cur.fetchall()
        cur.execute(f'select count(*) from "{postgres_dataset}_marts".agg_location_day')
        modelled = cur.fetchone()[0]
    pipelines = [f"calven_warehouse_shard_{k}_of_{SHARDS}" for k in range(1, SHARDS + 1)]
    assert runs[0] == ("calven_warehouse", "run", "success")
    assert sorted(r[0] for r in runs[1 : SHARDS + 1]) == pipelines
    assert [r[1:] for r in runs if r[0].endswith(failing.replace("/", "_of_"))] == [
        ("run", "partial"),
        ("run", "success"),
    ]
    assert runs[-1] == ("calven_warehouse", "transform", "success")
    assert modelled > 0


def test_the_daily_schedule_asks_for_every_shard_once_a_day():
    from datetime import datetime

    from pipelines.orchestration.dagster import calven_definitions

    defs = calven_definitions(4)
    schedule = defs.resolve_schedule_def("calven_locations_daily")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 3, 18, 3, 30),
        repository_def=defs.get_repository_def(),
    )
    requests = schedule.evaluate_tick(context).run_requests
    assert [(r.run_key, r.partition_key) for r in requests] == [
        (f"2026-03-18:{k}/4", f"{k}/4") for k in range(1, 5)
    ]
    assert defs.resolve_schedule_def("calven_models_daily").cron_schedule == "30 5 * * *"
    job = defs.resolve_job_def("calven_locations_job")
    assert job.partitions_def.get_partition_keys() == ["1/4", "2/4", "3/4", "4/4"]
