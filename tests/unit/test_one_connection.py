"""one_connection: a load holds one DuckDB connection, with the settings dlt would apply."""

from __future__ import annotations

import dlt
import duckdb
import pytest

from pipelines.destinations.defaults import DUCKDB_SETTINGS_ENV
from pipelines.destinations.duckdb import DUCKDB_ROW_GROUP_ROWS, load_threads, one_connection
from pipelines.pipeline import PipelineSpec, make_pipeline

SETTINGS = "select current_setting('memory_limit'), current_setting('TimeZone')"


@pytest.fixture
def opened(monkeypatch) -> list[duckdb.DuckDBPyConnection]:
    """Every connection ``duckdb.connect`` opens while the test runs (dlt's and ours)."""
    connections: list[duckdb.DuckDBPyConnection] = []
    real = duckdb.connect

    def spy(*args, **kwargs):
        connections.append(real(*args, **kwargs))
        return connections[-1]

    monkeypatch.setattr(duckdb, "connect", spy)
    return connections


def _extracted(tmp_path, destination):
    pipeline = make_pipeline(PipelineSpec(destination=destination, pipelines_dir=tmp_path / "s"))
    pipeline.extract(
        [{"id": i} for i in range(3)], table_name="t", write_disposition="merge", primary_key="id"
    )
    pipeline.normalize()
    return pipeline


def test_a_merge_load_opens_the_database_once(tmp_path, opened) -> None:
    pipeline = _extracted(tmp_path, dlt.destinations.duckdb(str(tmp_path / "w.duckdb")))
    pipeline.load()  # the destination's first load: dlt alone, the control
    assert len(opened) > 2
    opened.clear()
    pipeline.extract([{"id": 1}], table_name="t", write_disposition="merge", primary_key="id")
    pipeline.normalize()
    with one_connection(pipeline):
        info = pipeline.load()
    assert not info.has_failed_jobs
    assert len(opened) == 1
    with pytest.raises(duckdb.ConnectionException):
        opened[0].execute("select 1")  # closed when the block ended
    with pipeline.sql_client() as client:
        assert client.execute_sql("select count(*) from t") == [(3,)]


def test_the_held_connection_gets_the_configured_settings(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(DUCKDB_SETTINGS_ENV, '{"memory_limit": "100MB"}')
    pipeline = _extracted(tmp_path, dlt.destinations.duckdb(str(tmp_path / "w.duckdb")))
    with one_connection(pipeline):
        pipeline.load()
        with pipeline.sql_client() as client:
            assert client.execute_sql(SETTINGS) == [("95.3 MiB", "UTC")]


def _threads_during_load(pipeline, rows: int | None) -> int:
    with one_connection(pipeline, rows=rows):
        pipeline.load()
        with pipeline.sql_client() as client:
            return int(client.execute_sql("select current_setting('threads')")[0][0])


def test_a_small_load_runs_on_one_thread(tmp_path) -> None:
    pipeline = _extracted(tmp_path, dlt.destinations.duckdb(str(tmp_path / "w.duckdb")))
    assert _threads_during_load(pipeline, rows=3) == 1


def test_a_configured_thread_count_wins(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(DUCKDB_SETTINGS_ENV, '{"threads": 2}')
    pipeline = _extracted(tmp_path, dlt.destinations.duckdb(str(tmp_path / "w.duckdb")))
    assert _threads_during_load(pipeline, rows=3) == 2


@pytest.mark.parametrize(
    ("rows", "available", "threads"),
    [
        (0, 4, 1),
        (DUCKDB_ROW_GROUP_ROWS, 4, 1),
        (DUCKDB_ROW_GROUP_ROWS + 1, 4, 2),
        (10 * DUCKDB_ROW_GROUP_ROWS, 4, 4),
        (10 * DUCKDB_ROW_GROUP_ROWS, 2, 2),
    ],
)
def test_load_threads(rows: int, available: int, threads: int) -> None:
    assert load_threads(rows, available) == threads


def test_the_destination_is_restored_after_the_block(tmp_path) -> None:
    path = str(tmp_path / "w.duckdb")
    pipeline = _extracted(tmp_path, dlt.destinations.duckdb(path))
    before = dict(pipeline.destination.config_params)
    with pytest.raises(RuntimeError, match="boom"), one_connection(pipeline):
        raise RuntimeError("boom")
    assert pipeline.destination.config_params == before
    pipeline.load()
    with duckdb.connect(path) as con:  # loaded by dlt on its own again
        assert con.execute("select count(*) from calven.t").fetchall() == [(3,)]


def test_a_connection_the_caller_passed_is_used_as_it_is(tmp_path, opened) -> None:
    mine = duckdb.connect(str(tmp_path / "mine.duckdb"))
    opened.clear()
    pipeline = _extracted(tmp_path, dlt.destinations.duckdb(mine))
    with one_connection(pipeline):
        pipeline.load()
    assert opened == []
    assert mine.execute("select count(*) from calven.t").fetchall() == [(3,)]


def test_other_destinations_are_left_alone(tmp_path, opened) -> None:
    pipeline = _extracted(tmp_path, "filesystem")
    with one_connection(pipeline):
        pass
    assert opened == []
