"""Warehouse GET endpoints: every dataset and its ``/basic`` twin, with or without a final slash.

Bodies come chunk by chunk from ``Tenant.render``, so the simulator never holds more than two
chunks of a response. A body of one chunk (most windows) is sent whole, with its length: streaming
costs a worker-thread hop per chunk and a disconnect listener per response, a quarter of the
server's CPU on the latency benchmark. Longer bodies are streamed (chunked encoding). The first
chunks are rendered on the event loop; a worker thread would not run beside it anyway (one GIL).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from sources.calven_sim.api.models import ERROR_RESPONSES
from sources.calven_sim.api.rows import RESPONSE_MODELS
from sources.calven_sim.api.security import AuthMode, KeyAuth, simulator_of
from sources.calven_sim.api.validation import check_params, day_range, id_list

ANALYTICS = "/v1/analytics/"
DATE_HELP = (
    "Inclusive UTC day: YYYYMMDD, YYYY-MM-DD or an ISO timestamp; at most 30 days per range."
)
JSON = "application/json"
Endpoint = Callable[..., Coroutine[Any, Any, Response]]


def _body(
    request: Request,
    dataset: str,
    days: tuple[date, date] | None = None,
    location_ids: list[str] | None = None,
    user_ids: list[str] | None = None,
) -> Response:
    start, end = days if days is not None else (None, None)
    chunks = simulator_of(request).tenant.render(dataset, start, end, location_ids, user_ids)
    head = list(itertools.islice(chunks, 2))
    if len(head) == 1:
        return Response(head[0], media_type=JSON)
    return StreamingResponse(itertools.chain(head, chunks), media_type=JSON)


def _dimension(dataset: str) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        check_params(request.query_params, frozenset())
        return _body(request, dataset)

    return endpoint


def _bookings(dataset: str) -> Endpoint:
    async def endpoint(
        request: Request,
        startDate: str = Query(description=DATE_HELP),
        endDate: str = Query(description=DATE_HELP),
        locationId: str | None = Query(
            default=None, description="Only users whose primaryLocationId is this location."
        ),
    ) -> Response:
        check_params(request.query_params, frozenset({"startDate", "endDate", "locationId"}))
        days = day_range(startDate, endDate)
        return _body(request, dataset, days, id_list("locationId", locationId))

    return endpoint


def _presence(dataset: str) -> Endpoint:
    async def endpoint(
        request: Request,
        startDate: str = Query(description=DATE_HELP),
        endDate: str = Query(description=DATE_HELP),
        locationIds: str | None = Query(default=None, description="Comma-separated location ids."),
        userIds: str | None = Query(default=None, description="Comma-separated user ids."),
    ) -> Response:
        allowed = frozenset({"startDate", "endDate", "locationIds", "userIds"})
        check_params(request.query_params, allowed)
        days = day_range(startDate, endDate)
        locations, users = id_list("locationIds", locationIds), id_list("userIds", userIds)
        return _body(request, dataset, days, locations, users)

    return endpoint


def _change_log(dataset: str) -> Endpoint:
    async def endpoint(
        request: Request,
        startDate: str = Query(description=DATE_HELP),
        endDate: str = Query(description=DATE_HELP),
        userIds: str | None = Query(
            default=None, description="Comma-separated user ids; omitted: all users."
        ),
    ) -> Response:
        check_params(request.query_params, frozenset({"startDate", "endDate", "userIds"}))
        days = day_range(startDate, endDate)
        return _body(request, dataset, days, user_ids=id_list("userIds", userIds))

    return endpoint


_FACTORIES: dict[str, Callable[[str], Endpoint]] = {
    "users": _dimension,
    "groups": _dimension,
    "locations": _dimension,
    "desks": _dimension,
    "user-booking-attendance": _bookings,
    "presence": _presence,
    "change-log/user": _change_log,
}


def warehouse_router() -> APIRouter:
    """Routes for every dataset x (HMAC token, Basic) x (no slash, trailing slash)."""
    router = APIRouter(tags=["warehouse"])
    for dataset, factory in _FACTORIES.items():
        endpoint = factory(dataset)
        modes: tuple[tuple[AuthMode, str], ...] = (("bearer", ""), ("basic", "/basic"))
        for mode, suffix in modes:
            path = f"{ANALYTICS}{dataset}{suffix}"
            for route_path, documented in ((path, True), (f"{path}/", False)):
                router.add_api_route(
                    route_path,
                    endpoint,
                    methods=["GET"],
                    dependencies=[Depends(KeyAuth(mode, "warehouse"))],
                    response_class=StreamingResponse,
                    responses={200: {"model": RESPONSE_MODELS[dataset]}, **ERROR_RESPONSES},
                    include_in_schema=documented,
                    operation_id=f"get_{dataset.replace('/', '_').replace('-', '_')}_{mode}"
                    + ("" if documented else "_slash"),
                    summary=f"{dataset} ({'Basic' if mode == 'basic' else 'Bearer token'})",
                )
    return router
