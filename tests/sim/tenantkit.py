"""Shared setup of the simulated tenant's data tests: one small tenant, its window, helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sources.calven_sim.tenant import Tenant, TenantConfig

TODAY = dt.date(2024, 6, 12)  # a Wednesday
CONFIG = TenantConfig(seed=7, users=300, locations=3, history_days=40, future_days=10, today=TODAY)
WINDOW = {"start": TODAY - dt.timedelta(days=29), "end": TODAY + dt.timedelta(days=9)}


def window(dataset: str) -> dict[str, Any]:
    return WINDOW if dataset in Tenant.WINDOWED else {}


def body(tenant: Tenant, dataset: str, **kwargs: Any) -> bytes:
    return b"".join(tenant.render(dataset, **kwargs))


def day_of(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])
