"""FastAPI dependencies that authenticate a request and check the key's role.

They subclass ``SecurityBase`` so the OpenAPI document names the scheme each endpoint needs,
but parse the header themselves: the simulator accepts the raw ``id:secret`` Basic form that
FastAPI's ``HTTPBasic`` would refuse.
"""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from fastapi.openapi.models import HTTPBase as HTTPBaseModel
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase

from sources.calven_sim.api.errors import ApiError
from sources.calven_sim.auth import Action, ApiKey
from sources.calven_sim.control import Simulator

AuthMode = Literal["basic", "bearer"]


def simulator_of(request: Request) -> Simulator:
    """The simulator an app was built for."""
    sim = request.app.state.simulator
    assert isinstance(sim, Simulator)
    return sim


class KeyAuth(SecurityBase):
    """Authenticates with one scheme and requires a role that allows ``action``."""

    def __init__(self, mode: AuthMode, action: Action) -> None:
        self.mode = mode
        self.action = action
        if mode == "basic":
            self.model = HTTPBaseModel(scheme="basic")
            self.scheme_name = "basicAuth"
        else:
            self.model = HTTPBearerModel(description="token from /v1/auth or /v1/auth/token")
            self.scheme_name = "bearerAuth"

    async def __call__(self, request: Request) -> ApiKey:
        """The verified key; 401 for missing or wrong credentials, 403 outside its role."""
        scheme, _, value = request.headers.get("authorization", "").strip().partition(" ")
        if scheme.lower() != self.mode or not value.strip():
            wanted = "Basic credentials" if self.mode == "basic" else "a Bearer token"
            raise ApiError(401, f"this endpoint needs {wanted} in the Authorization header")
        auth = simulator_of(request).auth
        key = auth.basic(value) if self.mode == "basic" else auth.bearer(value.strip())
        if not key.allows(self.action):
            raise ApiError(403, f"an API key with role {key.role!r} may not call this endpoint")
        return key
