"""The submit endpoints: presence (token and Basic), occupancy, time off, access credentials.

A body that fails validation is refused whole with 400; a valid batch goes to the tenant, which
decides each event's result code (0 stored, 1 user not found, 2 location not found, 3 other).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from sources.calven_sim.api.models import (
    ERROR_RESPONSES,
    AccessCredentialResult,
    AccessCredentialsBody,
    EventsResponse,
    OccupancyBody,
    PresenceBody,
    TimeOffBody,
    TimeOffResponse,
)
from sources.calven_sim.api.security import AuthMode, KeyAuth, simulator_of


def now_iso() -> str:
    """The current UTC time as ``2021-09-01T12:00:00.000Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def presence(request: Request, body: PresenceBody) -> JSONResponse:
    """Stores presence events; they appear in the presence dataset after the next refresh."""
    events = [event.model_dump(exclude_none=True) for event in body.presenceEvents]
    results = simulator_of(request).tenant.submit_presence(body.sourceId, events)
    return JSONResponse({"sourceId": body.sourceId, "timestamp": now_iso(), "results": results})


async def occupancy(request: Request, body: OccupancyBody) -> JSONResponse:
    """Stores anonymous occupancy readings."""
    events = [event.model_dump(exclude_none=True) for event in body.occupancyEvents]
    results = simulator_of(request).tenant.submit_occupancy(body.sourceId, events)
    return JSONResponse({"sourceId": body.sourceId, "timestamp": now_iso(), "results": results})


async def timeoff(request: Request, body: TimeOffBody) -> JSONResponse:
    """Applies scheduled or cancelled time off to users' plans."""
    events = [event.model_dump(exclude_none=True) for event in body.timeOffEvents]
    results = simulator_of(request).tenant.submit_timeoff(events)
    return JSONResponse({"timestamp": now_iso(), "results": results})


async def access_credentials(request: Request, body: AccessCredentialsBody) -> JSONResponse:
    """Replaces users' access cards; one result object per update."""
    updates = [update.model_dump(exclude_none=True) for update in body.data]
    return JSONResponse(simulator_of(request).tenant.submit_access_credentials(updates))


_ROUTES: tuple[tuple[str, AuthMode, Callable[..., Coroutine[Any, Any, JSONResponse]], Any], ...] = (
    ("/v1/presence", "bearer", presence, EventsResponse),
    ("/v1/presence/basic", "basic", presence, EventsResponse),
    ("/v1/occupancy", "bearer", occupancy, EventsResponse),
    ("/v1/timeoff", "bearer", timeoff, TimeOffResponse),
    ("/v1/access-credentials", "bearer", access_credentials, list[AccessCredentialResult]),
)


def submit_router() -> APIRouter:
    """Every submit endpoint, with and without a trailing slash."""
    router = APIRouter(tags=["events"])
    for path, mode, endpoint, response in _ROUTES:
        for route_path, documented in ((path, True), (f"{path}/", False)):
            name = path.strip("/").replace("/", "_").replace("-", "_")
            router.add_api_route(
                route_path,
                endpoint,
                methods=["POST"],
                dependencies=[Depends(KeyAuth(mode, "events"))],
                responses={200: {"model": response}, **ERROR_RESPONSES},
                include_in_schema=documented,
                operation_id=f"post_{name}" + ("" if documented else "_slash"),
                summary=f"{path} ({'Basic' if mode == 'basic' else 'Bearer token'})",
            )
    return router
