"""Shards: the tenant's locations split among N jobs by a stable hash of the location id.

A location belongs to shard ``hash(id) mod N + 1`` (SHA-256 of the lower-case id), so the
assignment depends on nothing but the id and N: a new location never moves the others, and
every job computes the same split without talking to the others.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sources.calven.errors import ConfigError

_FORM = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
MAX_SHARDS = 1000


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (both from 1, as written: ``2/4``)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str, name: str = "shard") -> Shard:
        """``K/N`` with 1 <= K <= N; ConfigError naming ``name`` otherwise."""
        found = _FORM.match(str(text))
        if not found:
            raise ConfigError(f"{name} {text!r} is not K/N (for example 2/4: shard 2 of 4)")
        index, count = int(found[1]), int(found[2])
        if not 1 <= count <= MAX_SHARDS:
            raise ConfigError(f"{name} {text!r}: N must be between 1 and {MAX_SHARDS}")
        if not 1 <= index <= count:
            raise ConfigError(f"{name} {text!r}: K must be between 1 and N ({count})")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, location_id: str) -> bool:
        return shard_of(location_id, self.count) == self.index

    @property
    def loads_tenant_wide(self) -> bool:
        """Whether this shard's job loads the dimensions and the tenant-wide change log."""
        return self.index == 1

    def pipeline_name(self, base: str) -> str:
        """The shard's own dlt pipeline (state, lock, ledger): ``<base>_shard_2_of_4``."""
        return f"{base}_shard_{self.index}_of_{self.count}"


def shard_of(location_id: str, count: int) -> int:
    """The shard (1..count) a location belongs to."""
    digest = hashlib.sha256(location_id.lower().encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1
