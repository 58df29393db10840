"""The two token endpoints: ``POST /v1/auth`` (HMAC) and ``POST /v1/auth/token`` (client secret)."""

from __future__ import annotations

from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from sources.calven_sim.api.errors import ApiError, validation_message
from sources.calven_sim.api.models import (
    ERROR_RESPONSES,
    AuthRequest,
    AuthResponse,
    OAuthRequest,
    OAuthResponse,
)
from sources.calven_sim.api.security import simulator_of
from sources.calven_sim.requestlog import entry_in_scope

_FORM = "application/x-www-form-urlencoded"
_OAUTH_SCHEMA = OAuthRequest.model_json_schema()


def _note_key(request: Request, key_id: str) -> None:
    entry = entry_in_scope(request.scope)
    if entry is not None and key_id in {key.key_id for key in simulator_of(request).keys}:
        entry.key_id = key_id


async def hmac_token(request: Request, body: AuthRequest) -> JSONResponse:
    """Issues a token for ``hash`` = HMAC-SHA256(secret, apiKey + timestamp), ±300 s skew."""
    _note_key(request, body.apiKey)
    issued = simulator_of(request).auth.hmac_token(body.apiKey, body.timestamp, body.hash)
    return JSONResponse(
        {
            "authenticated": True,
            "message": "Authentication successful",
            "token": issued.token,
            "expiration": int(issued.expires_at),
        }
    )


async def _oauth_fields(request: Request) -> object:
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == _FORM:
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(400, "body must be JSON or form-encoded") from None


async def client_token(request: Request) -> JSONResponse:
    """Issues a token for ``client_id`` / ``client_secret`` (JSON or form body)."""
    try:
        body = OAuthRequest.model_validate(await _oauth_fields(request))
    except ValidationError as exc:
        raise ApiError(400, validation_message(exc.errors())) from None
    if body.grant_type not in (None, "client_credentials"):
        raise ApiError(400, "grant_type must be client_credentials")
    _note_key(request, body.client_id)
    sim = simulator_of(request)
    issued = sim.auth.client_token(body.client_id, body.client_secret)
    return JSONResponse(
        {
            "access_token": issued.token,
            "expires_in": int(sim.auth.token_ttl_seconds),
            "token_type": "Bearer",
        }
    )


def token_router() -> APIRouter:
    """Both token endpoints, with and without a trailing slash."""
    router = APIRouter(tags=["auth"])
    body_doc = {
        "required": True,
        "content": {t: {"schema": _OAUTH_SCHEMA} for t in ("application/json", _FORM)},
    }
    for suffix, documented in (("", True), ("/", False)):
        tail = "" if documented else "_slash"
        router.add_api_route(
            f"/v1/auth{suffix}",
            hmac_token,
            methods=["POST"],
            responses={200: {"model": AuthResponse}, **ERROR_RESPONSES},
            include_in_schema=documented,
            operation_id=f"post_auth{tail}",
            summary="Token from an API key and an HMAC",
        )
        router.add_api_route(
            f"/v1/auth/token{suffix}",
            client_token,
            methods=["POST"],
            responses={200: {"model": OAuthResponse}, **ERROR_RESPONSES},
            openapi_extra={"requestBody": body_doc},
            include_in_schema=documented,
            operation_id=f"post_auth_token{tail}",
            summary="Token from a client id and secret",
        )
    return router
