"""The report reads PostgreSQL through the same pipeline options: its tables equal the marts and
the ledger queried there, and the password appears nowhere in the file or the output."""

from __future__ import annotations

import pytest

from pipelines import exit_codes
from tests.reliability.cli import run_cli, simulator_env
from tests.report.conftest import scope_start
from tests.report.page import read_page

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
URL = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "pg-Report-51c0de"  # trust auth accepts any password; it must never be written


@pytest.fixture
def dataset(postgres_dataset: str) -> str:
    return postgres_dataset


def test_a_postgres_report_equals_the_marts_and_the_ledger_there(tmp_path, simulator, dataset):
    import psycopg2

    env = {
        **simulator_env(simulator),
        "DESTINATION__POSTGRES__CREDENTIALS": f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/test",
    }
    where = ("--destination", "postgres", "--dataset-name", dataset)
    loaded = run_cli(tmp_path, env, "run", "--transform", *where)
    assert loaded.returncode == exit_codes.OK, loaded.stdout + loaded.stderr
    output = tmp_path / "report.html"
    done = run_cli(tmp_path, env, "report", "--output", str(output), *where)
    assert done.returncode == exit_codes.OK, done.stdout + done.stderr
    assert "attendance included" in done.stdout
    assert PASSWORD not in output.read_text(encoding="utf-8") + done.stdout + done.stderr
    page = read_page(output)

    today = simulator.sim.tenant.today
    with psycopg2.connect(URL) as con, con.cursor() as cur:
        cur.execute(
            "select location_name, cast(date_trunc('week', day) as date), sum(office_plans), "
            f'sum(attended) from "{dataset}_marts".agg_location_day '
            "where day >= %s and day < %s group by 1, 2 order by 1, 2",
            (scope_start(today), today),
        )
        weekly = cur.fetchall()
        cur.execute(
            f'select dataset, partition, count(distinct d) from "{dataset}"._calven_sync_windows, '
            "generate_series(window_start, window_end - 1, interval '1 day') as d group by 1, 2"
        )
        covered = {(d, p): n for d, p, n in cur.fetchall()}
    assert len(weekly) > 0
    assert [row[:4] for row in page.tables["weekly"]] == [
        [name, week.isoformat(), str(plans), str(attended)]
        for name, week, plans, attended in weekly
    ]
    # One run: every loaded day was re-read by it, and none is missing.
    shown = {(r[0], r[2]): (r[3], r[4], r[5]) for r in page.tables["coverage"]}
    assert shown == {key: ("0", str(n), "0") for key, n in covered.items()}
