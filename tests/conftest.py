"""Fixtures for a running simulator (real uvicorn on 127.0.0.1, an ephemeral port)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date

import pytest

import pipelines  # noqa: F401  (first: its environment defaults, see its docstring)
from sources.calven_sim.control import SimulatorConfig
from sources.calven_sim.server import RunningSimulator, run_simulator
from sources.calven_sim.tenant import TenantConfig

SMALL_TENANT = TenantConfig(
    seed=11, users=60, locations=2, history_days=45, future_days=7, today=date(2026, 3, 18)
)
"""A tenant small enough for per-test servers; 2026-03-18 is a Wednesday."""


@pytest.fixture(autouse=True)
def isolated_environment() -> Iterator[None]:
    """Every test starts from the same environment and leaves nothing behind: the pipeline sets
    dlt defaults as environment variables (``pipelines.destinations.defaults``), and a test's
    settings must not reach the next one, whatever the order."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def simulator(request: pytest.FixtureRequest) -> Iterator[RunningSimulator]:
    """A fresh simulator for one test; parametrize indirectly with a ``SimulatorConfig``."""
    config = getattr(request, "param", None) or SimulatorConfig(tenant=SMALL_TENANT)
    with run_simulator(config) as running:
        yield running


@pytest.fixture(scope="module")
def shared_simulator() -> Iterator[RunningSimulator]:
    """One simulator per test module, for tests that change no settings (log and tokens aside)."""
    with run_simulator(SimulatorConfig(tenant=SMALL_TENANT)) as running:
        yield running


@pytest.fixture
def postgres_dataset() -> Iterator[str]:
    """A fresh dataset name in the local PostgreSQL (database ``test``), dropped afterwards with
    every schema named after it (staging, shards' staging, the transform's); skipped with the
    reason when there is no server."""
    from tests.e2e.test_destinations import _postgres_unavailable

    reason = _postgres_unavailable()
    if reason:
        pytest.skip(reason)
    import psycopg2

    name = f"calven_t{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg2.connect("postgresql://postgres@127.0.0.1:5432/test") as con, con.cursor() as cur:
        cur.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{name}%",))
        for (schema,) in cur.fetchall():
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
