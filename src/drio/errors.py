"""The one error envelope: exception classes, the schema and the handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar, cast

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from drio.db.driver import DatabaseUnavailable
from drio.logging import current_request_id, log

Handler = Callable[[Request, Exception], Awaitable[JSONResponse]]


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable error code.")
    message: str = Field(description="Human-readable explanation.")
    details: dict[str, Any] | None = Field(
        default=None, description="Structured context, such as field errors."
    )
    request_id: str = Field(description="The request id, also in X-Request-Id.")


class ErrorEnvelope(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": "not_found",
                        "message": "The app was not found.",
                        "details": None,
                        "request_id": "266ea41d-adf5-480b-af50-15b940c2b846",
                    }
                }
            ]
        }
    )

    error: ErrorBody


class DrioError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "invalid_request"

    def __init__(
        self,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = dict(headers or {})


class InvalidRequest(DrioError):
    status_code = 400
    code = "invalid_request"


class Unauthorized(DrioError):
    status_code = 401
    code = "unauthorized"


class InsufficientScope(DrioError):
    status_code = 403
    code = "insufficient_scope"


class NotFound(DrioError):
    status_code = 404
    code = "not_found"

    def __init__(self, what: str = "resource", **kwargs: Any) -> None:
        super().__init__(f"The {what} was not found.", **kwargs)


class Conflict(DrioError):
    status_code = 409
    code = "conflict"


class SlugTaken(Conflict):
    code = "slug_taken"


class KeyTaken(Conflict):
    code = "key_taken"


class ResourceInUse(Conflict):
    code = "resource_in_use"


class NothingToPublish(Conflict):
    code = "nothing_to_publish"


class IdempotencyKeyInUse(Conflict):
    code = "idempotency_key_in_use"


class PreconditionFailed(DrioError):
    status_code = 412
    code = "precondition_failed"


class PayloadTooLarge(DrioError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(DrioError):
    status_code = 415
    code = "unsupported_media_type"


class ValidationFailed(DrioError):
    status_code = 422
    code = "validation_failed"

    @classmethod
    def field(
        cls, field: str, message: str, type_: str = "value_error"
    ) -> ValidationFailed:
        return cls(
            f"The request is invalid: {field}: {message}",
            details={"errors": [{"field": field, "message": message, "type": type_}]},
        )


class DraftInvalid(DrioError):
    status_code = 422
    code = "draft_invalid"


class IdempotencyKeyReused(DrioError):
    status_code = 422
    code = "idempotency_key_reused"


class ServiceUnavailable(DrioError):
    status_code = 503
    code = "service_unavailable"


def _request_id(request: Request | None) -> str:
    if request is not None:
        value = getattr(request.state, "request_id", None)
        if isinstance(value, str):
            return value
    return current_request_id()


def error_response(
    status_code: int,
    code: str,
    message: str,
    *,
    request_id: str,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {
        "error": {
            "code": code,
            "message": message,
            "details": details,
            "request_id": request_id,
        }
    }
    return JSONResponse(body, status_code=status_code, headers=dict(headers or {}))


def internal_error_response(request_id: str) -> JSONResponse:
    return error_response(
        500,
        "internal_error",
        "The server failed to handle this request; it has been logged.",
        request_id=request_id,
    )


def _field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    # Body fields and query parameters are named bare (`branding.primary_color`,
    # `limit`), as the errors raised by hand name them.
    if parts and parts[0] in ("body", "query"):
        parts = parts[1:]
    return ".".join(parts) if parts else "body"


_FRIENDLY = {
    "extra_forbidden": "Unknown field.",
    "missing": "Field required.",
}


async def _handle_drio_error(request: Request, exc: DrioError) -> JSONResponse:
    if exc.status_code >= 500:
        log.warning("http.service_unavailable", code=exc.code, message=exc.message)
    return error_response(
        exc.status_code,
        exc.code,
        exc.message,
        request_id=_request_id(request),
        details=exc.details,
        headers=exc.headers,
    )


async def _handle_validation_error(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    raw = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        return error_response(
            400,
            "invalid_request",
            "The request body is not valid JSON.",
            request_id=_request_id(request),
        )
    errors = [
        {
            "field": _field_name(e.get("loc", ())),
            "message": _FRIENDLY.get(e.get("type", ""), e.get("msg", "Invalid value.")),
            "type": e.get("type", "value_error"),
        }
        for e in raw
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
    return error_response(
        422,
        "validation_failed",
        f"The request is invalid: {summary}" if summary else "The request is invalid.",
        request_id=_request_id(request),
        details={"errors": errors},
    )


def _allowed_methods(request: Request) -> str:
    """Every method some route of this path takes (Starlette names only the first)."""
    allowed = [
        method
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    if "GET" in allowed:
        # drio.http.HeadAsGetMiddleware answers HEAD wherever GET is served.
        allowed.insert(1, "HEAD")
    return ", ".join(allowed)


_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "insufficient_scope",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    503: "service_unavailable",
}


async def _handle_http_exception(
    request: Request, exc: StarletteHTTPException
) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "invalid_request")
    if exc.status_code == 404:
        message = "No such route."
    elif exc.status_code == 405:
        message = f"Method {request.method} is not allowed on this route."
        headers = {**(exc.headers or {}), "Allow": _allowed_methods(request)}
        return error_response(
            405,
            "method_not_allowed",
            message,
            request_id=_request_id(request),
            headers=headers,
        )
    else:
        message = str(exc.detail)
    return error_response(
        exc.status_code,
        code,
        message,
        request_id=_request_id(request),
        headers=exc.headers,
    )


async def _handle_database_unavailable(
    request: Request, exc: Exception
) -> JSONResponse:
    log.warning("db.unavailable", error=type(exc).__name__)
    return error_response(
        503,
        "service_unavailable",
        "The database is unavailable; try again shortly.",
        request_id=_request_id(request),
        headers={"Retry-After": "5"},
    )


# Raised when PostgreSQL cannot be reached or the pool is exhausted: the request can
# be retried, so it is a 503, not a bug.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    DatabaseUnavailable,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    ConnectionError,
    TimeoutError,
)


def _raised_by_database_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith("asyncpg."):
            return True
        tb = tb.tb_next
    return False


async def _handle_os_error(request: Request, exc: Exception) -> JSONResponse:
    """An OSError from connecting to PostgreSQL is a 503; any other is a bug.

    A stopped server reached by a Unix socket (the embedded database) takes its socket
    file with it, so connecting raises FileNotFoundError, which is no ConnectionError.
    """
    if _raised_by_database_driver(exc):
        return await _handle_database_unavailable(request, exc)
    raise exc


async def _handle_dbapi_error(request: Request, exc: Exception) -> JSONResponse:
    """A statement cut off by a lost connection is a 503; any other failure is a bug.

    When PostgreSQL ends a backend (a restart, a failover, an administrator) while a
    statement runs, asyncpg reports a generic error that SQLAlchemy marks as a
    disconnect.
    """
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return await _handle_database_unavailable(request, exc)
    raise exc


def install_error_handlers(api: FastAPI) -> None:
    for exception in DATABASE_UNAVAILABLE:
        api.add_exception_handler(exception, _handle_database_unavailable)
    api.add_exception_handler(OSError, _handle_os_error)
    api.add_exception_handler(sqlalchemy.exc.DBAPIError, _handle_dbapi_error)
    api.add_exception_handler(DrioError, cast(Handler, _handle_drio_error))
    api.add_exception_handler(
        RequestValidationError, cast(Handler, _handle_validation_error)
    )
    api.add_exception_handler(
        StarletteHTTPException, cast(Handler, _handle_http_exception)
    )


ERROR_DESCRIPTIONS = {
    400: "Malformed request (bad JSON, cursor or header).",
    401: "Missing or invalid bearer token.",
    403: "The token lacks the needed scope.",
    404: "Unknown resource, or one the caller cannot see.",
    409: "Conflict with the current state.",
    412: "If-Match did not match the draft revision.",
    413: "Request body too large.",
    415: "Request body is not JSON.",
    422: "Well-formed but invalid input.",
    503: "A dependency (database, signing keys) is unavailable.",
}


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting a route's error statuses."""
    return {
        code: {
            "model": ErrorEnvelope,
            "description": ERROR_DESCRIPTIONS.get(code, "Error."),
        }
        for code in status_codes
    }
