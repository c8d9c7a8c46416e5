"""Structured logging (structlog bridged to stdlib) and per-request context."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from drio.settings import LogFormat, Settings

log = structlog.get_logger("drio")

_SENSITIVE_KEY = re.compile(
    r"(authorization|token|secret|password|api_key|apikey|cookie|private|credential)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")

_SAFE_KEYS = frozenset({"token_kind", "secrets_set"})


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _JWT.sub("[redacted]", _BEARER.sub("Bearer [redacted]", value))
    if isinstance(value, dict):
        return {
            k: "[redacted]"
            if _SENSITIVE_KEY.search(str(k)) and k not in _SAFE_KEYS
            else _scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def redact(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Drop values that look like tokens, secrets or keys from every log line."""
    for key in list(event_dict):
        if _SENSITIVE_KEY.search(key) and key not in _SAFE_KEYS:
            event_dict[key] = "[redacted]"
        else:
            event_dict[key] = _scrub(event_dict[key])
    return event_dict


def configure_logging(settings: Settings) -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # With several workers, the process tells whose line it is.
        structlog.processors.CallsiteParameterAdder(
            [structlog.processors.CallsiteParameter.PROCESS]
        ),
        structlog.processors.format_exc_info,
        redact,
    ]
    renderer: Any
    if settings.log_format is LogFormat.json:
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)

    structlog.configure(
        processors=[
            *shared[:-2],
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.processors.format_exc_info,
            redact,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level.upper())
    # uvicorn's own access log would duplicate ours, without the context.
    logging.getLogger("uvicorn.access").handlers = []
    logging.getLogger("uvicorn.access").propagate = False
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def route_template(scope: Scope) -> str | None:
    """The matched route's full path template, such as /api/v2/apps/{app_id}.

    FastAPI may hand over the route of an included router, whose path lacks the
    prefixes it was included under. Those prefixes are the part of the request path
    before the route's own pattern matches, so they are put back from there.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    pattern = getattr(route, "path_regex", None)
    if not isinstance(template, str):
        return None
    path: str = scope.get("path", "")
    if pattern is None or path == template:
        return template
    for start in range(len(path)):
        if path[start] == "/" and pattern.fullmatch(path[start:]):
            return path[:start] + template
    return template


def current_request_id() -> str:
    value = structlog.contextvars.get_contextvars().get("request_id")
    return value if isinstance(value, str) else str(uuid.uuid4())


class RequestContextMiddleware:
    """Binds a request id and the route to the log context; logs one access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                candidate = value.decode("latin-1")
                if _REQUEST_ID.match(candidate):
                    request_id = candidate
                break
        request_id = request_id or str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id

        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            request_id=request_id, method=scope["method"], path=scope["path"]
        )
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        started_response = False

        async def send_tracking(message: Message) -> None:
            nonlocal started_response
            if message["type"] == "http.response.start":
                started_response = True
            await send_with_id(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception:
            # UnhandledErrorMiddleware answers first; this is the last resort for an
            # error in the middleware between the two.
            if started_response:
                raise
            log.exception("http.unhandled_error")
            from drio.errors import internal_error_response

            await internal_error_response(request_id)(scope, receive, send_with_id)
        finally:
            log.info(
                "http.request",
                status=status,
                route=route_template(scope),
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            structlog.contextvars.clear_contextvars()


class UnhandledErrorMiddleware:
    """Answers an unhandled exception with the 500 envelope, and logs its traceback.

    It sits inside the CORS middleware, so a browser can read that 500 like any other
    error; RequestContextMiddleware, outside both, still writes the access line.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started_response = False

        async def send_tracking(message: Message) -> None:
            nonlocal started_response
            if message["type"] == "http.response.start":
                started_response = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception:
            # Every 500 is a bug: log it with its traceback, answer in the envelope.
            log.exception("http.unhandled_error")
            if started_response:
                raise
            from drio.errors import internal_error_response

            request_id = scope.get("state", {}).get("request_id")
            if not isinstance(request_id, str):
                request_id = current_request_id()
            await internal_error_response(request_id)(scope, receive, send)
