"""Reads sent on a pooled connection's asyncpg driver, past SQLAlchemy's execution.

The hottest reads (an app by id, on every dashboard view and before every route
under an app) spent more time in SQLAlchemy's execution machinery than in the query
(issue 6, P1: about 185 µs of CPU against 60 µs for the same statement sent on the
driver). `fetch_row` takes a connection from the engine's own pool, so there is still
one pool and one set of connections, and sends one statement without a transaction:
under READ COMMITTED a lone statement sees the same snapshot either way.

What SQLAlchemy would otherwise do is done here: the statement is counted for
`drio.db.querycount`, a connection the server dropped is thrown out of the pool, and
losing the database is reported as `DatabaseUnavailable` (a 503), never a 500.
Statements come from SQLAlchemy selects compiled once (`compile_select`), so the
columns are still declared in one place, the models.
"""

from __future__ import annotations

import warnings
import weakref
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Engine, Select, event
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import MissingGreenlet
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection, QueuePool
from sqlalchemy.util.concurrency import greenlet_spawn

from drio.db import querycount

# What a lost or unreachable database raises from asyncpg: the socket is gone, the
# server ended the backend (a restart, a failover, an administrator), or it refuses
# new connections while it starts or stops.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
)


class DatabaseUnavailable(Exception):
    """PostgreSQL could not be reached, or dropped the connection mid-statement."""


@dataclass(frozen=True, slots=True)
class CompiledSelect:
    """A select as asyncpg takes it: SQL with $n placeholders, and their names."""

    sql: str
    parameters: tuple[str, ...]

    def arguments(self, values: dict[str, Any]) -> list[Any]:
        return [values[name] for name in self.parameters]


def compile_select(statement: Select[Any]) -> CompiledSelect:
    """Compile a select with named bindparams for `fetch_row`, once, at import."""
    compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
    return CompiledSelect(compiled.string, tuple(compiled.positiontup or ()))


def _is_unavailable(exc: BaseException) -> bool:
    # SQLAlchemy wraps a failure to connect in its own exceptions; their origin is
    # what tells an unreachable database from a bug.
    origin = getattr(exc, "orig", None)
    return isinstance(exc, _UNAVAILABLE) or isinstance(origin, _UNAVAILABLE)


def _idle_connection(engine: AsyncEngine) -> PoolProxiedConnection | None:
    """A connection idle in the pool, taken without any I/O; None if there is none.

    SQLAlchemy's asyncio bridge runs every pool operation in a new greenlet, and on
    Python 3.11 each greenlet maps and unmaps memory for its frames: two of them per
    read cost more than the read's own CPU (issue 6, P1). Taking a connection that is
    already idle needs no I/O, so it is taken directly; when the pool would have to
    connect (none idle, or an idle one must reconnect), SQLAlchemy needs its bridge,
    and the caller goes through it.
    """
    sync_engine = engine.sync_engine
    pool = sync_engine.pool
    if not isinstance(pool, QueuePool) or pool.checkedin() == 0:
        return None
    if sync_engine in _settled:
        # No connection of this engine was ever invalidated: an idle one is live.
        return sync_engine.raw_connection()
    # After the database dropped connections, an idle one may have to reconnect.
    # SQLAlchemy then creates the driver's connect coroutine before it finds no
    # greenlet to run it in, and drops it unawaited: that warning says nothing here,
    # so it is silenced for this call alone (which never awaits, so no other request
    # runs inside it).
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="coroutine .* was never awaited", category=RuntimeWarning
        )
        try:
            return sync_engine.raw_connection()
        except MissingGreenlet:
            # The pool put the connection record back; the caller reconnects it
            # through the bridge.
            return None


# Engines watched by `install` whose pool has not invalidated a connection yet.
_settled: weakref.WeakSet[Engine] = weakref.WeakSet()


def install(engine: AsyncEngine) -> None:
    """Watch an engine's pool, so driver reads know when a reconnect may be due.

    An engine never installed is treated as one whose connections may need it.
    """
    sync_engine = engine.sync_engine

    def unsettle(*_args: Any) -> None:
        _settled.discard(sync_engine)

    for name in ("invalidate", "soft_invalidate"):
        event.listen(sync_engine, name, unsettle)
    _settled.add(sync_engine)


async def fetch_row(
    engine: AsyncEngine, statement: CompiledSelect, values: dict[str, Any]
) -> asyncpg.Record | None:
    """The first row of one read statement, sent outside any transaction."""
    querycount.record(statement.sql)
    pooled = _idle_connection(engine)
    bridged = pooled is None
    try:
        if pooled is None:
            pooled = await engine.raw_connection()
    except Exception as exc:
        if _is_unavailable(exc):
            raise DatabaseUnavailable(type(exc).__name__) from exc
        raise
    try:
        connection: asyncpg.Connection = pooled.driver_connection
        row: asyncpg.Record | None = await connection.fetchrow(
            statement.sql, *statement.arguments(values)
        )
        return row
    except _UNAVAILABLE as exc:
        # The pool must not hand this connection out again.
        pooled.invalidate(exc if isinstance(exc, Exception) else None)
        bridged = True
        raise DatabaseUnavailable(type(exc).__name__) from exc
    finally:
        if bridged:
            # Closing a connection, or one SQLAlchemy opened, may need I/O.
            await greenlet_spawn(pooled.close)
        else:
            # No transaction was begun, so returning it to the pool sends nothing.
            pooled.close()
