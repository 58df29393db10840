"""Reading a written report back: its tables' raw cell values, its charts, what it would fetch."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

FETCHES = re.compile(r"""(<script|<link|<iframe|<img|\bsrc\s*=|@import|url\(\s*['"]?(?!#))""", re.I)
"""What would make a browser fetch something: the report must contain none of it."""


@dataclass
class Page:
    html: str
    tables: dict[str, list[list[str]]] = field(default_factory=dict)
    """``data-table`` key → rows of ``data-value`` cells (raw values, not the formatted text)."""
    charts: list[str] = field(default_factory=list)
    text: str = ""

    def column(self, table: str, index: int) -> list[str]:
        return [row[index] for row in self.tables[table]]


class _Parser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page
        self.table: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.value: str | None = None
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("data-table"):
            self.table = found["data-table"]
            self.page.tables[self.table] = []
        elif tag == "figure" and found.get("data-chart"):
            self.page.charts.append(str(found["data-chart"]))
        elif tag == "tr" and self.table:
            self.row = []
        elif tag == "td" and self.row is not None:
            self.value, self.cell = found.get("data-value"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.table = None
        elif tag == "tr" and self.table and self.row:
            self.page.tables[self.table].append(self.row)
            self.row = None
        elif tag == "td" and self.row is not None and self.cell is not None:
            shown = "".join(self.cell).strip()
            self.row.append(shown if self.value is None else self.value)
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        self.texts.append(data)


def read_page(path: Path) -> Page:
    page = Page(html=path.read_text(encoding="utf-8"))
    parser = _Parser(page)
    parser.feed(page.html)
    page.text = " ".join(" ".join(parser.texts).split())
    return page
