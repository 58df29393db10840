"""How big each benchmark is: the full sizes the README's figures use, and ``--quick``."""

from __future__ import annotations

from dataclasses import dataclass

from bench.harness import Tenant


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark is; ``--quick`` shrinks everything to a smoke run."""

    backfill: Tenant
    backfill_days: int
    small_days: int
    peer_days: int
    latency: Tenant
    latency_days: int
    nightly: Tenant
    nights: int
    repeat: int


FULL = Sizes(
    backfill=Tenant(users=10_000, locations=1, days=155),
    backfill_days=155,
    small_days=15,
    peer_days=4,
    latency=Tenant(users=400, locations=40, days=360, latency_ms=100),
    latency_days=360,
    nightly=Tenant(users=2_000, locations=40, days=60),
    nights=3,
    repeat=3,
)
QUICK = Sizes(
    backfill=Tenant(users=2_000, locations=1, days=60),
    backfill_days=60,
    small_days=8,
    peer_days=2,
    latency=Tenant(users=120, locations=40, days=90, latency_ms=100),
    latency_days=90,
    nightly=Tenant(users=400, locations=40, days=30),
    nights=1,
    repeat=1,
)
