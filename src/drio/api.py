"""The /api/v2 router, assembled from the resource routers."""

from __future__ import annotations

from fastapi import APIRouter

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


def build_api_router() -> APIRouter:
    register_starters()
    router = APIRouter(prefix="/api/v2")
    router.include_router(me.router)
    router.include_router(apps.router)
    router.include_router(drafts.router)
    router.include_router(releases.router)
    router.include_router(catalogs.router)
    router.include_router(auth_connections.router)
    router.include_router(integrations.router)
    router.include_router(tools.router)
    router.include_router(widgets.router)
    return router
