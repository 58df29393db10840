"""DuckDB merges of rows proven unique skip deduplication (``pipelines.destinations.merges``)."""

from __future__ import annotations

import dlt

from pipelines.destinations import merges
from pipelines.destinations.merges import STAGED_UNIQUE_HINT, STAGED_UNIQUE_MERGE
from pipelines.pipeline import PipelineSpec, make_pipeline
from pipelines.runner import finish_pending, sync
from tests.e2e.conftest import source_options
from tests.e2e.test_destinations import postgres_pipeline  # noqa: F401 (fixture)

DOUBLE_STAGED = [{"id": n % 3, "v": n} for n in range(6)]
"""Rows as a resumed load could stage them: every key twice."""


def _duckdb(tmp_path) -> dlt.Pipeline:
    return make_pipeline(
        PipelineSpec(
            destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
            pipelines_dir=tmp_path / "state",
        )
    )


def _left_normalized(pipeline: dlt.Pipeline, rows: list[dict] = DOUBLE_STAGED) -> None:
    """A package whose load has not started or not finished (with a fresh package's hint).

    An earlier load made the dataset: dlt drops the pending packages of a dataset it cannot find.
    """
    pipeline.run([{"x": 1}], table_name="earlier")
    resource = dlt.resource(rows, name="t", primary_key="id")
    resource.apply_hints(write_disposition=STAGED_UNIQUE_MERGE)
    pipeline.extract(resource, loader_file_format="parquet")
    pipeline.normalize()


def _keys(pipeline: dlt.Pipeline) -> list[tuple[int, int]]:
    with pipeline.sql_client() as client:
        return [tuple(r) for r in client.execute_sql("select id, count(*) from t group by 1")]


def test_a_duckdb_sync_trusts_its_staged_rows(simulator, tmp_path, caplog) -> None:
    pipeline = _duckdb(tmp_path)
    assert sync(pipeline, ["bookings_attendance", "users"], source_options(simulator)).ok
    tables = pipeline.default_schema.tables
    assert tables["bookings_attendance"].get(STAGED_UNIQUE_HINT) is True
    assert STAGED_UNIQUE_HINT not in tables["users"]  # replaced, not merged
    assert "a key repeats" not in caplog.text  # verified unique, so trusted


def test_postgres_keeps_deduplicating(simulator, postgres_pipeline) -> None:  # noqa: F811
    assert sync(postgres_pipeline, ["bookings_attendance"], source_options(simulator)).ok
    assert not postgres_pipeline.default_schema.tables["bookings_attendance"].get(
        STAGED_UNIQUE_HINT
    )


def test_a_trusted_package_loaded_as_is_keeps_staged_duplicates(tmp_path) -> None:
    """The control for the next test: the hint really skips deduplication."""
    pipeline = _duckdb(tmp_path)
    _left_normalized(pipeline)
    pipeline.load()
    assert sorted(_keys(pipeline)) == [(0, 2), (1, 2), (2, 2)]


def test_a_resumed_package_is_deduplicated(tmp_path) -> None:
    pipeline = _duckdb(tmp_path)
    _left_normalized(pipeline)
    finish_pending(pipeline)
    assert sorted(_keys(pipeline)) == [(0, 1), (1, 1), (2, 1)]
    with pipeline.sql_client() as client:
        kept = client.execute_sql("select v from t order by id")
    assert {v for (v,) in kept} <= {n for n in range(6)}


def test_a_package_whose_rows_repeat_a_key_is_deduplicated(tmp_path, caplog) -> None:
    """A user who moves location during a sync is read under both: the keys repeat."""
    pipeline = _duckdb(tmp_path)
    _left_normalized(pipeline)
    merges.verify(pipeline)
    pipeline.load()
    assert sorted(_keys(pipeline)) == [(0, 1), (1, 1), (2, 1)]
    assert "t: a key repeats in load package" in caplog.text


def test_a_package_of_unique_keys_stays_trusted(tmp_path) -> None:
    pipeline = _duckdb(tmp_path)
    _left_normalized(pipeline, [{"id": n, "v": n} for n in range(5)])
    merges.verify(pipeline)
    packages = pipeline._get_load_storage().normalized_packages
    (load_id,) = pipeline.list_normalized_load_packages()
    assert packages.load_schema(load_id).tables["t"].get(STAGED_UNIQUE_HINT) is True
