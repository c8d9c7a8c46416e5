"""Liveness and readiness probes for orchestrators; not part of the public API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> JSONResponse:
    """The process is up; no database call."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the latest migration."""
    expected: frozenset[str] | None = request.app.state.head_revisions
    try:
        async with request.app.state.engine.connect() as connection:
            # A database never migrated has no alembic_version table: that is a
            # schema behind, not an unreachable database.
            migrated = await connection.scalar(
                text("SELECT to_regclass('alembic_version') IS NOT NULL")
            )
            current: frozenset[str] = frozenset()
            if migrated:
                rows = await connection.scalars(
                    text("SELECT version_num FROM alembic_version")
                )
                current = frozenset(rows)
    except (SQLAlchemyError, OSError) as exc:
        return JSONResponse(
            {
                "status": "unavailable",
                "database": "unreachable",
                "error": type(exc).__name__,
            },
            status_code=503,
        )
    if expected is not None and current != expected:
        return JSONResponse(
            {
                "status": "unavailable",
                "database": "ok",
                "schema": sorted(current),
                "expected": sorted(expected),
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok", "schema": sorted(current)})
