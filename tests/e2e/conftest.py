from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dlt
import pytest

from pipelines.pipeline import PipelineSpec, make_pipeline
from sources.calven_sim.server import RunningSimulator, SimulatorConfig, run_simulator
from sources.calven_sim.tenant import TenantConfig

TODAY = date(2026, 3, 18)  # a Wednesday
SMALL_TENANT = TenantConfig(
    seed=7, users=120, locations=3, history_days=70, future_days=14, today=TODAY
)


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    with run_simulator(SimulatorConfig(tenant=SMALL_TENANT)) as running:
        yield running


def source_options(simulator: RunningSimulator, auth_type: str = "hmac", **extra: Any) -> dict:
    key = simulator.key(role="warehouse", basic=auth_type == "basic")
    tenant = simulator.sim.tenant
    return {
        "base_url": simulator.base_url,
        "auth_type": auth_type,
        "credentials": {"api_key_id": key.key_id, "api_secret": key.secret},
        "today": tenant.today.isoformat(),
        "start_date": tenant.first_day.isoformat(),
        "max_concurrency": 4,
        **extra,
    }


@dataclass
class Destination:
    name: str
    factory: Any


@pytest.fixture
def duckdb_pipeline(tmp_path: Path) -> dlt.Pipeline:
    return make_pipeline(
        PipelineSpec(
            pipeline_name=f"test_{uuid.uuid4().hex[:8]}",
            destination=dlt.destinations.duckdb(str(tmp_path / "warehouse.duckdb")),
            pipelines_dir=tmp_path / "state",
        )
    )
