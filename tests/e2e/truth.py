"""Compare what landed in the destination with what the simulator says a complete load holds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import dlt

from sources.calven.catalog import DATE, TIMESTAMP, Dataset


def snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _api_value(value: Any, declared: Any) -> Any:
    if value is None:
        return None
    if declared == DATE:
        return date.fromisoformat(value[:10])
    if declared == TIMESTAMP:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _db_value(value: Any, declared: Any) -> Any:
    if value is None:
        return None
    if declared == DATE and isinstance(value, datetime):
        return value.date()
    if declared == DATE and isinstance(value, str):
        return date.fromisoformat(value[:10])
    if declared == TIMESTAMP and isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if declared == TIMESTAMP and isinstance(value, datetime) and value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value


def expected_rows(dataset: Dataset, rows: Iterable[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    """The simulator's rows as comparable tuples (declared fields, declared types)."""
    fields = dataset.fields
    return Counter(tuple(_api_value(r[f], t) for f, t in fields.items()) for r in rows)


def loaded_rows(pipeline: dlt.Pipeline, dataset: Dataset, table: str | None = None) -> Counter:
    """The destination's rows of ``dataset`` as comparable tuples."""
    columns = [snake(f) for f in dataset.fields]
    with pipeline.sql_client() as client:
        qualified = client.make_qualified_table_name(table or dataset.name)
        rows = client.execute_sql(f"SELECT {', '.join(columns)} FROM {qualified}")
    types = list(dataset.fields.values())
    return Counter(tuple(_db_value(v, t) for v, t in zip(row, types, strict=True)) for row in rows)


def table_count(pipeline: dlt.Pipeline, table: str) -> int:
    with pipeline.sql_client() as client:
        qualified = client.make_qualified_table_name(table)
        return int(client.execute_sql(f"SELECT count(*) FROM {qualified}")[0][0])
