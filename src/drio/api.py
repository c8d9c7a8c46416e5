"""The /api/v2 routes, mounted from the resource routers."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from drio import me
from drio.apps import router as apps
from drio.auth_connections import router as auth_connections
from drio.catalogs import router as catalogs
from drio.drafts import router as drafts
from drio.integrations import router as integrations
from drio.releases import router as releases
from drio.starter_templates import register_starters
from drio.tools import router as tools
from drio.widgets import router as widgets

PREFIX = "/api/v2"
RESOURCE_ROUTERS: tuple[APIRouter, ...] = (
    me.router,
    apps.router,
    drafts.router,
    releases.router,
    catalogs.router,
    auth_connections.router,
    integrations.router,
    tools.router,
    widgets.router,
)


def include_api_routers(api: FastAPI) -> None:
    """Mount every resource router under /api/v2.

    Each is mounted on the application itself rather than on one /api/v2 router:
    every level of nested routers is matched anew on every request (issue 6, P1).
    """
    register_starters()
    for router in RESOURCE_ROUTERS:
        api.include_router(router, prefix=PREFIX)
