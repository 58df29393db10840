"""``calven-sync push --destination postgres``: outcomes recorded in PostgreSQL, sources read
from PostgreSQL tables and queries, and a second push that skips what Calven accepted.

Every test works in schemas of its own (``calven_push_<hex>`` for the dataset and its
``_staging`` twin, ``<dataset>_src`` for source tables) and drops them afterwards.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from pipelines import exit_codes
from tests.e2e.test_destinations import POSTGRES_URL, _postgres_unavailable
from tests.push.conftest import presence_rows, write_csv

pytestmark = pytest.mark.postgres

UNKNOWN_USER = "00000000-0000-4000-8000-000000000000"


@dataclass
class Postgres:
    dataset: str
    connection: Any

    @property
    def source_schema(self) -> str:
        return f"{self.dataset}_src"

    def execute(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def results(self) -> Counter[tuple[Any, ...]]:
        """(event_id, status, result_code, http_status, source) of ``_calven_push_results``."""
        return Counter(
            self.execute(
                "SELECT event_id, status, result_code, http_status, source "
                f'FROM "{self.dataset}"._calven_push_results'
            )
        )


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    reason = _postgres_unavailable()
    if reason:
        pytest.skip(reason)
    import psycopg2

    dataset = f"calven_push_{uuid.uuid4().hex[:8]}"
    connection = psycopg2.connect(POSTGRES_URL)
    connection.autocommit = True
    database = Postgres(dataset, connection)
    try:
        yield database
    finally:
        for schema in (dataset, f"{dataset}_staging", database.source_schema):
            database.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.close()


def push(cli, postgres: Postgres, source: str):
    return cli(
        "push",
        "presence",
        "--from",
        source,
        "--destination",
        "postgres",
        "--dataset-name",
        postgres.dataset,
        DESTINATION__POSTGRES__CREDENTIALS=POSTGRES_URL,
    )


def posted(simulator) -> int:
    return len([e for e in simulator.sim.requests("/v1/presence") if e.method == "POST"])


def stored_event_ids(simulator) -> Counter[str]:
    """What Calven stored, as it shows after the next nightly refresh."""
    sim = simulator.sim
    sim.advance()
    rows = sim.tenant.rows("presence", sim.tenant.first_day, sim.tenant.today)
    return Counter(row["eventId"] for row in rows if row["sourceId"] == "calven-sync")


def summary_count(result, label: str) -> int:
    (line,) = [line for line in result.stdout.splitlines() if line.startswith(f"  {label} ")]
    return int(line.split()[len(label.split())].replace(",", ""))


def test_push_from_a_file_records_outcomes_and_a_second_push_skips_them(
    tmp_path, simulator, cli, postgres
):
    rows = presence_rows(simulator, 150)
    rows[7]["userId"] = UNKNOWN_USER
    source = str(write_csv(tmp_path / "badges.csv", rows))

    first = push(cli, postgres, source)

    assert first.returncode == exit_codes.DATA, first.stdout + first.stderr  # one rejection
    assert posted(simulator) == 2  # batches of 100
    recorded = postgres.results()
    by_outcome = Counter((status, code, http) for _, status, code, http, _ in recorded.elements())
    assert by_outcome == {("accepted", 0, 200): 149, ("rejected", 1, 200): 1}
    assert {origin for *_, origin in recorded} == {source}
    assert not (tmp_path / "warehouse.duckdb").exists(), "nothing may land in the default DuckDB"
    simulator.sim.clear_requests()

    second = push(cli, postgres, source)

    assert second.returncode == exit_codes.DATA, second.stdout + second.stderr
    assert summary_count(second, "already accepted") == 149
    assert summary_count(second, "already rejected") == 1
    assert summary_count(second, "sent") == 0
    assert posted(simulator) == 0
    assert postgres.results() == recorded
    accepted = {event_id for event_id, status, *_ in recorded if status == "accepted"}
    assert stored_event_ids(simulator) == Counter(dict.fromkeys(accepted, 1))


BADGE_READS = """
    CREATE TABLE {table} (
        user_id text, location_id text, location_type text, "timestamp" timestamptz, door text
    )
"""
SOURCES = {
    "table-in-the-dataset": ("table:badge_reads", "{dataset}", 6),
    "table-in-another-schema": ("table:{schema}.badge_reads", "{schema}", 6),
    "query": (
        'query:SELECT user_id, location_id, location_type, "timestamp" '
        "FROM {schema}.badge_reads WHERE door <> 'garage'",
        "{schema}",
        4,
    ),
}


@pytest.mark.parametrize(("source", "schema", "pushed"), SOURCES.values(), ids=SOURCES.keys())
def test_push_reads_a_postgres_table_or_query_and_a_second_push_skips_it(
    simulator, cli, postgres, source, schema, pushed
):
    names = {"dataset": postgres.dataset, "schema": postgres.source_schema}
    table = f"{schema.format(**names)}.badge_reads"
    postgres.execute(f"CREATE SCHEMA {schema.format(**names)}")
    postgres.execute(BADGE_READS.format(table=table))
    for number, row in enumerate(presence_rows(simulator, 6, days=3)):
        door = "garage" if number % 3 == 0 else "front"
        values = (row["userId"], row["locationId"], row["locationType"], row["timestamp"], door)
        postgres.execute(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s)", *values)
    source = source.format(**names)

    first = push(cli, postgres, source)

    assert first.returncode == exit_codes.OK, first.stdout + first.stderr
    assert summary_count(first, "rows") == summary_count(first, "accepted") == pushed
    assert posted(simulator) == 1
    recorded = postgres.results()
    assert sorted(recorded.values()) == [1] * pushed
    assert {(status, code, http, origin) for _, status, code, http, origin in recorded} == {
        ("accepted", 0, 200, source)
    }
    simulator.sim.clear_requests()

    second = push(cli, postgres, source)

    assert second.returncode == exit_codes.OK, second.stdout + second.stderr
    assert summary_count(second, "already accepted") == pushed
    assert posted(simulator) == 0
    assert postgres.results() == recorded
    assert postgres.execute(f"SELECT count(*) FROM {table}") == [(6,)], "the source is read only"
    stored = stored_event_ids(simulator)
    assert stored == Counter(dict.fromkeys((event_id for event_id, *_ in recorded), 1))
