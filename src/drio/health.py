"""Liveness and readiness probes for orchestrators; not part of the public API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    expected = request.app.state.head_revision
    try:
        async with request.app.state.engine.connect() as connection:
            current = await connection.scalar(
                text("SELECT version_num FROM alembic_version")
            )
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
                "schema": current,
                "expected": expected,
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok", "schema": current})
