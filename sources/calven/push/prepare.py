"""Source rows -> API events: column mapping, local validation and ``eventId`` generation.

Pure: nothing here does I/O. A row becomes a ``PreparedEvent`` (ready to send) or an
``InvalidRow`` (its 1-based row number and every reason it cannot be sent). A row without an
id gets a UUID v5 of its normalised content, so the same row always gets the same id and a
re-run or a re-sent batch cannot store it twice.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from sources.calven.errors import ConfigError
from sources.calven.push.fields import FieldError, is_missing, text
from sources.calven.push.kinds import EventKind

logger = logging.getLogger(__name__)

EVENT_ID_NAMESPACE = uuid.UUID("6f1c9a52-3c1e-5b7e-9d55-2f0c8f6a1d41")
"""Namespace of generated event ids; changing it would give every row a new id."""

SOURCE_ID_FIELD = "sourceId"


@dataclass(frozen=True)
class PreparedEvent:
    """A valid event: where it came from, its id, its batch-level ``sourceId`` and its body."""

    row: int
    event_id: str
    source_id: str | None
    body: dict[str, Any]


class UnreadableRow(dict[str, Any]):
    """Stands for a source row that could not be parsed at all (e.g. a broken JSON line)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


@dataclass(frozen=True)
class InvalidRow:
    """A row that failed local validation; never sent."""

    row: int
    event_id: str | None
    reason: str


def snake(name: str) -> str:
    """``locationType`` -> ``location_type``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class ColumnMap:
    """Source column -> API field: ``--map`` renames first, then exact or snake_case names.

    Args:
        kind: the event kind whose fields are wanted.
        rename: source column -> API field, from ``--map``.
    """

    def __init__(self, kind: EventKind, rename: Mapping[str, str] | None = None) -> None:
        wanted = [spec.name for spec in kind.fields]
        if kind.has_source_id:
            wanted.append(SOURCE_ID_FIELD)
        unknown = sorted(set((rename or {}).values()) - set(wanted))
        if unknown:
            raise ConfigError(
                f"--map names {', '.join(unknown)}, which {kind.name} events do not have; "
                f"fields: {', '.join(wanted)}"
            )
        self._rename = dict(rename or {})
        self._by_name = {name: name for name in wanted} | {snake(name): name for name in wanted}
        self._cache: dict[str, str | None] = {}
        self.ignored: set[str] = set()

    def field(self, column: str) -> str | None:
        """The API field a column feeds, or None (the column is ignored)."""
        if column not in self._cache:
            target = self._rename.get(column) or self._by_name.get(column)
            if target is None and column not in self._rename:
                target = self._by_name.get(snake(column))
            if target is None:
                self.ignored.add(column)
            self._cache[column] = target
        return self._cache[column]


def generated_event_id(kind: EventKind, source_id: str | None, body: Mapping[str, Any]) -> str:
    """UUID v5 of the kind, the ``sourceId`` and the normalised body (keys sorted)."""
    content = orjson.dumps(
        {"kind": kind.name, SOURCE_ID_FIELD: source_id, "event": body},
        option=orjson.OPT_SORT_KEYS,
    )
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, content.decode()))


def prepare_row(
    kind: EventKind, columns: ColumnMap, row: Mapping[str, Any], number: int, source_id: str
) -> PreparedEvent | InvalidRow:
    """Validate one row; ``source_id`` is used when the row has no ``sourceId`` column."""
    if isinstance(row, UnreadableRow):
        return InvalidRow(number, None, row.reason)
    values: dict[str, Any] = {}
    for column, value in row.items():
        name = columns.field(column)
        if name is not None and not is_missing(value):
            values[name] = value
    given_id = values.pop(kind.id_field, None)
    row_source = values.pop(SOURCE_ID_FIELD, None)
    problems: list[str] = []
    event_id = _text_or_problem(kind.id_field, given_id, problems)
    batch_source = _text_or_problem(SOURCE_ID_FIELD, row_source, problems) or source_id
    body: dict[str, Any] = {}
    for spec in kind.fields:
        if spec.name == kind.id_field:
            continue
        if spec.name not in values:
            if spec.required:
                problems.append(f"{spec.name} is required")
            continue
        try:
            body[spec.name] = spec.parse(values[spec.name])
        except FieldError as exc:
            problems.append(f"{spec.name}: {exc}")
    if not problems:
        reason = kind.rule(body)
        if reason is not None:
            problems.append(reason)
    if problems:
        return InvalidRow(number, event_id, "; ".join(problems))
    sent_source = batch_source if kind.has_source_id else None
    event_id = event_id or generated_event_id(kind, sent_source, body)
    return PreparedEvent(number, event_id, sent_source, {**body, kind.id_field: event_id})


def _text_or_problem(name: str, value: Any, problems: list[str]) -> str | None:
    if value is None:
        return None
    try:
        return text(value) or None
    except FieldError as exc:
        problems.append(f"{name}: {exc}")
        return None


def prepare_rows(
    kind: EventKind,
    rows: Iterable[Mapping[str, Any]],
    *,
    rename: Mapping[str, str] | None = None,
    source_id: str,
) -> Iterator[PreparedEvent | InvalidRow]:
    """Validate rows in order (numbered from 1); logs the columns that feed no field, once."""
    columns = ColumnMap(kind, rename)
    for number, row in enumerate(rows, start=1):
        yield prepare_row(kind, columns, row, number, source_id)
    if columns.ignored:
        logger.warning(
            "%s: ignored column(s) %s (no such field; see --map)",
            kind.name,
            ", ".join(sorted(columns.ignored)),
        )
