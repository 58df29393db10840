"""The README's entity-relationship diagram, drawn by dlt from the source's own schema.

``python -m sources.calven.erd`` prints the diagram (Mermaid); ``--write README.md`` puts it, in
a fenced block, between the ``<!-- erd:start -->`` and ``<!-- erd:end -->`` markers of that file.
The schema is the one the source declares (``calven_source(...).discover_schema()``) plus the
audit table, computed by the same hints a sync uses; building it needs no API, no credentials
and no network. A test holds the README's block equal to ``readme_block()``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import dlt
from dlt.extract.items import TableNameMeta

from sources.calven import calven_source
from sources.calven.catalog import SYNC_WINDOWS_TABLE, WINDOWED
from sources.calven.config import CalvenConfig
from sources.calven.extract.resources import SourceContext, audit_hints
from sources.calven.extract.session import Session

START = "<!-- erd:start -->"
END = "<!-- erd:end -->"
COMMAND = "python -m sources.calven.erd --write README.md"


def declared_schema() -> dlt.Schema:
    """The dlt schema of every table the source loads, from its hints alone (no data)."""
    # An unresolved configuration: discovering the schema runs no resource, so nothing reads it.
    source = calven_source(context=SourceContext(CalvenConfig(), Session()))
    schema = source.discover_schema()
    # The audit rows are a table variant that a windowed resource declares when it yields them.
    resource = source.resources[WINDOWED[0].name]
    resource.merge_hints(audit_hints(), create_table_variant=True)
    for table in resource.compute_tables(schema.naming, meta=TableNameMeta(SYNC_WINDOWS_TABLE)):
        schema.update_table(table)
    return schema


def mermaid() -> str:
    """The diagram: every table with its typed, described columns, and the references."""
    return declared_schema().to_mermaid(remove_processing_hints=True, include_dlt_tables=False)


def readme_block() -> str:
    """What goes between the markers: the diagram as a fenced Mermaid block."""
    return f"\n```mermaid\n{mermaid()}```\n"


def replace_block(text: str, block: str) -> str:
    """``text`` with what is between the markers replaced by ``block``.

    Raises:
        ValueError: the markers are missing, repeated or out of order.
    """
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise ValueError(f"expected one {START} followed by one {END}")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}{block}{END}{tail}"


def current_block(text: str) -> str:
    """What is between the markers of ``text`` (ValueError without them)."""
    replace_block(text, "")
    return text.split(START)[1].split(END)[0]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sources.calven.erd", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--write", metavar="FILE", type=Path, help="replace the diagram between the markers"
    )
    args = parser.parse_args(argv)
    if args.write is None:
        sys.stdout.write(mermaid())
        return 0
    path: Path = args.write
    try:
        updated = replace_block(path.read_text(encoding="utf-8"), readme_block())
    except ValueError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    path.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
