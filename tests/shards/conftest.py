"""A tenant with enough locations to split, and comparing what shards loaded with one pipeline."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from sources.calven_sim.server import RunningSimulator, SimulatorConfig, run_simulator
from sources.calven_sim.tenant import TenantConfig
from tests.reliability.cli import start_cli

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
TENANT = TenantConfig(
    seed=5, users=120, locations=7, history_days=30, future_days=7, today=date(2026, 3, 18)
)
DATA_TABLES = (
    "users", "groups", "locations", "desks", "bookings_attendance", "presence", "user_change_log",
)  # fmt: skip
KEYS = {
    "bookings_attendance": ("user_id", "day"),
    "presence": ("presence_id",),
    "user_change_log": ("change_log_id",),
}


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    with run_simulator(SimulatorConfig(tenant=TENANT)) as running:
        yield running


def run_at_once(
    workdir: Path, env: dict[str, str], commands: list[tuple[str, ...]]
) -> list[subprocess.CompletedProcess[str]]:
    """Start every command, then wait for all: they run at the same time."""
    started = [(args, start_cli(workdir, env, *args)) for args in commands]
    done = []
    for args, process in started:
        out, err = process.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(list(args), process.returncode, out, err))
    return done


def duckdb_differences(first: Path, second: Path, dataset: str = "calven") -> dict[str, int]:
    """Per data table, rows in one database and not the other (both ways, dlt's columns aside),
    and the duplicated keys of the first."""
    out: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{first}' as a (read_only)")
        con.execute(f"attach '{second}' as b (read_only)")
        for table in DATA_TABLES:
            a, b = f"a.{dataset}.{table}", f"b.{dataset}.{table}"
            columns = _data_columns(con, "a", dataset, table)
            out[table] = con.execute(
                f"select (select count(*) from (select {columns} from {a} except all "
                f"select {columns} from {b})) + (select count(*) from (select {columns} from {b} "
                f"except all select {columns} from {a}))"
            ).fetchone()[0]
            if table in KEYS:
                key = ", ".join(KEYS[table])
                out[f"{table} duplicates"] = con.execute(
                    f"select count(*) - count(distinct ({key})) from {a}"
                ).fetchone()[0]
    return out


def _data_columns(con, catalog: str, dataset: str, table: str) -> str:
    rows = con.execute(
        "select column_name from information_schema.columns where table_catalog = ? and "
        "table_schema = ? and table_name = ? and column_name not like '\\_dlt\\_%' escape '\\' "
        "order by column_name",
        [catalog, dataset, table],
    ).fetchall()
    return ", ".join(f'"{name}"' for (name,) in rows)


def postgres_differences(sharded: str, single: str) -> dict[str, object]:
    """Per data table of two PostgreSQL datasets (database ``test``): rows only in one of them,
    duplicated keys, or no rows at all; empty when they hold the same rows."""
    import psycopg2

    found: dict[str, object] = {}
    with psycopg2.connect(POSTGRES_URL) as con, con.cursor() as cur:
        for table in DATA_TABLES:
            cur.execute(
                "select column_name from information_schema.columns where table_schema = %s "
                "and table_name = %s and column_name not like %s order by column_name",
                (sharded, table, r"\_dlt\_%"),
            )
            columns = ", ".join(f'"{name}"' for (name,) in cur.fetchall())
            a, b = f'"{sharded}"."{table}"', f'"{single}"."{table}"'
            cur.execute(
                f"select (select count(*) from (select {columns} from {a} except all "
                f"select {columns} from {b}) x), (select count(*) from (select {columns} from {b} "
                f"except all select {columns} from {a}) y), (select count(*) from {b})"
            )
            only_sharded, only_single, rows = cur.fetchone()
            if only_sharded or only_single or not rows:
                found[table] = (only_sharded, only_single, rows)
            if table in KEYS:
                key = ", ".join(KEYS[table])
                cur.execute(f"select count(*) - count(distinct ({key})) from {a}")
                if duplicates := cur.fetchone()[0]:
                    found[f"{table} duplicates"] = duplicates
    return found
