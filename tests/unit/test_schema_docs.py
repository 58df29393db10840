"""The dlt schema the source declares documents every column, joins its tables, and matches the
README's diagram; its hints describe the tables without changing them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dlt
import pytest
from dlt.common.libs.pyarrow import py_arrow_to_table_schema_columns

from sources.calven import erd
from sources.calven.arrow.tables import to_arrow
from sources.calven.catalog import CATALOG, SYNC_WINDOWS_TABLE, WINDOWED
from sources.calven.extract.resources import _audit_row
from sources.calven.extract.session import WindowResult
from sources.calven.incremental.windows import Window
from sources.calven.schema_docs import (
    COLUMN_DESCRIPTIONS,
    DLT_COLUMNS,
    REFERENCES,
    SYNC_WINDOWS_COLUMNS,
    TABLE_DESCRIPTIONS,
    column_hints,
)

README = Path(__file__).resolve().parents[2] / "README.md"
TABLES = [d.name for d in CATALOG] + [SYNC_WINDOWS_TABLE]


@pytest.fixture(scope="module")
def schema() -> dlt.Schema:
    return erd.declared_schema()


def _described(text: object) -> bool:
    # Mermaid quotes a description: a double quote inside would end it.
    return isinstance(text, str) and bool(text.strip()) and '"' not in text


@pytest.mark.parametrize("table", TABLES)
def test_every_column_and_table_of_the_declared_schema_has_a_description(schema, table):
    declared = schema.tables[table]
    assert _described(declared.get("description")), f"{table} has no description"
    missing = [
        name
        for name, column in declared["columns"].items()
        if not _described(column.get("description"))
    ]
    assert not missing, f"{table}: no description in sources/calven/schema_docs.py for {missing}"


@pytest.mark.parametrize("dataset", CATALOG, ids=lambda d: d.name)
def test_descriptions_name_exactly_the_declared_columns(dataset):
    """No field without a description, and no description left behind by a removed field."""
    assert list(COLUMN_DESCRIPTIONS[dataset.name]) == list(dataset.columns)


def test_audit_descriptions_name_exactly_the_audit_row_and_dlt_columns(schema):
    window = Window(date(2026, 1, 1), date(2026, 1, 31))
    row = _audit_row(WINDOWED[0], WindowResult("presence", "all", window, 3), "run")
    assert list(SYNC_WINDOWS_COLUMNS) == list(row)
    # The table variant starts from its resource's hints: none of the dataset's may leak in.
    audit = schema.tables[SYNC_WINDOWS_TABLE]
    assert list(audit["columns"]) == [*SYNC_WINDOWS_COLUMNS, *DLT_COLUMNS]
    assert not audit.get("references")
    assert set(TABLE_DESCRIPTIONS) == set(TABLES)


@pytest.mark.parametrize("dataset", CATALOG, ids=lambda d: d.name)
def test_column_hints_are_the_columns_dlt_makes_of_the_arrow_fields(schema, dataset):
    """Same names, order and types as dlt derives from a page, so the hints change no column."""
    arrow = py_arrow_to_table_schema_columns(to_arrow([], dataset).schema)
    expected = {schema.naming.normalize_identifier(n): c["data_type"] for n, c in arrow.items()}
    assert {c["name"]: c["data_type"] for c in column_hints(dataset)} == expected
    assert list(schema.tables[dataset.name]["columns"]) == list(expected)


def test_references_join_existing_columns_on_the_referenced_primary_key(schema):
    for reference in schema.references:
        table, target = reference["table"], reference["referenced_table"]
        if table.startswith("_dlt") or target.startswith("_dlt"):
            continue
        assert target in schema.tables, reference
        assert set(reference["columns"]) <= set(schema.tables[table]["columns"]), reference
        key = [n for n, c in schema.tables[target]["columns"].items() if c.get("primary_key")]
        assert list(reference["referenced_columns"]) == key, reference


def test_every_declared_reference_is_in_the_schema(schema):
    """dlt keeps one reference per pair of tables: a second one would be dropped silently."""
    for table, references in REFERENCES.items():
        targets = [r["referenced_table"] for r in references]
        assert len(targets) == len(set(targets)), f"{table}: two references to one table"
        assert schema.tables[table]["references"] == references


def test_readme_diagram_matches_the_schema():
    block = erd.current_block(README.read_text(encoding="utf-8"))
    assert block == erd.readme_block(), (
        f"README.md's diagram is out of date with the dlt schema: run `{erd.COMMAND}`"
    )


def test_write_replaces_only_the_text_between_the_markers(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"# t\nbefore\n{erd.START}\nold\n{erd.END}\nafter\n", encoding="utf-8")
    assert erd.main(["--write", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text == f"# t\nbefore\n{erd.START}{erd.readme_block()}{erd.END}\nafter\n"
    assert erd.main([]) == 0
    assert capsys.readouterr().out == erd.mermaid()
    readme.write_text("no markers\n", encoding="utf-8")
    assert erd.main(["--write", str(readme)]) == 1
    assert readme.read_text(encoding="utf-8") == "no markers\n"
