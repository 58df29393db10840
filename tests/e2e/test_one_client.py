"""A sync of many load packages uses one client: one token, one read of the locations.

Each package used to build its own client, so every checkpoint fetched a new token and read
``/locations`` again; the rows are the same either way (``test_first_load``).
"""

from __future__ import annotations

import pytest

from pipelines.runner import sync
from sources.calven.catalog import SYNC_DATASETS, WINDOWED
from tests.e2e.conftest import source_options
from tests.e2e.test_first_load import truth
from tests.e2e.truth import loaded_rows


@pytest.mark.parametrize(
    ("auth_type", "token_path"), [("hmac", "/v1/auth"), ("client_secret", "/v1/auth/token")]
)
def test_a_checkpointed_sync_fetches_one_token_and_the_locations_once(
    simulator, duckdb_pipeline, auth_type, token_path
):
    tenant = simulator.sim.tenant
    options = source_options(simulator, auth_type, max_window_days=10)
    report = sync(duckdb_pipeline, SYNC_DATASETS, options, checkpoint_windows=3)

    assert report.ok, report.session.failures
    assert len(report.load_ids) > 5
    tokens = [r for r in simulator.sim.requests(token_path) if r.path == token_path]
    assert len(tokens) == 1
    assert len(simulator.sim.requests("/v1/analytics/locations")) == 1
    last_day = tenant.today.fromordinal(tenant.today.toordinal() - 1)
    for dataset in WINDOWED:
        expected = truth(tenant, dataset, tenant.first_day, last_day)
        assert loaded_rows(duckdb_pipeline, dataset) == expected, dataset.name
