"""Turn records from the API into Arrow tables with the declared types.

Declared fields come first with their declared Arrow types; fields the API adds later are kept
with inferred types, so a new field evolves the destination schema instead of failing the load.

``parse_block`` is the fast path for warehouse reads: Arrow's C++ JSON reader parses a block of
newline-delimited records (see ``sources.calven.arrow.framing``) straight into columns. Anything it
does not accept as is (a wrong type, a missing key, an undeclared field of mixed types, invalid
JSON) goes through ``to_arrow`` over ``orjson``-parsed records instead, whose errors name the
field and the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from sources.calven.arrow.framing import Block, InvalidJson
from sources.calven.catalog import DATE, TIMESTAMP, Dataset
from sources.calven.errors import RecordError

ISO_DATE_LENGTH = 10


def _column(name: str, values: list[Any], declared: pa.DataType) -> pa.Array:
    try:
        if declared == DATE:
            # `day` arrives as 2021-12-24T00:00:00.000Z; its first 10 characters are the UTC date.
            return pa.array([v[:10] if v is not None else None for v in values]).cast(DATE)
        if declared == TIMESTAMP:
            return pa.array(values, pa.string()).cast(TIMESTAMP)
        return pa.array(values, declared)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
        bad = next((v for v in values if v is not None and not _fits(v, declared)), None)
        raise RecordError(
            f"field '{name}' should be {declared} but the API sent {type(bad).__name__} {bad!r}"
        ) from exc


def _fits(value: Any, declared: pa.DataType) -> bool:
    if pa.types.is_boolean(declared):
        return isinstance(value, bool)
    if pa.types.is_integer(declared):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


def _inferred(values: list[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # An undeclared field with mixed types is kept as JSON text rather than dropped.
        return pa.array([None if v is None else orjson.dumps(v).decode() for v in values])


def to_arrow(records: Sequence[dict[str, Any]], dataset: Dataset) -> pa.Table:
    """Build the Arrow table for ``records``; raises RecordError naming the bad field."""
    for position, record in enumerate(records):
        missing = [f for f in dataset.key_fields if record.get(f) is None]
        if missing:
            raise RecordError(f"record {position} has no value for key field(s) {missing}")
    columns: dict[str, pa.Array] = {
        name: _column(name, [r.get(name) for r in records], declared)
        for name, declared in dataset.fields.items()
    }
    extra = sorted({key for record in records for key in record} - dataset.fields.keys())
    for name in extra:
        columns[name] = _inferred([r.get(name) for r in records])
    keys = set(dataset.key_fields)
    schema = pa.schema(
        pa.field(name, array.type, nullable=name not in keys) for name, array in columns.items()
    )
    return pa.Table.from_arrays(list(columns.values()), schema=schema)


def parse_block(block: Block, dataset: Dataset) -> pa.Table:
    """The Arrow table of a block of records; RecordError or InvalidJson when it has none.

    Raises:
        InvalidJson: the block is not valid JSON, or an element is not an object.
        RecordError: a record does not match the dataset's declared shape.
    """
    try:
        table = _read_json(block, dataset, ())
        inferred_dates = [
            f.name
            for f in table.schema
            if f.name not in dataset.fields and pa.types.is_timestamp(f.type)
        ]
        if inferred_dates:
            # Arrow's reader turns date-like strings of undeclared fields into timestamps;
            # to_arrow keeps them as text, and the two paths must agree.
            table = _read_json(block, dataset, tuple(inferred_dates))
        return _declared(table, dataset)
    except (pa.ArrowInvalid, pa.ArrowTypeError, _NeedsSlowPath):
        pass
    try:
        records = orjson.loads(block.as_array())
    except orjson.JSONDecodeError as exc:
        raise InvalidJson(str(exc)) from None
    if not all(isinstance(record, dict) for record in records):
        raise InvalidJson("an element of the array is not an object")
    return to_arrow(records, dataset)


class _NeedsSlowPath(Exception):
    """The fast path's result is not final; ``to_arrow`` decides (and words any error)."""


@cache
def _read_schema(
    declared_fields: tuple[tuple[str, pa.DataType], ...], text_fields: tuple[str, ...]
) -> pa.Schema:
    # Dates and timestamps are read as text: the API's `2021-12-24T00:00:00.000Z` for a date
    # needs the same trimming to_arrow applies.
    fields = [
        (name, pa.string() if declared in (DATE, TIMESTAMP) else declared)
        for name, declared in declared_fields
    ]
    return pa.schema(fields + [(name, pa.string()) for name in text_fields])


def _read_json(block: Block, dataset: Dataset, text_fields: tuple[str, ...]) -> pa.Table:
    data = pa.py_buffer(block.ndjson)
    options = pa_json.ParseOptions(
        explicit_schema=_read_schema(tuple(dataset.fields.items()), text_fields),
        unexpected_field_behavior="infer",
        newlines_in_values=block.multiline,
    )
    # Records with line breaks inside must be one Arrow read block: Arrow cuts those at line breaks.
    block_size = max(data.size + 1, 1 << 20) if block.multiline else 1 << 20
    read = pa_json.ReadOptions(use_threads=False, block_size=block_size)
    return pa_json.read_json(pa.BufferReader(data), read_options=read, parse_options=options)


def _declared(table: pa.Table, dataset: Dataset) -> pa.Table:
    """Dates and timestamps converted, keys checked, columns in to_arrow's order and nullability."""
    keys = set(dataset.key_fields)
    columns: dict[str, pa.ChunkedArray] = {}
    for name, declared in dataset.fields.items():
        column = table.column(name)
        if name in keys and column.null_count:
            raise _NeedsSlowPath(name)
        if declared == DATE:
            column = pc.utf8_slice_codeunits(column, 0, ISO_DATE_LENGTH).cast(DATE)
        elif declared == TIMESTAMP:
            column = column.cast(TIMESTAMP)
        columns[name] = column
    for name in sorted(set(table.column_names) - dataset.fields.keys()):
        columns[name] = table.column(name)
    schema = pa.schema(
        pa.field(name, column.type, nullable=name not in keys) for name, column in columns.items()
    )
    return pa.Table.from_arrays(list(columns.values()), schema=schema)
