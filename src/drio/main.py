"""create_api(): the FastAPI object with its handlers, middleware and lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from joserfc.jwk import KeySet

from drio import __version__
from drio.api import include_api_routers, mount
from drio.auth import well_known
from drio.auth.keys import load_or_create_signing_key, public_jwks
from drio.auth.verifier import JWKSKeySource, KeySource, StaticKeySource, TokenVerifier
from drio.db import driver, querycount
from drio.db.engine import (
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
    resolve_database_url,
)
from drio.db.migrate import head_revisions
from drio.errors import install_error_handlers
from drio.health import router as health_router
from drio.http import DrioCORSMiddleware, HeadAsGetMiddleware
from drio.logging import (
    RequestContextMiddleware,
    UnhandledErrorMiddleware,
    configure_logging,
    log,
)
from drio.oauth import router as oauth_router
from drio.openapi import polish
from drio.routing import operation_id
from drio.settings import Settings, get_settings

DESCRIPTION = """\
The drio v2 management API: apps, their current draft, immutable releases, and the
authoring resources of a draft (auth connections, integrations, operations, tools,
widgets). Every write lands in the app's current draft; publishing freezes it.

Errors share one envelope: `{"error": {"code", "message", "details", "request_id"}}`.
"""


class DrioAPI(FastAPI):
    """FastAPI, with the OpenAPI document completed by drio.openapi.polish."""

    def openapi(self) -> dict[str, Any]:
        previous = self.openapi_schema
        document = super().openapi()
        if document is not previous:
            polish(document)
        return document


def _key_source(api: FastAPI, settings: Settings) -> KeySource:
    if settings.development_auth:
        key = load_or_create_signing_key(settings.data_dir)
        api.state.development_key = key
        api.state.development_jwks = public_jwks(key)
        return StaticKeySource(KeySet([key]))
    return JWKSKeySource(
        settings.jwks_url,
        cache_seconds=settings.jwks_cache_seconds,
        cooldown_seconds=settings.jwks_refetch_cooldown_seconds,
    )


@asynccontextmanager
async def lifespan(api: FastAPI) -> AsyncIterator[None]:
    settings: Settings = api.state.settings
    database_url = resolve_database_url(settings)
    engine = create_engine(database_url, pool_size=settings.db_pool_size)
    querycount.install(engine)
    driver.install(engine)
    api.state.engine = engine
    api.state.sessionmaker = create_sessionmaker(engine)
    api.state.read_sessionmaker = create_read_sessionmaker(engine)
    api.state.head_revisions = head_revisions()
    keys = _key_source(api, settings)
    api.state.verifier = TokenVerifier(
        issuer=settings.issuer, audiences=settings.audiences, keys=keys
    )
    api.state.issuer_metadata = well_known.IssuerMetadata(settings.issuer)
    # Everything loaded so far lives as long as the process: move it out of the
    # collector's way, so full collections during requests scan only request garbage.
    gc.collect()
    gc.freeze()
    log.info(
        "server.started",
        development_auth=settings.development_auth,
        issuer=settings.issuer,
    )
    try:
        yield
    finally:
        if isinstance(keys, JWKSKeySource):
            await keys.aclose()
        await engine.dispose()


def create_api(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    api = DrioAPI(
        title="drio management API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/v2/openapi.json",
        docs_url="/api/v2/docs",
        redoc_url="/api/v2/redoc",
        lifespan=lifespan,
        redirect_slashes=False,
        generate_unique_id_function=operation_id,
    )
    api.router.redirect_slashes = False
    api.state.settings = settings
    install_error_handlers(api)
    include_api_routers(api)
    mount(api, well_known.router)
    if settings.development_auth:
        # The stand-in for AuthKit: absent (404) whenever an issuer is configured.
        mount(api, oauth_router.router)
    mount(api, health_router)
    # Middleware added first runs innermost: errors, HEAD as GET, then CORS, then
    # the request context.
    api.add_middleware(UnhandledErrorMiddleware)
    api.add_middleware(HeadAsGetMiddleware)
    if settings.cors_origins:
        api.add_middleware(
            DrioCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "If-Match",
                "X-Request-Id",
            ],
            expose_headers=[
                "ETag",
                "X-Request-Id",
                "Idempotent-Replayed",
                "Location",
                "Retry-After",
                "WWW-Authenticate",
            ],
            max_age=600,
        )
    if settings.debug_query_count:
        api.add_middleware(querycount.QueryCountMiddleware)
    api.add_middleware(RequestContextMiddleware)
    return api


def create_api_from_env() -> FastAPI:
    """The uvicorn factory: settings from the environment."""
    return create_api()
