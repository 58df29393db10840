"""A response as Arrow tables, spooled to a temporary file while it streams in.

``read_tables`` runs on a client worker thread: it feeds the streamed body to an
``ArrayReader``, whose blocks of records become Arrow tables, and appends each table to
``SpooledTables``. The body is never whole in memory, and neither is its table:
``SpooledTables`` keeps up to ``SPOOL_MEMORY_BYTES`` in memory and the rest in a temporary file,
as Arrow IPC. The consumer reads the tables back one group at a time. A body that breaks off or
is not JSON raises before anything is handed over, so the client can retry it.

A response whose key repeats is deduplicated here, the last row winning as a re-read replaces a
row. (The destination's merge still deduplicates its staging table: after a crash inside a load,
dlt may stage a package's rows twice, so that step is not skipped.)
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import TracebackType

import pyarrow as pa
import pyarrow.compute as pc

from sources.calven.arrow.framing import ArrayReader, Block, FramingError, NotAnArray

logger = logging.getLogger(__name__)

SPOOL_MEMORY_BYTES = 4 << 20
"""Tables of a response up to this size stay in memory; beyond it they go to a temporary file."""
GROUP_ROWS = 25_000
"""Rows handed on at once: small windows are joined, since dlt's cost is per item; beyond this
size that cost is negligible, and larger items raise the extract's peak memory (100,000 rows:
+110 MB on the throughput benchmark, no faster)."""

Parse = Callable[[Block], pa.Table]


class SpooledTables:
    """The Arrow tables of one response, in order; close it (or use ``with``) to free the spool.

    Tables stay in memory until they pass ``spool_memory_bytes``; then all of them go to an Arrow
    IPC file, written and read by Arrow's own file I/O (a new stream whenever the schema changes).
    """

    def __init__(
        self, keys: Sequence[str] = (), spool_memory_bytes: int = SPOOL_MEMORY_BYTES
    ) -> None:
        self.keys = list(keys)
        """Columns that identify a row; their values are kept to count duplicates."""
        self._limit = spool_memory_bytes
        self._held: list[pa.Table] = []
        self._held_bytes = 0
        self._path: str | None = None
        self._file: pa.NativeFile | None = None
        self._writer: pa.ipc.RecordBatchStreamWriter | None = None
        self._writer_schema: pa.Schema | None = None
        self._segments: list[int] = []
        self._keys: list[pa.Table] = []
        self.rows = 0

    def append(self, table: pa.Table) -> None:
        """Keep ``table`` (an empty one is skipped)."""
        if not table.num_rows:
            return
        self.rows += table.num_rows
        if self.keys:
            self._keys.append(table.select(self.keys))
        self._held.append(table)
        self._held_bytes += table.nbytes
        if self._held_bytes > self._limit:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            descriptor, self._path = tempfile.mkstemp(prefix="calven-", suffix=".arrows")
            os.close(descriptor)
            self._file = pa.OSFile(self._path, "wb")
        for table in self._held:
            if self._writer is None or self._writer_schema != table.schema:
                if self._writer is not None:
                    self._writer.close()
                self._segments.append(self._file.tell())
                self._writer = pa.ipc.new_stream(self._file, table.schema)
                self._writer_schema = table.schema
            self._writer.write_table(table)
        self._held, self._held_bytes = [], 0

    def tables(self, group_rows: int = GROUP_ROWS) -> Iterator[pa.Table]:
        """The tables back, consecutive ones with the same schema joined up to ``group_rows``."""
        return grouped(self._all_tables(), group_rows)

    def _all_tables(self) -> Iterator[pa.Table]:
        if self._path is not None:
            self._finish_writing()
            with pa.OSFile(self._path, "rb") as source:
                for offset in self._segments:
                    source.seek(offset)
                    for batch in pa.ipc.open_stream(source):
                        yield pa.Table.from_batches([batch])
        yield from self._held

    def duplicates(self) -> int:
        """How many rows repeat the keys of an earlier row."""
        if not self._keys:
            return 0
        distinct = pa.concat_tables(self._keys).group_by(self.keys, use_threads=False)
        return self.rows - int(distinct.aggregate([]).num_rows)

    def deduplicated(self) -> SpooledTables:
        """New tables holding the last row of each key; closes these. Reads all rows at once."""
        table = pa.concat_tables(self._all_tables(), promote_options="permissive")
        self.close()
        numbered = table.append_column("__row", pa.array(range(table.num_rows), pa.int64()))
        last = numbered.group_by(self.keys, use_threads=False).aggregate([("__row", "max")])
        kept = pc.take(last.column("__row_max"), pc.sort_indices(last.column("__row_max")))
        unique = SpooledTables(self.keys)
        unique.append(table.take(kept))
        return unique

    def _finish_writing(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._file is not None:
            self._file.close()
            self._file = None

    def close(self) -> None:
        """Free the tables and delete the spool file; idempotent."""
        self._held, self._held_bytes, self._keys = [], 0, []
        self._finish_writing()
        if self._path is not None:
            os.unlink(self._path)
            self._path = None

    def __enter__(self) -> SpooledTables:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def grouped(tables: Iterable[pa.Table], group_rows: int = GROUP_ROWS) -> Iterator[pa.Table]:
    """Consecutive tables with the same schema joined up to ``group_rows`` rows."""
    group: list[pa.Table] = []
    rows = 0
    for table in tables:
        if group and (rows >= group_rows or table.schema != group[0].schema):
            yield pa.concat_tables(group)
            group, rows = [], 0
        group.append(table)
        rows += table.num_rows
    if group:
        yield pa.concat_tables(group)


class NotAnArrayBody(Exception):
    """The body is not a JSON array; ``body`` holds all of it for the caller to judge."""

    def __init__(self, body: bytes) -> None:
        super().__init__("the body is not a JSON array")
        self.body = body


def read_tables(chunks: Iterator[bytes], parse: Parse, keys: Sequence[str] = ()) -> SpooledTables:
    """Parse a streamed JSON array of objects into spooled tables, unique on ``keys``.

    Raises:
        FramingError: the body broke off or is not JSON (worth a retry).
        NotAnArrayBody: the body does not start with ``[`` (an error object, an HTML page).
        RecordError: a record does not match the dataset (from ``parse``).
    """
    spooled = SpooledTables(keys)
    reader: ArrayReader[pa.Table] = ArrayReader(parse, _rows)
    try:
        try:
            for chunk in chunks:
                for table in reader.feed(chunk):
                    spooled.append(table)
            for table in reader.close():
                spooled.append(table)
        except NotAnArray:
            # Not an array: small by nature (an error object, a maintenance page), so read it all.
            raise NotAnArrayBody(reader.head + b"".join(chunks)) from None
    except BaseException:
        spooled.close()
        raise
    repeated = spooled.duplicates()
    if repeated:
        logger.warning("%d row(s) repeat the key %s of another row; kept the last", repeated, keys)
        return spooled.deduplicated()
    return spooled


def _rows(table: pa.Table) -> int:
    return int(table.num_rows)


__all__ = ["FramingError", "NotAnArrayBody", "SpooledTables", "grouped", "read_tables"]
