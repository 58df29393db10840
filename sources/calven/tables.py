"""Turn one API response (a list of records) into an Arrow table with the declared types.

Declared fields come first with their declared Arrow types; fields the API adds later are kept
with inferred types, so a new field evolves the destination schema instead of failing the load.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import pyarrow as pa

from sources.calven.settings import DATE, TIMESTAMP, Dataset


class RecordError(ValueError):
    """A record does not match the dataset's declared shape (missing key, wrong type)."""


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
