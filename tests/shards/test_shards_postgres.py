"""Three shards at the same time into PostgreSQL: each merges through staging tables of its
own, and together they load exactly what one pipeline loads, with no duplicate and no lost row."""

from __future__ import annotations

import pytest

from pipelines import exit_codes
from tests.reliability.cli import run_cli, simulator_env
from tests.shards.conftest import postgres_differences, run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
URL = "postgresql://postgres@127.0.0.1:5432/test"
CREDENTIALS = "postgresql://postgres:any-password@127.0.0.1:5432/test"  # trust auth


def test_three_shards_at_once_load_exactly_what_one_pipeline_loads(
    tmp_path, simulator, postgres_dataset
):
    import psycopg2

    env = {**simulator_env(simulator), "DESTINATION__POSTGRES__CREDENTIALS": CREDENTIALS}
    sharded, single = postgres_dataset, f"{postgres_dataset}_single"
    where = ("--destination", "postgres", "--dataset-name")
    done = run_at_once(
        tmp_path, env, [("run", "--shard", f"{k}/3", *where, sharded) for k in (1, 2, 3)]
    )
    for result in done:
        assert result.returncode == exit_codes.OK, result.stdout + result.stderr
    one = run_cli(tmp_path, env, "run", *where, single)
    assert one.returncode == exit_codes.OK, one.stdout + one.stderr

    assert postgres_differences(sharded, single) == {}
    with psycopg2.connect(URL) as con, con.cursor() as cur:
        cur.execute("select nspname from pg_namespace where nspname like %s", (f"{sharded}%",))
        schemas = {name for (name,) in cur.fetchall()}
    assert {f"{sharded}_staging_shard_{k}_of_3" for k in (1, 2, 3)} <= schemas
