"""Errors at the API edge: every failure answers ``{"error": {"code", "message"}}``.

Our own exceptions (``indexer.errors.IndexerError`` and subclasses) get their status from
``STATUS`` (default 400); FastAPI's validation errors become 422 with a readable message;
unknown routes keep their 404/405; anything unexpected is a 500 whose body never contains a
stack trace (the trace goes to the server log only).
"""

from __future__ import annotations

import logging
import re
import sqlite3

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexer.errors import (
    DocumentNotFoundError,
    IndexerError,
    IndexNotFoundError,
    InvalidQueryError,
    ReferenceNotFoundError,
)
from service.live.damage import CATALOG, for_clients
from service.web.timeout import ClientGoneError, RequestTimeoutError

log = logging.getLogger(__name__)

STATUS_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 422: "invalid"}


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status)


def error_code(exc: BaseException) -> str:
    """``DocumentNotFoundError`` → ``document_not_found``."""
    name = type(exc).__name__.removesuffix("Error")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() or "error"


# The HTTP status of each of our exceptions: decided here, at the edge (the core raises what
# went wrong, not how HTTP says it). The nearest class in an exception's MRO wins; 400 else.
STATUS: dict[type[IndexerError], int] = {
    InvalidQueryError: 422,
    DocumentNotFoundError: 404,
    ReferenceNotFoundError: 404,
    IndexNotFoundError: 503,  # no usable index (missing, old format, damaged)
    RequestTimeoutError: 503,
    ClientGoneError: 503,
}


def status_for(exc: IndexerError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def validation_message(exc: RequestValidationError) -> str:
    """One line naming each bad parameter: ``k: Input should be less than or equal to 100``."""
    parts = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")]
        where = ".".join(loc) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


# Starlette types every handler as taking Exception; each narrows to the class it is for.
async def _own_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IndexerError)
    return error_response(status_for(exc), error_code(exc), str(exc))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, "invalid_request", validation_message(exc))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = STATUS_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such endpoint: {request.url.path} (see /docs)"
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


async def _damaged(request: Request, exc: Exception) -> JSONResponse:
    """A damaged catalog page met while serving: 503 naming the part and the repair."""
    damaged = for_clients(CATALOG)
    log.error("index damaged (%s while serving %s): %s", exc, request.url.path, damaged)
    return error_response(503, error_code(damaged), str(damaged))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s", request.url.path)
    return error_response(500, "internal_error", "internal error; see the server log")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IndexerError, _own_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(sqlite3.DatabaseError, _damaged)
    app.add_exception_handler(Exception, _unexpected)
