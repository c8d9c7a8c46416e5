"""The /api/v2 router, assembled from the resource routers."""

from __future__ import annotations

from fastapi import APIRouter

from drio import me
from drio.apps import router as apps
from drio.drafts import router as drafts
from drio.releases import router as releases


def build_api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v2")
    router.include_router(me.router)
    router.include_router(apps.router)
    router.include_router(drafts.router)
    router.include_router(releases.router)
    return router
