"""Read a streamed JSON array of objects block by block, without ever holding the whole body.

Warehouse responses are one JSON array of flat objects, up to hundreds of megabytes. The client
reads them in pieces and ``ArrayReader`` turns every megabyte or so of whole records into
newline-delimited JSON for a parse callback (Arrow's C++ JSON reader; see
``sources.calven.arrow.tables``), so the body exists in memory only a piece at a time.

Two ways to find where records end:

- fast: the last ``},{`` of the pending bytes ends a record, and every ``},{`` becomes ``}\\n{``.
  A ``},{`` inside a string or a nested array would break the parse (a raw newline inside a
  string, or a record cut in half), and the parsed row count must equal the separators + 1, so a
  wrong guess is always caught; the reader then switches to the exact way for the rest.
- exact: vectorised with numpy. Quotes (minus escaped ones) tell which brackets lie inside
  strings, a running sum of the others gives the depth, a ``}`` back at depth 0 ends a record, and
  what lies between records must be whitespace and exactly one comma.

A body cut short, or with anything but records between ``[`` and ``]``, raises ``FramingError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

QUOTE, BACKSLASH, COMMA, NEWLINE, SPACE = 34, 92, 44, 10, 32
OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY = 123, 125, 91, 93
WHITESPACE = b" \t\r\n"
SEPARATOR = b"},{"
MIN_BLOCK_BYTES = 2 << 20
"""Bytes gathered before records are cut off: big enough that per-call costs vanish."""
# One pass finds the bytes equal to [ ] { } on the bits where those four agree (a few letters
# match too); the exact comparison then runs on these candidates only.
_BRACKET_MASK, _BRACKET_BITS = np.uint8(0xD9), np.uint8(0x59)
_GAP_BYTES = np.frombuffer(WHITESPACE + b",", np.uint8)

Positions = npt.NDArray[np.intp]
T = TypeVar("T")


class FramingError(ValueError):
    """The body is not one complete JSON array of objects (cut short, or something else)."""


class NotAnArray(FramingError):
    """The body does not start with ``[``; ``ArrayReader.head`` holds what it starts with."""


class InvalidJson(ValueError):
    """Raised by a parse callback when a block's bytes are not valid JSON."""


@dataclass(frozen=True)
class Block:
    """Whole records as received, and the same records one per line.

    Attributes:
        ndjson: the records, one per line.
        original: the bytes as received: records and the commas between them.
        multiline: whether a record itself contains a line break (pretty-printed JSON).
    """

    ndjson: memoryview
    original: memoryview
    multiline: bool

    def as_array(self) -> bytes:
        """The records as a JSON array."""
        return b"[" + bytes(self.original).lstrip(WHITESPACE + b",") + b"]"


class ArrayReader(Generic[T]):
    """Feed a body piece by piece; each call returns what ``parse`` made of the records so far.

    Args:
        parse: turns a block into a result; raises InvalidJson when the block is not valid JSON.
        rows: the number of records in a result.
        min_block_bytes: bytes gathered before a block is cut off.
    """

    def __init__(
        self,
        parse: Callable[[Block], T],
        rows: Callable[[T], int],
        min_block_bytes: int = MIN_BLOCK_BYTES,
    ) -> None:
        self._parse = parse
        self._rows = rows
        self._pending = b""
        self._pieces: list[bytes] = []
        self._size = 0
        self._started = self._closed = self._exact = False
        self._expect = "first"
        """Before the next record: ``first`` (just after ``[``), ``record`` (a comma was
        consumed) or ``comma`` (the last record was consumed)."""
        self._min_block = self._next_block = min_block_bytes
        self.head = b""
        """The first bytes of a body that is not an array (see ``NotAnArray``)."""

    def feed(self, data: bytes) -> list[T]:
        """Add the next piece of the body."""
        self._pieces.append(data)
        self._size += len(data)
        if self._size < self._next_block and self._started:
            return []
        self._gather()
        if not self._started and not self._start():
            return []
        if self._closed:
            self._check_tail()
            return []
        if len(self._pending) < self._next_block:
            return []
        results = self._take(final=False)
        # A record longer than a block must not be rescanned from its start for every piece.
        self._next_block = self._min_block if results else 2 * len(self._pending)
        self._size = len(self._pending)
        return results

    def close(self) -> list[T]:
        """The last records; FramingError if the array is incomplete."""
        self._gather()
        if not self._started:
            if self._pending.strip(WHITESPACE):
                self._start()
            raise FramingError("the body is empty")
        results = [] if self._closed else self._take(final=True)
        if not self._closed:
            raise FramingError("the body ends before the JSON array is closed")
        return results

    def _gather(self) -> None:
        if self._pieces:
            self._pending = b"".join([self._pending, *self._pieces])
            self._pieces.clear()
            self._size = len(self._pending)

    def _start(self) -> bool:
        stripped = self._pending.lstrip(WHITESPACE)
        if not stripped:
            return False
        if stripped[:1] != b"[":
            self.head = self._pending
            raise NotAnArray("the body is not a JSON array")
        self._pending = stripped[1:]
        self._started = True
        return True

    def _check_tail(self) -> None:
        if self._pending.strip(WHITESPACE):
            raise FramingError("unexpected bytes after the end of the JSON array")
        self._pending = b""

    def _take(self, *, final: bool) -> list[T]:
        if not self._exact:
            results = self._take_fast(final=final)
            if results is not None:
                return results
            self._exact = True
        return self._take_exact()

    def _take_fast(self, *, final: bool) -> list[T] | None:
        """Results, or None when the guess failed (nothing is consumed then).

        ``}\\n{`` is as long as ``},{``, so one ``replace`` over the pending bytes gives the
        parser's input at the same offsets, and the records are views of it and of the original.
        """
        pending = self._pending
        if final:
            end = len(pending.rstrip(WHITESPACE)) - 1
            if end < 0 or pending[end] != CLOSE_ARRAY:
                return None
            rest = b""
            if not pending[:end].strip(WHITESPACE):
                return self._commit(rest, final, "first") if self._expect == "first" else None
        else:
            cut = pending.rfind(SEPARATOR)
            if cut < 0:
                return None
            end, rest = cut + 1, pending[cut + 2 :]
        ndjson = memoryview(pending.replace(SEPARATOR, b"}\n{"))[:end]
        try:
            result = self._parse(Block(ndjson, memoryview(pending)[:end], multiline=False))
        except InvalidJson:
            return None
        if self._rows(result) != pending.count(SEPARATOR, 0, end) + 1:
            return None
        self._commit(rest, final, "comma" if final else "record")
        return [result]

    def _commit(self, rest: bytes, closed: bool, expect: str) -> list[T]:
        self._pending = rest
        self._closed = closed
        self._expect = expect
        return []

    def _take_exact(self) -> list[T]:
        data = np.frombuffer(self._pending, np.uint8)
        marks, depth = _structure(data)
        if depth.size and depth.min() < -1:
            raise FramingError("unexpected bytes after the end of the JSON array")
        closing = np.flatnonzero(depth == -1)
        end = int(marks[closing[0]]) if closing.size else -1
        is_end = (depth == 0) & (data[marks] == CLOSE_OBJECT)
        ends = marks[is_end & (marks < end)] if end >= 0 else marks[is_end]
        if end < 0 and ends.size == 0:
            return []
        cut = int(ends[-1]) + 1 if ends.size else 0
        starts = marks[(depth == 1) & (data[marks] == OPEN_OBJECT) & (marks < cut)]
        if starts.size != ends.size or np.any(data[marks[depth == 1]] == OPEN_ARRAY):
            raise FramingError("an element of the array is not a JSON object")
        if end >= 0 and not np.isin(data[cut:end], _GAP_BYTES[:-1]).all():
            raise FramingError("unexpected bytes before the end of the JSON array")
        if end >= 0 and ends.size == 0 and self._expect == "record":
            raise FramingError("a comma before the end of the JSON array")
        comma = self._expect == "comma"
        block = _exact_block(data, starts, ends, leading_comma=comma) if ends.size else None
        del data
        results = []
        if block is not None:
            try:
                results.append(self._parse(block))
            except InvalidJson as exc:
                raise FramingError(f"a record is not valid JSON ({exc})") from exc
        expect = "comma" if block is not None else self._expect
        if end >= 0:
            self._commit(self._pending[end + 1 :], True, expect)
            self._check_tail()
        else:
            self._commit(self._pending[cut:], False, expect)
        return results


def _exact_block(
    data: npt.NDArray[np.uint8], starts: Positions, ends: Positions, *, leading_comma: bool
) -> Block:
    """The block of records ``starts[i]..ends[i]``, after checking what lies between them."""
    # The gap before each record: from the end of the previous one (or the block's start).
    gap_from = np.concatenate(([0], ends[:-1] + 1))
    lengths = starts - gap_from
    in_gap = _ranges(gap_from, lengths)
    gap_bytes = data[in_gap]
    if not np.isin(gap_bytes, _GAP_BYTES).all():
        raise FramingError("unexpected bytes between two records")
    commas = gap_bytes == COMMA
    offsets = (np.cumsum(lengths) - lengths)[lengths > 0]
    per_gap = np.add.reduceat(commas, offsets) if in_gap.size else commas
    needed = ends.size - (0 if leading_comma else 1)
    first_gap_commas = int(commas[: lengths[0]].sum())
    if int(commas.sum()) != needed or np.any(per_gap > 1) or first_gap_commas != int(leading_comma):
        raise FramingError("records are not separated by exactly one comma")
    cut = int(ends[-1]) + 1
    out = data[:cut].copy()
    out[in_gap] = SPACE
    out[gap_from[lengths > 0]] = NEWLINE
    multiline = int(np.count_nonzero(out == NEWLINE)) > offsets.size
    return Block(memoryview(out.tobytes()), memoryview(data[:cut].tobytes()), multiline)


def _structure(data: npt.NDArray[np.uint8]) -> tuple[Positions, Positions]:
    """Positions of the brackets outside strings, and the depth after each one.

    Depth is relative to the start (inside the array, between records): 1 inside a record, 0
    after it ends, -1 after the array's closing bracket.
    """
    quotes = np.flatnonzero(data == QUOTE)
    if quotes.size and np.any(data[np.maximum(quotes - 1, 0)] == BACKSLASH):
        quotes = _unescaped(data, quotes)
    candidates = np.flatnonzero((data & _BRACKET_MASK) == _BRACKET_BITS)
    found = data[candidates]
    opening = (found == OPEN_OBJECT) | (found == OPEN_ARRAY)
    is_bracket = opening | (found == CLOSE_OBJECT) | (found == CLOSE_ARRAY)
    outside = (np.searchsorted(quotes, candidates) & 1) == 0
    keep = is_bracket & outside
    return candidates[keep], np.cumsum(np.where(opening[keep], 1, -1))


def _unescaped(data: npt.NDArray[np.uint8], quotes: Positions) -> Positions:
    """``quotes`` without those escaped by an odd number of backslashes (rare: a loop will do)."""
    keep = np.ones(quotes.size, bool)
    for index in np.flatnonzero(data[np.maximum(quotes - 1, 0)] == BACKSLASH):
        position, slashes = int(quotes[index]) - 1, 0
        while position >= 0 and data[position] == BACKSLASH:
            slashes += 1
            position -= 1
        keep[index] = slashes % 2 == 0
    return quotes[keep]


def _ranges(starts: Positions, lengths: Positions) -> Positions:
    """All positions of the ranges ``[start, start + length)``, concatenated."""
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, np.intp)
    offsets: Positions = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total) + offsets
