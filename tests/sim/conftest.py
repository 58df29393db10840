"""The small tenant the tenant tests read, and its bookings and presence over ``WINDOW``."""

from __future__ import annotations

from typing import Any

import pytest

from sources.calven_sim.tenant import Tenant
from tests.sim.tenantkit import CONFIG, WINDOW


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    return Tenant(CONFIG)


@pytest.fixture(scope="module")
def bookings(tenant: Tenant) -> list[dict[str, Any]]:
    return list(tenant.rows("user-booking-attendance", **WINDOW))


@pytest.fixture(scope="module")
def presence(tenant: Tenant) -> list[dict[str, Any]]:
    return list(tenant.rows("presence", **WINDOW))
