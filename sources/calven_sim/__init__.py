"""A simulated Calven API, shipped with the product so the demo and every test run offline.

It generates a deterministic tenant (users, locations, desks, bookings & attendance, presence,
change log) from a seed and serves it over real HTTP like Calven does: the warehouse GET endpoints
with their ``/basic`` twins, the HMAC and client-secret token flows, the submit endpoints, API
keys with roles, and the 30-day range rule. Tests control it from Python or under ``/_sim``:
latency, deterministic fault injection (5xx, 429, timeouts, resets, truncated bodies), a request
log, a clock, new locations, and the "truth" a complete load must match.

It imports nothing from ``sources.calven``: two independent readings of the API docs catch each
other's mistakes. Names are re-exported lazily so importing one data-generation module does not
pull in the web stack.

Example:
    with run_simulator(SimulatorConfig(tenant=TenantConfig(users=100))) as running:
        key = running.key(role="warehouse", basic=True)
        httpx.get(f"{running.base_url}/v1/analytics/users/basic", auth=(key.key_id, key.secret))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sources.calven_sim.app import create_app
    from sources.calven_sim.auth import ApiKey, default_keys, hmac_hash
    from sources.calven_sim.control import Simulator, SimulatorConfig
    from sources.calven_sim.faults import FaultConfig, FaultRule, Latency
    from sources.calven_sim.requestlog import RequestLogEntry
    from sources.calven_sim.server import RunningSimulator, run_simulator, serve
    from sources.calven_sim.tenant import Tenant, TenantConfig

_EXPORTS = {
    "create_app": "app",
    "ApiKey": "auth",
    "default_keys": "auth",
    "hmac_hash": "auth",
    "Simulator": "control",
    "SimulatorConfig": "control",
    "FaultConfig": "faults",
    "FaultRule": "faults",
    "Latency": "faults",
    "RequestLogEntry": "requestlog",
    "RunningSimulator": "server",
    "run_simulator": "server",
    "serve": "server",
    "Tenant": "tenant",
    "TenantConfig": "tenant",
}
__all__ = [
    "ApiKey",
    "FaultConfig",
    "FaultRule",
    "Latency",
    "RequestLogEntry",
    "RunningSimulator",
    "Simulator",
    "SimulatorConfig",
    "Tenant",
    "TenantConfig",
    "create_app",
    "default_keys",
    "hmac_hash",
    "run_simulator",
    "serve",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
