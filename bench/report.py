"""The one table ``python -m bench`` prints: a row per measured ratio, then notes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    benchmark: str
    measure: str
    ours: str
    reference: str
    ratio: str
    target: str
    ok: bool | None
    """``None`` for a context row, which has no target of its own."""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(
        self,
        benchmark: str,
        measure: str,
        ours: str,
        reference: str,
        ratio: str,
        target: str,
        *,
        ok: bool | None,
    ) -> None:
        self.rows.append(Row(benchmark, measure, ours, reference, ratio, target, ok))

    def context(self, benchmark: str, measure: str, ours: str, reference: str, ratio: str) -> None:
        """A row that explains a figure and has no target."""
        self.add(benchmark, measure, ours, reference, ratio, "(context)", ok=None)

    @property
    def met(self) -> bool:
        return all(r.ok is not False for r in self.rows)


def render(results: Results) -> str:
    header = ("benchmark", "measure", "ours", "reference", "ratio", "target", "ok")
    cells = [
        (r.benchmark, r.measure, r.ours, r.reference, r.ratio, r.target, _ok(r.ok))
        for r in results.rows
    ]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        padded = (c.ljust(w) for c, w in zip(row, widths, strict=True))
        lines.append("| " + " | ".join(padded) + " |")
    return "\n".join(lines + [f"- {note}" for note in results.notes])


def _ok(ok: bool | None) -> str:
    return "" if ok is None else ("yes" if ok else "NO")
