"""Helpers for push tests: an events-role client, presence rows of the tenant, a CLI runner."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest

from pipelines.pipeline import PipelineSpec, make_pipeline
from sources.calven.http.client import CalvenClient
from sources.calven.http.retry import RetryPolicy
from sources.calven_sim.server import RunningSimulator

BIN = Path(sys.executable).parent
FAST_RETRY = RetryPolicy(max_attempts=8, backoff_base=0.01, backoff_max=0.05)


def events_client(
    simulator: RunningSimulator, auth_type: str = "hmac", role: str = "events", **extra: Any
) -> CalvenClient:
    key = simulator.key(role=role, basic=auth_type == "basic")
    options: dict[str, Any] = {"max_concurrency": 4, "retry": FAST_RETRY, **extra}
    return CalvenClient(simulator.base_url, auth_type, key.key_id, key.secret, **options)  # type: ignore[arg-type]


def presence_rows(simulator: RunningSimulator, count: int, days: int = 5) -> list[dict[str, Any]]:
    """``count`` valid presence rows over the ``days`` days before the tenant's today."""
    tenant = simulator.sim.tenant
    users = tenant.user_ids()
    locations = tenant.location_ids()
    start = datetime.combine(tenant.today - timedelta(days=days), datetime.min.time(), UTC)
    return [
        {
            "userId": users[i % len(users)],
            "locationId": locations[i % len(locations)],
            "locationType": "location",
            "timestamp": (start + timedelta(minutes=7 * i % (days * 1440))).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
            "sourceUserId": str(1000 + i),
        }
        for i in range(count)
    ]


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns = list(dict.fromkeys(name for row in rows for name in row))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def push_pipeline(tmp_path: Path) -> dlt.Pipeline:
    return make_pipeline(
        PipelineSpec(
            pipeline_name=f"push_{uuid.uuid4().hex[:8]}",
            destination=dlt.destinations.duckdb(str(tmp_path / "warehouse.duckdb")),
            pipelines_dir=tmp_path / "state",
        )
    )


def results(database: Path, where: str = "true") -> list[tuple[Any, ...]]:
    """(event_id, status, result_code, http_status) rows of ``_calven_push_results``."""
    with duckdb.connect(str(database), read_only=True) as con:
        return con.sql(
            "select event_id, status, result_code, http_status from calven._calven_push_results "
            f"where {where} order by row_number"
        ).fetchall()


def cli_env(simulator: RunningSimulator, workdir: Path) -> dict[str, str]:
    """Environment of a user with a warehouse key for pulls and an events key for pushes."""
    warehouse, events = simulator.key(role="warehouse"), simulator.key(role="events")
    tenant = simulator.sim.tenant
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__CALVEN")}
    return {
        **env,
        "SOURCES__CALVEN__BASE_URL": simulator.base_url,
        "SOURCES__CALVEN__START_DATE": tenant.first_day.isoformat(),
        "SOURCES__CALVEN__CREDENTIALS__API_KEY_ID": warehouse.key_id,
        "SOURCES__CALVEN__CREDENTIALS__API_SECRET": warehouse.secret,
        "SOURCES__CALVEN__PUSH__CREDENTIALS__API_KEY_ID": events.key_id,
        "SOURCES__CALVEN__PUSH__CREDENTIALS__API_SECRET": events.secret,
        "DESTINATION__DUCKDB__CREDENTIALS": str(workdir / "warehouse.duckdb"),
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }


def run_cli(workdir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "calven-sync"), *args, "--pipelines-dir", str(workdir / "state")]
    return subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=180
    )


@pytest.fixture
def cli(tmp_path: Path, simulator: RunningSimulator) -> Iterator[Any]:
    env = cli_env(simulator, tmp_path)

    def run(*args: str, **overrides: str) -> subprocess.CompletedProcess[str]:
        return run_cli(tmp_path, {**env, **overrides}, *args)

    yield run
