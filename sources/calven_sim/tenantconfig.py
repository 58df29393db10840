"""Size and seed of a simulated tenant, and how its initial users spread over the locations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sources.calven_sim.hashing import key

__all__ = ["TenantConfig", "initial_sites"]


@dataclass(frozen=True)
class TenantConfig:
    """Size and seed of a simulated tenant.

    Attributes:
        seed: everything is derived from it; same seed, same bytes.
        users: users spread over the initial locations.
        locations: initial number of locations.
        history_days: history covers ``[today - history_days, today)``.
        future_days: bookings exist for ``[today, today + future_days)``.
        today: the simulated current UTC date; None means the real one at construction.
        cache_user_days: keep generated day blocks for repeated reads, up to this many
            user-days (0: none; see ``sources.calven_sim.blockcache``).
    """

    seed: int = 42
    users: int = 1_000
    locations: int = 4
    history_days: int = 120
    future_days: int = 14
    today: dt.date | None = None
    cache_user_days: int = 0


def initial_sites(config: TenantConfig) -> tuple[tuple[int, int], ...]:
    """Split the initial users over the locations with mildly uneven, seeded weights."""
    n = max(1, config.locations)
    weights = [0.6 + 0.8 * (key(config.seed, 0x51, k) % 10_000) / 10_000 for k in range(n)]
    total = sum(weights)
    sizes = [int(config.users * w / total) for w in weights]
    sizes[-1] += config.users - sum(sizes)
    starts = [sum(sizes[:k]) for k in range(n)]
    return tuple(zip(starts, sizes, strict=True))
