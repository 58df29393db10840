"""Counter-based hashing, deterministic ids and timestamp formatting for the simulated tenant.

Every random-looking value of the tenant is a pure function of ``(seed, stream, counters...)``
computed with the splitmix64 finaliser, so any slice of the data (one user, one day, one
location) can be regenerated alone and always comes out the same. Nothing here keeps state.

Ids are UUID strings whose first 48 bits are ``base(seed, kind) + counter`` and whose remaining
bits are a hash of the same inputs. Two consequences matter: ids of one kind sort in counter
order (users by index, so "ordered by id" costs nothing), and an id can be turned back into its
counter without any lookup table (``counter_of``), then checked by regenerating it.
"""

from __future__ import annotations

import binascii
import datetime as dt

import numpy as np
import numpy.typing as npt

MASK64 = (1 << 64) - 1
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_GOLDEN = 0x9E3779B97F4A7C15
_PREFIX_SPAN = 1 << 46
"""Counters must stay below this so ``base + counter`` never wraps the 48-bit prefix."""

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


def mix64(x: int) -> int:
    """The splitmix64 finaliser on a Python int (a bijection of 64-bit values)."""
    x &= MASK64
    x ^= x >> 30
    x = (x * _M1) & MASK64
    x ^= x >> 27
    x = (x * _M2) & MASK64
    return x ^ (x >> 31)


def key(*parts: int) -> int:
    """Fold integers (seed, stream id, counters) into one 64-bit key."""
    h = _GOLDEN
    for part in parts:
        h = mix64(h ^ (part & MASK64))
    return h


def mix_array(x: U64) -> U64:
    """The splitmix64 finaliser over a uint64 array (wrapping arithmetic is what we want)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(_M1)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(_M2)
    return x ^ (x >> np.uint64(31))


def hash_indices(stream: int, indices: I64) -> U64:
    """One 64-bit hash per index for a given stream key (``key(...)`` of seed and stream)."""
    x = indices.astype(np.uint64) * np.uint64(_GOLDEN)
    return mix_array(x ^ np.uint64(stream & MASK64))


def unit16(h: U64, lane: int) -> npt.NDArray[np.float64]:
    """A uniform draw in [0, 1) from 16 bits of ``h``; lanes 0..3 are independent."""
    return ((h >> np.uint64(16 * lane)) & np.uint64(0xFFFF)).astype(np.float64) / 65536.0


def pick16(h: U64, lane: int, n: int) -> I64:
    """A uniform integer in [0, n) from 16 bits of ``h`` (n well below 65536)."""
    bits = ((h >> np.uint64(16 * lane)) & np.uint64(0xFFFF)).astype(np.int64)
    return (bits * n) >> 16


def prefix_base(seed: int, kind: int) -> int:
    """The 48-bit id prefix of counter 0 for one kind of id."""
    return key(seed, 0x1D, kind) % _PREFIX_SPAN


def make_id(seed: int, kind: int, counter: int, base: int | None = None) -> str:
    """A UUID-formatted id for ``(seed, kind, counter)`` whose prefix sorts in counter order."""
    if not 0 <= counter < _PREFIX_SPAN:
        raise ValueError(f"id counter {counter} is outside [0, 2**46)")
    prefix = (prefix_base(seed, kind) if base is None else base) + counter
    tail = key(seed, kind, counter)
    low = mix64(tail)
    return (
        f"{prefix >> 16:08x}-{prefix & 0xFFFF:04x}-7{tail >> 52:03x}-"
        f"{0x8000 | ((tail >> 38) & 0x3FFF):04x}-{low & 0xFFFFFFFFFFFF:012x}"
    )


def counter_of(seed: int, kind: int, value: str) -> int | None:
    """Invert ``make_id``: the counter of a well-formed id of this kind, else None."""
    if len(value) != 36 or value[8] != "-" or value[13] != "-":
        return None
    try:
        prefix = int(value[:8] + value[9:13], 16)
    except ValueError:
        return None
    counter = prefix - prefix_base(seed, kind)
    if not 0 <= counter < _PREFIX_SPAN or make_id(seed, kind, counter) != value:
        return None
    return counter


def day_string(day: dt.date) -> str:
    """The API's ``day`` value: midnight UTC with milliseconds."""
    return f"{day.isoformat()}T00:00:00.000Z"


def timestamp_string(day: dt.date, ms_of_day: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` for a millisecond offset into a UTC day."""
    seconds, ms = divmod(ms_of_day, 1000)
    minutes, s = divmod(seconds, 60)
    h, m = divmod(minutes, 60)
    return f"{day.isoformat()}T{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z"


def format_datetime(moment: dt.datetime) -> str:
    """Format an aware datetime as the API's UTC timestamp string."""
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def make_ids(seed: int, kind: int, counters: I64) -> npt.NDArray[np.bytes_]:
    """``make_id`` for many counters at once (vectorised), as an ``S36`` array of ASCII ids."""
    n = len(counters)
    if n and (int(counters.min()) < 0 or int(counters.max()) >= _PREFIX_SPAN):
        raise ValueError("id counters must lie in [0, 2**46)")
    c = counters.astype(np.uint64)
    # key(seed, kind, counter) folds the counter in last, so the first two steps are constants.
    tail = mix_array(np.uint64(key(seed, kind)) ^ c)
    low = mix_array(tail)
    prefix = np.uint64(prefix_base(seed, kind)) + c
    hi = (prefix << np.uint64(16)) | np.uint64(0x7000) | (tail >> np.uint64(52))
    variant = np.uint64(0x8000) | ((tail >> np.uint64(38)) & np.uint64(0x3FFF))
    lo = (variant << np.uint64(48)) | (low & np.uint64(0xFFFFFFFFFFFF))
    raw = np.stack([hi, lo], axis=1).astype(">u8").tobytes()
    digits = np.frombuffer(binascii.hexlify(raw), dtype="S1").reshape(n, 32)
    out = np.full((n, 36), b"-", dtype="S1")
    out[:, :8], out[:, 9:13], out[:, 14:18] = digits[:, :8], digits[:, 8:12], digits[:, 12:16]
    out[:, 19:23], out[:, 24:] = digits[:, 16:20], digits[:, 20:]
    return out.view("S36").reshape(n)
