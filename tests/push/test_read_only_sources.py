"""``push --from query:``/``table:`` only read: a dry run or a real one never changes a table."""

from __future__ import annotations

import uuid

import dlt
import duckdb
import pytest

from pipelines.pipeline import PipelineSpec, make_pipeline
from pipelines.push.read_only import read_rows
from sources.calven.errors import ConfigError

HOSTILE = [
    ("drop", "query:drop table calven.users", "found DROP"),
    ("delete", "query:delete from calven.users", "found DELETE"),
    ("two-statements", "query:select 1; drop table calven.users", "exactly one SELECT statement"),
    (
        "delete-in-cte",
        "query:with gone as (delete from calven.users returning *) select * from gone",
        "found DELETE",
    ),
    ("select-into", "query:select * into calven.copy from calven.users", "found INTO"),
    ("create-as", "query:create table calven.copy as select 1 as x", "found CREATE"),
    ("copy", "query:copy calven.users to 'out.csv'", "found COPY"),
    ("typo", "query:selct 1", "is not valid SQL"),
    ("table-injection", "table:users; drop table calven.users", "is not a table name"),
]


def _make_users(database) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute("create schema calven")
        con.execute("create table calven.users as select 'u-1' as user_id")


def _users(database) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return int(con.execute("select count(*) from calven.users").fetchone()[0])


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real"])
@pytest.mark.parametrize(
    ("source", "message"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_a_query_that_writes_is_refused_and_changes_nothing(
    source, message, dry_run, tmp_path, simulator, cli
):
    database = tmp_path / "warehouse.duckdb"
    _make_users(database)
    result = cli("push", "presence", "--from", source, *(["--dry-run"] if dry_run else []))
    errors = [line for line in result.stderr.splitlines() if line.startswith("calven-sync:")]
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert _users(database) == 1
    assert simulator.sim.requests("/v1/") == []


def test_the_duckdb_connection_itself_cannot_write(tmp_path):
    """The second lock: a statement that slipped past the parser still cannot change a table."""
    database = tmp_path / "warehouse.duckdb"
    _make_users(database)
    pipeline = make_pipeline(
        PipelineSpec(
            pipeline_name=f"ro_{uuid.uuid4().hex[:8]}",
            destination=dlt.destinations.duckdb(str(database)),
            pipelines_dir=tmp_path / "state",
        )
    )
    with pytest.raises(ConfigError, match=r"the destination refused it: .*read-only"):
        read_rows(pipeline, "drop table users", what="query:drop table users")
    assert _users(database) == 1
    assert read_rows(pipeline, "select user_id from users", what="query") == [{"user_id": "u-1"}]
