"""The truth a complete load must match: row count and an order-independent checksum."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True)
class Truth:
    """What a complete load of a dataset slice must contain.

    Attributes:
        count: number of rows.
        checksum: 16 hex digits of the sum modulo 2**64 of, for every row, the 8-byte blake2b
            digest (read as a big-endian integer) of ``orjson.dumps(row, option=OPT_SORT_KEYS)``.
            Order-independent, so a loader can recompute it from its rows in any order.
    """

    count: int
    checksum: str


def row_digest(row: dict[str, Any]) -> int:
    """The per-row term of ``Truth.checksum``."""
    data = orjson.dumps(row, option=orjson.OPT_SORT_KEYS)
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest())


def measure(rows: Iterable[dict[str, Any]]) -> Truth:
    """The ``Truth`` of these rows."""
    count = total = 0
    for row in rows:
        count += 1
        total = (total + row_digest(row)) & 0xFFFFFFFFFFFFFFFF
    return Truth(count, f"{total:016x}")
