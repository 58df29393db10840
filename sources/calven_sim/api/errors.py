"""The one error shape every simulator response uses, and the handlers that enforce it.

Calven documents no error bodies, so the simulator answers every failure (its own 400/401/403,
Starlette's 404/405, FastAPI's 422 and any unexpected exception) with
``{"statusCode", "error", "message"}`` as the README's API assumptions state.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """A request the simulated API refuses, with the status and message the client sees.

    Messages are written by the simulator itself and never quote credentials.
    """

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.headers = headers or {}


class DropConnection(Exception):
    """Raised to make the server close a connection mid-response (the ``reset`` fault)."""


def error_body(status: int, message: str) -> dict[str, object]:
    """Builds the documented error object for a status code."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"statusCode": status, "error": phrase, "message": message}


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON error response in the documented shape."""
    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


def validation_message(errors: Sequence[Any]) -> str:
    """A short message from pydantic errors: where and what, never the offending input."""
    # The input is left out on purpose: it may be a secret (client_secret, hash).
    parts = []
    for error in errors[:5]:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "header")]
        where = ".".join(loc) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    """Routes every exception FastAPI or Starlette can raise to the documented error shape."""

    async def on_api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.message, exc.headers)

    async def on_http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return error_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))

    async def on_validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(400, validation_message(exc.errors()))

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, DropConnection):
            logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal simulator error")

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
