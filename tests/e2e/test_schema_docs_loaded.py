"""After a real load, the pipeline's schema documents every column, its references hold in the
data, and it has the tables and columns the README's diagram (``erd.declared_schema``) shows."""

from __future__ import annotations

import pytest

from pipelines.runner import sync
from sources.calven import erd
from sources.calven.catalog import BOOKINGS_FUTURE, SYNC_DATASETS
from sources.calven.schema_docs import REFERENCES
from tests.e2e.conftest import source_options

DESCRIBED_JOINS = [
    ("bookings_attendance", "booking_location_id", "locations", "location_id"),
    ("bookings_attendance", "booking_group_id", "groups", "group_id"),
]
"""Joins a description names, beyond the references (dlt keeps one per pair of tables)."""


@pytest.fixture
def loaded(simulator, duckdb_pipeline):
    report = sync(
        duckdb_pipeline, [*SYNC_DATASETS, BOOKINGS_FUTURE.name], source_options(simulator)
    )
    assert report.ok, report.session.failures
    return duckdb_pipeline


def test_a_loaded_schema_is_documented_and_its_references_hold(loaded):
    schema = loaded.default_schema
    tables = {t["name"]: t for t in schema.data_tables()}
    declared = erd.declared_schema()
    assert set(tables) == {t["name"] for t in declared.data_tables()}
    for name, table in tables.items():
        assert table.get("description"), name
        undocumented = [
            c for c, column in table["columns"].items() if not column.get("description")
        ]
        assert not undocumented, f"{name}: {undocumented}"
        shown = {
            c: col["data_type"]
            for c, col in declared.tables[name]["columns"].items()
            if "data_type" in col
        }
        assert {c: table["columns"][c]["data_type"] for c in shown} == shown, name
    for name, references in REFERENCES.items():
        assert tables[name]["references"] == references, name

    joins = [
        (r["table"], r["columns"][0], r["referenced_table"], r["referenced_columns"][0])
        for r in schema.references
        if not r["referenced_table"].startswith("_dlt")
    ]
    assert len(joins) == sum(map(len, REFERENCES.values()))
    with loaded.sql_client() as client:
        for table, column, target, key in [*joins, *DESCRIBED_JOINS]:
            rows = client.make_qualified_table_name(table)
            other = client.make_qualified_table_name(target)
            ids, orphans = client.execute_sql(
                f"select count(t.{column}), count(t.{column}) - count(o.{key}) from {rows} t "
                f"left join {other} o on o.{key} = t.{column}"
            )[0]
            assert ids > 0, f"{table}.{column} is never set: the check proves nothing"
            assert orphans == 0, f"{orphans} of {table}.{column} match no {target}.{key}"
