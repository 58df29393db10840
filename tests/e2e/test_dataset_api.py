"""dlt's dataset API reads what we load (it broke with sqlglot 30.22: the pin in pyproject)."""

from __future__ import annotations

from pipelines.runner import sync
from tests.e2e.conftest import source_options


def test_a_loaded_table_reads_through_the_dataset_api(simulator, duckdb_pipeline):
    assert sync(duckdb_pipeline, ["users", "locations"], source_options(simulator)).ok
    tenant = simulator.sim.tenant

    users = duckdb_pipeline.dataset().table("users").select("user_id").fetchall()

    assert sorted(row[0] for row in users) == sorted(tenant.user_ids())
