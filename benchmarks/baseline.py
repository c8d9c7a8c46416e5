"""The bare yardstick for the read path: FastAPI + asyncpg, one row by id, as JSON.

No auth, no ORM, no transaction, no logging. It reads the same `apps` row drio's
GET /api/v2/apps/{id} reads, from the same database, and runs under uvicorn with the
same worker count. Start it as `uvicorn benchmarks.baseline:create_app --factory`
with DATABASE_URL set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, HTTPException, Request

QUERY = """
SELECT id, tenant_id, slug, name, description, company_url, server_instructions,
       branding::text AS branding, public_mcp_id, starter_template_id,
       current_draft_id, latest_release_id, created_at, updated_at
FROM apps WHERE id = $1
"""


def _dsn() -> str:
    url = os.environ["DATABASE_URL"]
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(_dsn(), min_size=1, max_size=10)
    try:
        yield
    finally:
        await app.state.pool.close()


def create_app() -> FastAPI:
    app = FastAPI(lifespan=lifespan, openapi_url=None)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/apps/{app_id}")
    async def get_app(request: Request, app_id: str) -> dict[str, Any]:
        row = await request.app.state.pool.fetchrow(QUERY, app_id)
        if row is None:
            raise HTTPException(status_code=404)
        return dict(row)

    return app
