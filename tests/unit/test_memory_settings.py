"""make_pipeline bounds memory: DuckDB's buffer pool and Arrow's allocator (see bound_memory)."""

from __future__ import annotations

import os
import subprocess
import sys

from pipelines.pipeline import DUCKDB_SETTINGS_ENV, PipelineSpec, make_pipeline

SETTINGS = "select current_setting('memory_limit'), current_setting('preserve_insertion_order')"


def _settings_after_a_load(tmp_path, monkeypatch) -> list[tuple[str, bool]]:
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(tmp_path / "w.duckdb"))
    pipeline = make_pipeline(PipelineSpec(destination="duckdb", pipelines_dir=tmp_path / "state"))
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
