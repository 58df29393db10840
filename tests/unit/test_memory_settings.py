"""make_pipeline's defaults: DuckDB's buffer pool, Arrow's allocator, uncompressed load files,
emptied staging tables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines.destinations.defaults import (
    DUCKDB_SETTINGS_ENV,
    TRUNCATE_STAGING_ENV,
    UNCOMPRESSED_ENV,
)
from pipelines.pipeline import PipelineSpec, make_pipeline

SETTINGS = "select current_setting('memory_limit'), current_setting('preserve_insertion_order')"


def _pipeline(tmp_path, monkeypatch):
    """A pipeline loading to ``w.duckdb``, made after the test set its environment."""
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(tmp_path / "w.duckdb"))
    return make_pipeline(PipelineSpec(destination="duckdb", pipelines_dir=tmp_path / "state"))


def _settings_after_a_load(tmp_path, monkeypatch) -> list[tuple[str, bool]]:
    pipeline = _pipeline(tmp_path, monkeypatch)
    pipeline.run([{"a": 1}], table_name="t")
    with pipeline.sql_client() as client:
        return [tuple(row) for row in client.execute_sql(SETTINGS)]


def test_duckdb_is_bounded_by_default(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(DUCKDB_SETTINGS_ENV, raising=False)
    assert _settings_after_a_load(tmp_path, monkeypatch) == [("190.7 MiB", False)]  # 200 MB


def test_importing_pipelines_first_makes_arrow_use_jemalloc() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    code = "import pipelines, pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "jemalloc", done.stderr


def test_configured_duckdb_settings_win(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(DUCKDB_SETTINGS_ENV, '{"memory_limit": "100MB"}')
    assert _settings_after_a_load(tmp_path, monkeypatch) == [("95.3 MiB", True)]


def _gzipped_load_files(tmp_path, monkeypatch) -> set[bool]:
    pipeline = _pipeline(tmp_path, monkeypatch)
    pipeline.extract([{"a": 1}], table_name="t", loader_file_format="jsonl")
    pipeline.normalize()
    files = Path(pipeline.working_dir, "load", "normalized").rglob("t.*.jsonl*")
    return {path.read_bytes()[:2] == b"\x1f\x8b" for path in files}


def test_load_files_are_not_gzipped_by_default(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(UNCOMPRESSED_ENV, raising=False)
    assert _gzipped_load_files(tmp_path, monkeypatch) == {False}


def test_configured_compression_wins(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(UNCOMPRESSED_ENV, "false")
    assert _gzipped_load_files(tmp_path, monkeypatch) == {True}


def _staged_rows_after_a_merge(tmp_path, monkeypatch) -> int:
    pipeline = _pipeline(tmp_path, monkeypatch)
    rows = [{"id": i} for i in range(5)]
    pipeline.run(rows, table_name="t", write_disposition="merge", primary_key="id")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert con.execute("select count(*) from calven.t").fetchall() == [(5,)]
        return int(con.execute("select count(*) from calven_staging.t").fetchall()[0][0])


def test_staging_tables_are_emptied_by_default(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(TRUNCATE_STAGING_ENV, raising=False)
    assert _staged_rows_after_a_merge(tmp_path, monkeypatch) == 0


def test_configured_staging_is_kept(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(TRUNCATE_STAGING_ENV, "false")
    assert _staged_rows_after_a_merge(tmp_path, monkeypatch) == 5
