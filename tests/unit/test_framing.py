"""ArrayReader: any way of cutting a body gives back exactly its records, or a FramingError."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.calven.arrow.framing import ArrayReader, Block, FramingError, InvalidJson, NotAnArray

_DECODER = json.JSONDecoder()


def parse(block: Block) -> list[Any]:
    """Whitespace-separated JSON objects, strictly (what Arrow's reader accepts)."""
    text, records, position = bytes(block.ndjson).decode(), [], 0
    try:
        while True:
            previous_end = position
            while position < len(text) and text[position] in " \t\r\n":
                position += 1
            if position == len(text):
                return records
            if records and "\n" not in text[previous_end:position]:
                raise InvalidJson("records must be on their own lines")
            record, position = _DECODER.raw_decode(text, position)
            if not isinstance(record, dict):
                raise InvalidJson("not an object")
            records.append(record)
    except json.JSONDecodeError as exc:
        raise InvalidJson(str(exc)) from exc


def read(body: bytes, pieces: list[int], min_run: int = 64) -> list[Any]:
    reader: ArrayReader[list[Any]] = ArrayReader(parse, len, min_block_bytes=min_run)
    out: list[Any] = []
    position = 0
    for size in pieces:
        for result in reader.feed(body[position : position + size]):
            out.extend(result)
        position += size
    for result in reader.feed(body[position:]):
        out.extend(result)
    for result in reader.close():
        out.extend(result)
    return out


TRICKY = st.sampled_from(["},{", '"', "\\", "}", "{", "[", "]", ",", "\n", "é", '},{"a":1}'])
TEXT = st.lists(st.one_of(TRICKY, st.characters(codec="utf-8")), max_size=8).map("".join)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), TEXT)
VALUES = st.one_of(SCALARS, st.lists(st.dictionaries(st.just("k"), SCALARS), max_size=2))
RECORDS = st.lists(
    st.dictionaries(st.sampled_from(["a", "b", "c", "userId", "day"]), VALUES, min_size=1),
    max_size=25,
)


def dumps(records: list[Any], style: str) -> bytes:
    if style == "compact":
        return orjson.dumps(records)
    if style == "pretty":
        return json.dumps(records, indent=2, ensure_ascii=False).encode()
    return json.dumps(records, separators=(", ", ": ")).encode()


@settings(max_examples=300, deadline=None)
@given(
    records=RECORDS,
    style=st.sampled_from(["compact", "pretty", "spaced"]),
    pieces=st.lists(st.integers(1, 200), max_size=30),
    min_run=st.sampled_from([1, 16, 64, 1 << 20]),
)
def test_every_cut_gives_back_the_records(records, style, pieces, min_run):
    assert read(dumps(records, style), pieces, min_run) == records


@settings(max_examples=200, deadline=None)
@given(records=RECORDS.filter(bool), fraction=st.floats(0.0, 0.999))
def test_a_body_cut_short_is_an_error(records, fraction):
    body = orjson.dumps(records)
    cut = body[: int(len(body) * fraction)]
    if cut.strip() == b"":
        with pytest.raises(FramingError):
            read(cut, [7])
        return
    with pytest.raises(FramingError):
        read(cut, [7])


@pytest.mark.parametrize(
    "body",
    [
        b'[{"a":1},]',
        b'[{"a":1}{"a":2}]',
        b'[{"a":1},,{"a":2}]',
        b'[{"a":1}, 2]',
        b'[{"a":1}, [1]]',
        b'[{"a":1}] x',
        b'[{"a":1}]]',
        b'[,{"a":1}]',
        b'[{"a":1} x {"a":2}]',
        b'[{"a":1}\n{"a":2}]',
        b'[{"a":tru}]',
    ],
    ids=[
        "trailing-comma",
        "missing-comma",
        "double-comma",
        "scalar-element",
        "array-element",
        "garbage-after",
        "extra-bracket",
        "leading-comma",
        "garbage-between",
        "newline-not-comma",
        "invalid-literal",
    ],
)
@pytest.mark.parametrize("min_run", [1, 1 << 20], ids=["small-blocks", "one-block"])
def test_malformed_bodies_are_errors(body, min_run):
    with pytest.raises(FramingError):
        read(body, [3, 5], min_run)


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b"[]", []), (b"  [ ]  ", []), (b'\n[{"a":"}]"}]\n', [{"a": "}]"}])],
    ids=["empty", "spaces", "bracket-in-string"],
)
def test_edge_bodies(body, expected):
    assert read(body, [1, 1, 1]) == expected


@pytest.mark.parametrize(
    "body", [b'{"items": []}', b"null", b"<html>"], ids=["obj", "null", "html"]
)
def test_not_an_array_keeps_the_head(body):
    reader: ArrayReader[list[Any]] = ArrayReader(parse, len)
    with pytest.raises(NotAnArray):
        reader.feed(body)
        reader.close()
    assert reader.head == body


def test_empty_body_is_an_error():
    with pytest.raises(FramingError, match="empty"):
        read(b"  ", [])
