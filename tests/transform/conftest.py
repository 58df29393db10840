"""A simulator tenant for the transform tests, and reading marts back from DuckDB."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sources.calven_sim.server import RunningSimulator, SimulatorConfig, run_simulator
from sources.calven_sim.tenant import Tenant, TenantConfig

DAY = timedelta(days=1)
TENANT = TenantConfig(
    seed=23, users=150, locations=3, history_days=40, future_days=7, today=date(2026, 3, 18)
)
MARTS = (
    "fct_attendance_day",
    "agg_location_day",
    "agg_group_week",
    "agg_zone_day",
    "agg_zone_week",
    "agg_booking_changes_day",
    "agg_presence_source_day",
)


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    with run_simulator(SimulatorConfig(tenant=TENANT)) as running:
        yield running


def loaded_bookings(tenant: Tenant) -> list[dict[str, Any]]:
    """The bookings rows a complete load of the tenant's history holds."""
    return list(
        tenant.rows("user-booking-attendance", tenant.first_day, tenant.today - DAY, settled=True)
    )


def read_mart(
    database: Path, mart: str, keys: Sequence[str], columns: Sequence[str]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """``{key: {column: value}}`` of one mart in a DuckDB file."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            f"select {', '.join([*keys, *columns])} from calven_marts.{mart}"
        ).fetchall()
    return {row[: len(keys)]: dict(zip(columns, row[len(keys) :], strict=True)) for row in rows}


def mart_differences(first: Path, second: Path) -> dict[str, int]:
    """Rows of each mart present in one file and not the other (both directions), by mart."""
    with duckdb.connect() as con:
        con.execute(f"attach '{first}' as a (read_only)")
        con.execute(f"attach '{second}' as b (read_only)")
        out = {}
        for mart in MARTS:
            a, b = f"a.calven_marts.{mart}", f"b.calven_marts.{mart}"
            (count,) = con.execute(
                f"select (select count(*) from (from {a} except all from {b}))"
                f" + (select count(*) from (from {b} except all from {a}))"
            ).fetchone()
            out[mart] = int(count)
    return out
