"""Structured logging (structlog, with the standard library's lines rendered alike)
and per-request context."""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TextIO

import orjson
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.typing import Processor

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
    for key, value in event_dict.items():
        sensitive = _sensitive_keys.get(key)
        if sensitive is None:
            sensitive = _sensitive_keys[key] = (
                _SENSITIVE_KEY.search(key) is not None and key not in _SAFE_KEYS
            )
        if sensitive:
            event_dict[key] = "[redacted]"
        elif isinstance(value, str):
            # Most values hold neither pattern; the substitutions run only on those
            # that might.
            if _MAYBE_SECRET.search(value) is not None:
                event_dict[key] = _scrub(value)
        elif not isinstance(value, int | float | bool | None):
            event_dict[key] = _scrub(value)
    return event_dict


# Field names seen so far and whether they are sensitive: the same few names recur
# on every line.
_sensitive_keys: dict[str, bool] = {}
_MAYBE_SECRET = re.compile(r"(?i)bearer|eyJ")


def _json_line(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> str:
    return orjson.dumps(event_dict, default=str).decode()


# Control characters a terminal would act on (escape sequences, NUL, line breaks).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class _ConsoleLine:
    """The console renderer, with control characters in values escaped.

    Values such as a request path carry whatever the client sent; the JSON renderer
    escapes them, the console one would print them raw to a terminal.
    """

    renderer: Processor

    def __call__(
        self, logger: Any, name: str, event_dict: MutableMapping[str, Any]
    ) -> Any:
        for key, value in event_dict.items():
            # A traceback's line breaks are the console renderer's to lay out.
            if key != "exception" and isinstance(value, str) and _CONTROL.search(value):
                event_dict[key] = _CONTROL.sub(
                    lambda found: f"\\x{ord(found.group()):02x}", value
                )
        return self.renderer(logger, name, event_dict)


@dataclass
class _Output:
    """Where log lines go and how they look; `configure_logging` sets it."""

    level: int = logging.INFO
    render: Processor = field(default=_json_line)
    # None: whatever sys.stderr is when a line is written.
    stream: TextIO | None = None
    # The root logger's handler, for other libraries' lines.
    handler: logging.StreamHandler[TextIO] | None = None

    def write(self, line: str) -> None:
        stream = self.stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()


_output = _Output()


class LineLogger:
    """structlog's logger for drio's own lines: one write of a rendered line.

    drio's lines skip the standard library's logging (records, handlers, locks): on
    a cached read the access line cost a tenth of the request (issue 6, P1). Lines
    of other libraries still go through it, rendered alike (`configure_logging`).
    """

    def __init__(self, name: str = "drio") -> None:
        self.name = name

    def msg(self, line: str) -> None:
        _output.write(line)

    debug = info = warning = warn = error = critical = exception = fatal = msg


def _line_logger(name: str = "drio", *_args: Any) -> LineLogger:
    return LineLogger(name)


_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}


def _drop_below_level(
    _logger: Any, method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    if _LEVELS.get(method, logging.INFO) < _output.level:
        raise structlog.DropEvent
    return event_dict


def _add_process(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    # With several workers, the process tells whose line it is.
    event_dict["process"] = os.getpid()
    return event_dict


def _render(_logger: Any, name: str, event_dict: MutableMapping[str, Any]) -> Any:
    return _output.render(_logger, name, event_dict)


# The fields every log line of the request being served carries. One dictionary per
# request, set by RequestContextMiddleware: structlog's own context variables copy
# and scan the whole context on every bind and clear, which cost more than the rest
# of the access line (issue 6, P1).
_request_fields: ContextVar[dict[str, Any] | None] = ContextVar(
    "drio_request_log_fields", default=None
)


def bind(**fields: Any) -> None:
    """Add fields to every later log line of the current request (none outside one)."""
    current = _request_fields.get()
    if current is not None:
        current.update(fields)


def _merge_request_fields(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    current = _request_fields.get()
    if current:
        for key, value in current.items():
            event_dict.setdefault(key, value)
    return event_dict


_SHARED: list[Processor] = [
    _merge_request_fields,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    _add_process,
    structlog.processors.format_exc_info,
    redact,
]

# drio's own loggers are configured once, for the life of the process: a logger
# caches its processors on first use. Level, format and stream are read from
# `_output` on every line, so `configure_logging` can change them later.
structlog.configure(
    processors=[_drop_below_level, *_SHARED, _render],
    logger_factory=_line_logger,
    wrapper_class=structlog.make_filtering_bound_logger(logging.NOTSET),
    cache_logger_on_first_use=True,
)


def configure_logging(settings: Settings) -> None:
    _output.level = logging.getLevelNamesMapping()[settings.log_level.upper()]
    if settings.log_format is LogFormat.json:
        _output.render = _json_line
    else:
        _output.render = _ConsoleLine(structlog.dev.ConsoleRenderer(colors=False))
    _output.stream = None
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED[:-2],
        processors=[
            structlog.processors.format_exc_info,
            redact,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _render,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    _output.handler = handler
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level.upper())
    # uvicorn's own access log would duplicate ours, without the context.
    logging.getLogger("uvicorn.access").handlers = []
    logging.getLogger("uvicorn.access").propagate = False
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


def redirect(stream: TextIO | None) -> None:
    """Send every log line (drio's and other libraries') to `stream` (for tests).

    None sends them back to standard error.
    """
    _output.stream = stream
    if _output.handler is not None:
        _output.handler.setStream(stream or sys.stderr)


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
    current = _request_fields.get() or {}
    value = current.get("request_id")
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
                # A token-shaped id would be redacted from the log, so it could
                # never be matched to its line.
                if _REQUEST_ID.match(candidate) and not _JWT.search(candidate):
                    request_id = candidate
                break
        request_id = request_id or str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        fields = _request_fields.set(
            {"request_id": request_id, "method": scope["method"], "path": scope["path"]}
        )
        status: int | None = None
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

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # UnhandledErrorMiddleware answers first; this is the last resort for an
            # error in the middleware between the two.
            if status is not None:
                raise
            log.exception("http.unhandled_error")
            from drio.errors import internal_error_response

            await internal_error_response(request_id)(scope, receive, send_with_id)
        finally:
            log.info(
                "http.request",
                status=500 if status is None else status,
                route=route_template(scope),
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            _request_fields.reset(fields)


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
