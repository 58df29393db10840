"""Property-based run of the simulator's own OpenAPI document: no input may cause a 5xx.

Requests go over real loopback HTTP to a running simulator with faults off, carrying valid
credentials (a Basic header on ``/basic`` paths, a bearer token elsewhere) so schemathesis reaches
parameter and body validation rather than stopping at 401. Operations are driven one by one with
``as_strategy`` (schemathesis' pytest loader for fixtures does not run under pytest 9).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from sources.calven_sim.server import RunningSimulator
from tests.sim.httpkit import basic

EXAMPLES_PER_OPERATION = 10


def _headers(running: RunningSimulator, token: str, method: str, path: str) -> dict[str, str]:
    if path.startswith("/v1/auth"):
        return {}
    if path.endswith("/basic"):
        role = "events" if method.upper() == "POST" else "warehouse"
        return basic(running.key(role=role, basic=True))
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_no_input_causes_a_server_error(shared_simulator: RunningSimulator, mode: Any) -> None:
    schema = schemathesis.openapi.from_url(f"{shared_simulator.base_url}/openapi.json")
    everything = shared_simulator.key(role="all")
    token = shared_simulator.sim.auth.client_token(everything.key_id, everything.secret).token
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 21

    for operation in operations:
        headers = _headers(shared_simulator, token, operation.method, operation.path)
        _fuzz(operation, mode, headers)()


def _fuzz(operation: Any, mode: Any, headers: dict[str, str]) -> Any:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=10)

    return check
