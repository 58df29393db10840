"""The same load into PostgreSQL (when a server runs on 127.0.0.1:5432) and into parquet files."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import dlt
import pytest

from pipelines.pipeline import PipelineSpec, make_pipeline
from pipelines.runner import sync
from sources.calven.catalog import DIMENSIONS, SYNC_DATASETS, WINDOWED
from tests.e2e.conftest import source_options
from tests.e2e.test_first_load import truth
from tests.e2e.truth import loaded_rows

POSTGRES_URL = "postgresql://postgres:trust@127.0.0.1:5432/test"  # trust auth: any password


def _postgres_unavailable() -> str | None:
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 is not installed (pip install 'calven-warehouse[postgres]')"
    try:
        psycopg2.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg2.OperationalError as exc:
        return f"no PostgreSQL server at {POSTGRES_URL}: {str(exc).strip()}"
    return None


@pytest.fixture
def postgres_pipeline(tmp_path) -> Iterator[dlt.Pipeline]:
    reason = _postgres_unavailable()
    if reason:
        pytest.skip(reason)
    dataset = f"calven_test_{uuid.uuid4().hex[:8]}"
    pipeline = make_pipeline(
        PipelineSpec(
            pipeline_name=dataset,
            destination=dlt.destinations.postgres(POSTGRES_URL),
            dataset_name=dataset,
            pipelines_dir=tmp_path / "state",
        )
    )
    yield pipeline
    with pipeline.sql_client() as client:
        client.drop_dataset()
        client.execute_sql(f'DROP SCHEMA IF EXISTS "{dataset}_staging" CASCADE')


@pytest.fixture
def filesystem_pipeline(tmp_path) -> dlt.Pipeline:
    return make_pipeline(
        PipelineSpec(
            pipeline_name="calven_fs",
            destination=dlt.destinations.filesystem(bucket_url=(tmp_path / "lake").as_uri()),
            pipelines_dir=tmp_path / "state",
        )
    )


def assert_loaded_truth(pipeline, tenant) -> None:
    last_day = tenant.today.fromordinal(tenant.today.toordinal() - 1)
    for dataset in DIMENSIONS:
        assert loaded_rows(pipeline, dataset) == truth(tenant, dataset), dataset.name
    for dataset in WINDOWED:
        expected = truth(tenant, dataset, tenant.first_day, last_day)
        assert loaded_rows(pipeline, dataset) == expected, dataset.name


@pytest.mark.postgres
def test_postgres_first_run_and_next_day(simulator, postgres_pipeline):
    tenant = simulator.sim.tenant
    assert sync(postgres_pipeline, SYNC_DATASETS, source_options(simulator)).ok
    assert_loaded_truth(postgres_pipeline, tenant)
    simulator.sim.advance(1)
    assert sync(postgres_pipeline, SYNC_DATASETS, source_options(simulator)).ok
    assert_loaded_truth(postgres_pipeline, tenant)


def test_filesystem_parquet_first_run(simulator, filesystem_pipeline):
    assert sync(filesystem_pipeline, SYNC_DATASETS, source_options(simulator)).ok
    assert_loaded_truth(filesystem_pipeline, simulator.sim.tenant)
