"""The report's tables: each drawn from the rows of a chart, cells keep their raw value.

A cell shows a formatted value and carries the raw one in ``data-value``, so a test (or a
reader's script) compares the report with a direct query without parsing percentages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pipelines.report.reader import Row

Column = tuple[str, str, str]
"""Header, field of the row, kind: ``text``, ``int``, ``pct``, ``day``, ``time`` or ``seconds``."""


@dataclass(frozen=True)
class Cell:
    shown: str
    value: str


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    headers: list[str]
    rows: list[list[Cell]]
    open: bool = False
    """Shown unfolded (small tables); long ones sit folded under their chart."""


def _cell(value: Any, kind: str) -> Cell:
    if value is None:
        return Cell("-", "")
    if kind == "pct":
        return Cell(f"{value:.1%}", repr(float(value)))
    if kind == "int":
        return Cell(f"{int(value):,}", str(int(value)))
    if kind == "day" and isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return Cell(day.isoformat(), day.isoformat())
    if kind == "time" and isinstance(value, datetime):
        return Cell(value.strftime("%Y-%m-%d %H:%M:%S"), value.isoformat())
    if kind == "seconds":
        return Cell(f"{value:.1f} s", str(value))
    return Cell(str(value), str(value))


def table(key: str, caption: str, columns: Sequence[Column], rows: Sequence[Row]) -> Table:
    return Table(
        key=key,
        caption=caption,
        headers=[header for header, _, _ in columns],
        rows=[[_cell(row[field], kind) for _, field, kind in columns] for row in rows],
        open=len(rows) <= 20,
    )
