"""DrioRoute: the request pipeline every API route shares.

It checks and parses the JSON body, opens the request's one transaction, applies
Idempotency-Key for POSTs, runs the route, and commits. GET and HEAD run without a
transaction: their statements are reads, each with its own snapshot either way. A failed commit raises, so the
client sees the error envelope, never a 2xx for work that was not saved.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from drio import idempotency
from drio.auth.dependencies import SECURITY_SCHEME, authenticate
from drio.errors import (
    InvalidRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)

# Every route of the public API lives under this prefix; each resource router
# declares it in its own prefix, so that its routes can be added to the application
# as they are (see drio.api.mount).
API_PREFIX = "/api/v2"
MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 64
_INT64 = (-(2**63), 2**63 - 1)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Reads run without a transaction (see drio.db.engine.create_read_sessionmaker).
_SAFE_METHODS = frozenset({"GET", "HEAD"})

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > MAX_BODY_BYTES:
                raise PayloadTooLarge("The request body is larger than 1 MiB.")
        except ValueError as exc:
            raise InvalidRequest("Content-Length is not a number.") from exc
    chunks: list[bytes] = []
    size = 0
    # Counted as it streams, so a chunked body is cut off without being held whole.
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise PayloadTooLarge("The request body is larger than 1 MiB.")
            chunks.append(chunk)
    except ClientDisconnect as exc:
        # The client is gone and no answer will reach it; a 400 keeps it out of the
        # log's unhandled errors, which are all bugs.
        raise InvalidRequest("The client disconnected before the body ended.") from exc
    return b"".join(chunks)


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _reject_constant(name: str) -> Any:
    raise ValidationFailed.field(
        "body", f"{name} is not a valid JSON number", "number_invalid"
    )


def _parse_int(text: str) -> int:
    # Python refuses to convert integers of more than 4,300 digits with a ValueError
    # that is not a JSONDecodeError; anything past 20 digits is outside 64-bit range.
    if len(text.lstrip("-")) > 20:
        raise ValidationFailed.field("body", "number outside 64-bit range", "int_range")
    return int(text)


def _check_text(text: str, path: str) -> None:
    if "\x00" in text:
        raise ValidationFailed.field(
            path or "body", "NUL characters are not allowed", "string_nul"
        )
    try:
        text.encode()
    except UnicodeEncodeError as exc:
        # JSON may escape lone surrogates (\ud800) that no UTF-8 text can hold.
        raise ValidationFailed.field(
            path or "body", "lone UTF-16 surrogates are not allowed", "string_unicode"
        ) from exc


def _check_values(value: Any, path: str = "", depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ValidationFailed.field(
            path or "body", "nesting is deeper than 64", "too_deep"
        )
    if isinstance(value, str):
        _check_text(value, path)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise ValidationFailed.field(
                path or "body", "number outside 64-bit range", "int_range"
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationFailed.field(
                path or "body", "number is not finite", "number_invalid"
            )
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_text(k, path)
            _check_values(v, f"{path}.{k}" if path else k, depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_values(v, f"{path}.{i}" if path else str(i), depth + 1)


async def _prepare_body(request: Request) -> bytes:
    body = await _read_body(request)
    if body:
        if not _is_json(request.headers.get("content-type")):
            raise UnsupportedMediaType("The request body must be application/json.")
        try:
            # Decoded here, not by json.loads, which would also take UTF-16 and -32.
            # A leading byte order mark is ignored, as RFC 8259 allows.
            parsed = json.loads(
                body.decode("utf-8-sig"),
                parse_constant=_reject_constant,
                parse_int=_parse_int,
            )
        except UnicodeDecodeError as exc:
            raise InvalidRequest("The request body is not valid UTF-8.") from exc
        except json.JSONDecodeError as exc:
            raise InvalidRequest(
                f"The request body is not valid JSON ({exc.msg})."
            ) from exc
        except RecursionError as exc:
            raise ValidationFailed.field(
                "body", "nesting is too deep", "too_deep"
            ) from exc
        _check_values(parsed)
        # Starlette caches both; FastAPI then reuses them instead of parsing again.
        request._json = parsed
    request._body = body
    return body


class DrioRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # Every API route takes a bearer token. The requirement is declared here rather
        # than by a security dependency, which FastAPI would solve on every request.
        extra = kwargs.get("openapi_extra") or {}
        kwargs["openapi_extra"] = {"security": [{SECURITY_SCHEME: []}], **extra}
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            body = (
                await _prepare_body(request) if request.method in _BODY_METHODS else b""
            )
            if request.method in _SAFE_METHODS:
                # Opened on first use: reads served from the driver need none.
                request.state.session_factory = request.app.state.read_sessionmaker
                try:
                    return await handler(request)
                finally:
                    session = getattr(request.state, "session", None)
                    if session is not None:
                        await session.close()
            key = idempotency.read_key(request) if request.method == "POST" else None
            sessionmaker = request.app.state.sessionmaker
            async with sessionmaker() as session:
                request.state.session = session
                async with session.begin():
                    if key is None:
                        return await handler(request)
                    principal = await authenticate(request)
                    print_ = idempotency.fingerprint(request, body)
                    replay = await idempotency.claim(
                        session, tenant_id=principal.tenant_id, key=key, print_=print_
                    )
                    if replay is not None:
                        return replay
                    response = await handler(request)
                    if 200 <= response.status_code < 300:
                        await idempotency.store(
                            session,
                            tenant_id=principal.tenant_id,
                            key=key,
                            print_=print_,
                            response=response,
                        )
                    return response

        return run


def operation_id(route: APIRoute) -> str:
    """operationIds are the route functions' verb_noun names: stable for clients."""
    return route.name


def api_router(path: str, *, tags: list[str] | None = None) -> APIRouter:
    """A resource router whose routes sit at API_PREFIX + `path` and run DrioRoute.

    The full prefix is the router's own, so that its routes can join the
    application's flat list as they are (see drio.api.mount).
    """
    return APIRouter(
        prefix=API_PREFIX + path,
        tags=list(tags or []),
        route_class=DrioRoute,
        generate_unique_id_function=operation_id,
    )
