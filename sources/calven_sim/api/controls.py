"""Test controls over HTTP under ``/_sim`` (not in the OpenAPI document, never faulted or logged).

| method and path | does |
|---|---|
| GET / DELETE ``/_sim/requests`` | read (``?pathPrefix=``) / clear the request log |
| GET / PUT / DELETE ``/_sim/faults`` | read / replace / turn off fault injection |
| GET / PUT ``/_sim/latency`` | ``{"fixed_ms", "jitter_ms"}`` |
| PUT ``/_sim/token-ttl`` | ``{"seconds"}`` for tokens issued from now on |
| POST ``/_sim/tokens/expire`` | forget every issued token |
| POST ``/_sim/advance`` | ``{"days"}``: move the tenant clock |
| POST ``/_sim/locations`` | ``{"users"}``: open an office, answers ``{"locationId"}`` |
| GET / POST ``/_sim/moves`` | read / ``{"userId", "locationId", "straddle"}``: move a user |
| GET ``/_sim/truth`` | ``?dataset=&startDate=&endDate=&locationId=`` → ``{"count", "checksum"}`` |
| GET ``/_sim/state`` | today, first day, location ids, request count |
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from sources.calven_sim.api.errors import ApiError
from sources.calven_sim.api.security import simulator_of
from sources.calven_sim.api.validation import parse_day
from sources.calven_sim.faults import Latency, fault_config_as_dict, fault_config_from_dict

JsonObject = Annotated[dict[str, Any], Body()]


def _int(body: dict[str, Any], name: str, minimum: int) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ApiError(400, f"{name} must be an integer >= {minimum}")
    return value


def _number(body: dict[str, Any], name: str, default: float | None = None) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError(400, f"{name} must be a number")
    return float(value)


def control_router() -> APIRouter:
    """The ``/_sim`` routes."""
    router = APIRouter(prefix="/_sim", include_in_schema=False)

    @router.get("/requests")
    async def read_requests(
        request: Request, pathPrefix: str | None = None
    ) -> list[dict[str, Any]]:
        return [entry.as_dict() for entry in simulator_of(request).requests(pathPrefix)]

    @router.delete("/requests")
    async def clear_requests(request: Request) -> dict[str, bool]:
        simulator_of(request).clear_requests()
        return {"cleared": True}

    @router.get("/faults")
    async def read_faults(request: Request) -> dict[str, object]:
        return fault_config_as_dict(simulator_of(request).faults.config)

    @router.put("/faults")
    async def set_faults(request: Request, body: JsonObject) -> dict[str, object]:
        try:
            config = fault_config_from_dict(body)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        simulator_of(request).set_faults(config)
        return fault_config_as_dict(config)

    @router.delete("/faults")
    async def clear_faults(request: Request) -> dict[str, object]:
        sim = simulator_of(request)
        sim.set_faults(None)
        return fault_config_as_dict(sim.faults.config)

    @router.get("/latency")
    async def read_latency(request: Request) -> dict[str, float]:
        latency = simulator_of(request).faults.latency
        return {"fixed_ms": latency.fixed_ms, "jitter_ms": latency.jitter_ms}

    @router.put("/latency")
    async def set_latency(request: Request, body: JsonObject) -> dict[str, float]:
        try:
            latency = Latency(_number(body, "fixed_ms", 0.0), _number(body, "jitter_ms", 0.0))
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        simulator_of(request).set_latency(latency)
        return {"fixed_ms": latency.fixed_ms, "jitter_ms": latency.jitter_ms}

    @router.put("/token-ttl")
    async def set_token_ttl(request: Request, body: JsonObject) -> dict[str, float]:
        seconds = _number(body, "seconds")
        if seconds <= 0:
            raise ApiError(400, "seconds must be > 0")
        simulator_of(request).token_ttl_seconds = seconds
        return {"seconds": seconds}

    @router.post("/tokens/expire")
    async def expire_tokens(request: Request) -> dict[str, bool]:
        simulator_of(request).expire_tokens()
        return {"expired": True}

    @router.post("/advance")
    async def advance(request: Request, body: JsonObject) -> dict[str, str]:
        today = simulator_of(request).advance(_int(body, "days", 0))
        return {"today": today.isoformat()}

    @router.post("/locations")
    async def add_location(request: Request, body: JsonObject) -> dict[str, str]:
        return {"locationId": simulator_of(request).add_location(_int(body, "users", 0))}

    @router.get("/moves")
    async def read_moves(request: Request) -> list[dict[str, str | None]]:
        return simulator_of(request).tenant.moves()

    @router.post("/moves")
    async def move_user(request: Request, body: JsonObject) -> list[dict[str, str | None]]:
        user_id, location_id = body.get("userId"), body.get("locationId")
        straddle = body.get("straddle", True)
        if not isinstance(user_id, str) or not isinstance(location_id, str):
            raise ApiError(400, "userId and locationId must be strings")
        if not isinstance(straddle, bool):
            raise ApiError(400, "straddle must be true or false")
        sim = simulator_of(request)
        try:
            sim.move_user(user_id, location_id, straddle=straddle)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        return sim.tenant.moves()

    @router.get("/truth")
    async def truth(
        request: Request,
        dataset: str = Query(),
        startDate: str | None = Query(default=None),
        endDate: str | None = Query(default=None),
        locationId: str | None = Query(default=None),
    ) -> dict[str, object]:
        sim = simulator_of(request)
        if dataset not in sim.tenant.DATASETS:
            raise ApiError(400, f"dataset must be one of {', '.join(sim.tenant.DATASETS)}")
        start = parse_day("startDate", startDate) if startDate else None
        end = parse_day("endDate", endDate) if endDate else None
        result = sim.truth(dataset, start, end, locationId)
        return {"count": result.count, "checksum": result.checksum}

    @router.get("/state")
    async def state(request: Request) -> dict[str, object]:
        sim = simulator_of(request)
        return {
            "today": sim.tenant.today.isoformat(),
            "firstDay": sim.tenant.first_day.isoformat(),
            "locationIds": sim.tenant.location_ids(),
            "requests": len(sim.request_log),
        }

    return router
