"""The shipped Airflow DAG (``dags/calven_warehouse.py``), run with ``dag.test()`` against the
simulator and the local PostgreSQL, as a user runs it by hand: ``airflow db migrate`` into a
fresh AIRFLOW_HOME, then ``python calven_warehouse.py``. Every task succeeds, the models wait
for the loads, and the tables equal one ``calven-sync run``."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import exit_codes
from tests.reliability.cli import BIN, run_cli, simulator_env
from tests.shards.conftest import POSTGRES_URL, postgres_differences

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    # not imported here: Airflow reads its configuration (AIRFLOW_HOME) when first imported
    pytest.mark.skipif(
        importlib.util.find_spec("airflow") is None,
        reason="apache-airflow is not installed (the [airflow] extra)",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
DAG_FILE = ROOT / "dags" / "calven_warehouse.py"
CREDENTIALS = "postgresql://postgres:any-password@127.0.0.1:5432/test"  # trust auth


def test_the_dag_loads_every_shard_then_builds_the_models(tmp_path, simulator, postgres_dataset):
    import psycopg2

    home = tmp_path / "airflow"
    home.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "SOURCES__"))},
        **simulator_env(simulator),
        "DESTINATION__POSTGRES__CREDENTIALS": CREDENTIALS,
        "RUNTIME__DLTHUB_TELEMETRY": "false",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAG_FILE.parent),
        "PYTHONPATH": str(ROOT),
        "CALVEN_SHARDS": "3",
        "CALVEN_DESTINATION": "postgres",
        "CALVEN_DATASET_NAME": postgres_dataset,
        "CALVEN_PIPELINES_DIR": str(home / "state"),
        "CALVEN_RETRIES": "0",
    }
    migrated = subprocess.run(
        [str(BIN / "airflow"), "db", "migrate"], env=env, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    ran = subprocess.run(
        [sys.executable, str(DAG_FILE)],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr[-5000:]
    states = ast.literal_eval(ran.stdout.strip().splitlines()[-1])
    assert states == {
        "tenant": "success",
        "shard_1_of_3": "success",
        "shard_2_of_3": "success",
        "shard_3_of_3": "success",
        "models": "success",
    }

    single = f"{postgres_dataset}_single"
    cli_env = {**simulator_env(simulator), "DESTINATION__POSTGRES__CREDENTIALS": CREDENTIALS}
    where = ("--destination", "postgres", "--dataset-name", single)
    one = run_cli(tmp_path, cli_env, "run", *where)
    assert one.returncode == exit_codes.OK, one.stdout + one.stderr
    assert postgres_differences(postgres_dataset, single) == {}
    with psycopg2.connect(POSTGRES_URL) as con, con.cursor() as cur:
        cur.execute(
            f'select pipeline_name, command, status, started_at from "{postgres_dataset}".'
            "_calven_sync_runs order by started_at"
        )
        runs = cur.fetchall()
        cur.execute(f'select count(*) from "{postgres_dataset}_marts".agg_location_day')
        assert cur.fetchone()[0] > 0
    loads = {(name, command, status) for name, command, status, _ in runs[:-1]}
    assert loads == {
        ("calven_warehouse", "run", "success"),
        *{(f"calven_warehouse_shard_{k}_of_3", "run", "success") for k in (1, 2, 3)},
    }
    assert runs[-1][:3] == ("calven_warehouse", "transform", "success")  # after every load
