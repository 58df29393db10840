"""The simulator's ASGI app: every documented Calven endpoint plus the ``/_sim`` controls."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp

from sources.calven_sim.api.controls import control_router
from sources.calven_sim.api.errors import install_error_handlers
from sources.calven_sim.api.middleware import SimulatorMiddleware
from sources.calven_sim.api.submit import submit_router
from sources.calven_sim.api.tokens import token_router
from sources.calven_sim.api.warehouse import warehouse_router
from sources.calven_sim.control import Simulator

DESCRIPTION = """\
A local simulation of the Calven workplace API (warehouse reads, token flows, event submission)
generated deterministically from a seed. Every path also answers with a trailing slash.
Errors are `{"statusCode", "error", "message"}`.
"""


class SimulatorApp(FastAPI):
    """FastAPI with the simulator middleware outermost, outside even the error middleware."""

    def build_middleware_stack(self) -> ASGIApp:
        """Wraps the usual stack so faults and the request log see every response as sent."""
        return SimulatorMiddleware(super().build_middleware_stack(), self.state.simulator)


def create_app(sim: Simulator | None = None) -> SimulatorApp:
    """A new app serving one simulator (a default one when None)."""
    app = SimulatorApp(
        title="Calven API (simulated)",
        version="1",
        description=DESCRIPTION,
        redirect_slashes=False,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.simulator = sim if sim is not None else Simulator()
    install_error_handlers(app)
    app.include_router(token_router())
    app.include_router(warehouse_router())
    app.include_router(submit_router())
    app.include_router(control_router())
    return app
