"""Counting the SQL statements a request sends, for tests and benchmarks.

`install(engine)` hooks the engine's `before_cursor_execute` event once; statements
sent on the driver directly (drio.db.driver) count themselves with `record`. Statements
are counted only inside `count_queries()`, which puts a fresh counter in a context
variable: the event runs in the same context as the request's task (SQLAlchemy's
greenlet bridge keeps it), so concurrent requests each see their own count.

BEGIN, COMMIT and ROLLBACK are not cursor executions, so they are not counted here;
a request's round trips are its statements plus its transaction boundaries.

With the `debug_query_count` setting on, `QueryCountMiddleware` answers every request
with an `X-Query-Count` header. It is off by default: the count is a debugging aid,
not something to show every client.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-query-count"


@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


_current: ContextVar[QueryCounter | None] = ContextVar(
    "drio_query_counter", default=None
)


def record(statement: str) -> None:
    """Count a statement sent past SQLAlchemy's events (see drio.db.driver)."""
    counter = _current.get()
    if counter is not None:
        counter.statements.append(statement)


def _on_execute(
    _conn: Any,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    record(statement)


def install(engine: AsyncEngine) -> None:
    """Hook the counter on an engine; idempotent."""
    target = engine.sync_engine
    if not event.contains(target, "before_cursor_execute", _on_execute):
        event.listen(target, "before_cursor_execute", _on_execute)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    """Count the statements executed in this context until the block ends."""
    counter = QueryCounter()
    token = _current.set(counter)
    try:
        yield counter
    finally:
        _current.reset(token)


class QueryCountMiddleware:
    """Adds `X-Query-Count` to every response (only when the debug setting is on)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with count_queries() as counter:

            async def send_with_count(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    headers.append((HEADER, str(counter.count).encode()))
                    message["headers"] = headers
                await send(message)

            await self.app(scope, receive, send_with_count)
