"""Rows from a file: CSV (header row, text values), JSON Lines or Parquet, chosen by extension.

Rows stream one at a time so a large file is never held whole. A JSON line that is not an
object becomes an ``UnreadableRow`` (reported as invalid with its row number), not a crash.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq

from sources.calven.errors import ConfigError
from sources.calven.push.prepare import UnreadableRow

FILE_FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
PARQUET_BATCH_ROWS = 10_000


def file_format(path: Path) -> str:
    """``csv``, ``jsonl`` or ``parquet`` from the file name; ConfigError for anything else."""
    found = FILE_FORMATS.get(path.suffix.lower())
    if found is None:
        raise ConfigError(
            f"cannot tell the format of '{path}': use a .csv, .jsonl (.ndjson) or .parquet file, "
            "or table:NAME / query:SQL for a table in the destination"
        )
    return found


def read_file(path: str | Path) -> Iterator[Mapping[str, Any]]:
    """The rows of ``path``; ConfigError if it does not exist or its format is unknown."""
    source = Path(path)
    kind = file_format(source)
    if not source.is_file():
        raise ConfigError(f"source file '{source}' does not exist")
    if kind == "csv":
        return _csv_rows(source)
    if kind == "jsonl":
        return _jsonl_rows(source)
    return _parquet_rows(source)


def _csv_rows(path: Path) -> Iterator[Mapping[str, Any]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        try:
            yield from csv.DictReader(handle)
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"source file '{path}' is not UTF-8 text (it holds the byte "
                f'0x{exc.object[exc.start]:02x}): save it as UTF-8 ("CSV UTF-8") and retry'
            ) from None


def _jsonl_rows(path: Path) -> Iterator[Mapping[str, Any]]:
    with path.open("rb") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield UnreadableRow(f"not valid JSON: {exc}")
                continue
            yield row if isinstance(row, dict) else UnreadableRow("not a JSON object")


def _parquet_rows(path: Path) -> Iterator[Mapping[str, Any]]:
    for batch in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH_ROWS):
        yield from batch.to_pylist()
