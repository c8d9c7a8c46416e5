"""The /api/v2 routes, added to the application from the resource routers."""

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


def mount(api: FastAPI, router: APIRouter) -> None:
    """Add a router's routes to the application itself, as they are.

    `include_router` would add the router as one nested route, which FastAPI matches
    twice per request (to select it, then again to dispatch within it), walking every
    route of every router before it: for a route late in the list that was half the
    cost of a request (issue 6, P1). Routers therefore carry their full path prefix,
    and their routes join the application's one flat list.
    """
    api.router.routes.extend(router.routes)


def include_api_routers(api: FastAPI) -> None:
    """Add every resource router's routes under /api/v2 (each declares the prefix)."""
    register_starters()
    for router in RESOURCE_ROUTERS:
        mount(api, router)
