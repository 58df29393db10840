"""The models built for real in PostgreSQL: figures equal the truth, dbt's tests pass, and the
password reaches dbt without appearing in its logs, its compiled files or the output."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import exit_codes
from tests.reliability.cli import run_cli, simulator_env
from tests.transform import truth
from tests.transform.conftest import loaded_bookings
from tests.transform.test_marts_truth import LOCATION_DAY

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
PASSWORD = "pg-Secret-7f3a9c"  # trust auth accepts any password; it must never be written


@pytest.fixture
def dataset(postgres_dataset: str) -> str:
    return postgres_dataset


def test_postgres_marts_equal_the_truth_and_pass_their_tests(tmp_path, simulator, dataset):
    import psycopg2

    env = {
        **simulator_env(simulator),
        "DESTINATION__POSTGRES__CREDENTIALS": (
            f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/test"
        ),
    }
    where = ("--destination", "postgres", "--dataset-name", dataset)
    loaded = run_cli(tmp_path, env, "run", "--transform", *where)
    assert loaded.returncode == exit_codes.OK, loaded.stdout + loaded.stderr
    tested = run_cli(tmp_path, env, "transform", "--test", *where)
    assert tested.returncode == exit_codes.OK, tested.stdout + tested.stderr
    assert "test(s) passed" in tested.stdout

    columns = ", ".join(("location_id", "day", *LOCATION_DAY))
    url = "postgresql://postgres@127.0.0.1:5432/test"
    with psycopg2.connect(url) as con, con.cursor() as cur:
        cur.execute(f'select {columns} from "{dataset}_marts".agg_location_day')
        rows = cur.fetchall()
    found = {row[:2]: dict(zip(LOCATION_DAY, row[2:], strict=True)) for row in rows}
    assert found == truth.location_days(loaded_bookings(simulator.sim.tenant))

    for result in (loaded, tested):
        assert PASSWORD not in result.stdout + result.stderr
    written = [p for p in Path(tmp_path).rglob("*") if p.is_file()]
    assert any(p.name == "dbt.log" for p in written), "dbt's log should be in the working dir"
    leaked = [p for p in written if PASSWORD.encode() in p.read_bytes()]
    assert leaked == []
