"""OAuth discovery documents, and the development issuer's key set."""

from __future__ import annotations

import time
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from drio.auth.principal import PUBLISH_SCOPE, READ_SCOPE, WRITE_SCOPE
from drio.errors import NotFound, ServiceUnavailable
from drio.logging import log

router = APIRouter(include_in_schema=False)

SCOPES = ["openid", "profile", "email", "offline_access"]
# The development issuer also grants drio's own scopes, to try narrower tokens.
DEVELOPMENT_SCOPES = [*SCOPES, READ_SCOPE, WRITE_SCOPE, PUBLISH_SCOPE]
_METADATA_TTL = 300.0


def _protected_resource(request: Request) -> dict[str, Any]:
    settings = request.app.state.settings
    return {
        "resource": settings.audiences[0],
        "authorization_servers": [settings.issuer],
        "scopes_supported": SCOPES,
        "bearer_methods_supported": ["header"],
        "resource_name": "drio management API",
        "resource_documentation": f"{settings.public_url}/api/v2/docs",
    }


@router.get("/.well-known/oauth-protected-resource")
@router.get("/.well-known/oauth-protected-resource/api/v2")
async def protected_resource_metadata(request: Request) -> JSONResponse:
    return JSONResponse(_protected_resource(request))


class IssuerMetadata:
    """The AuthKit issuer's RFC 8414 document, fetched and cached."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self._document: dict[str, Any] | None = None
        self._fetched_at = 0.0

    async def get(self) -> dict[str, Any]:
        now = time.monotonic()
        if self._document is not None and now - self._fetched_at < _METADATA_TTL:
            return self._document
        url = f"{self.issuer}/.well-known/oauth-authorization-server"
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(url)
                response.raise_for_status()
                document = response.json()
            if not isinstance(document, dict):
                raise TypeError("not an object")
        except (httpx.HTTPError, ValueError, TypeError) as exc:
            log.warning(
                "auth.issuer_metadata_failed", url=url, error=type(exc).__name__
            )
            if self._document is not None:
                return self._document
            raise ServiceUnavailable(
                "The authorization server's metadata is unavailable.",
                headers={"Retry-After": "30"},
            ) from exc
        self._document = document
        self._fetched_at = now
        return document


def development_metadata(request: Request) -> dict[str, Any]:
    base = request.app.state.settings.public_url
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "token_endpoint": f"{base}/oauth2/token",
        "registration_endpoint": f"{base}/oauth2/register",
        "jwks_uri": f"{base}/oauth2/jwks",
        "scopes_supported": DEVELOPMENT_SCOPES,
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [
            "none",
            "client_secret_post",
            "client_secret_basic",
        ],
    }


@router.get("/.well-known/oauth-authorization-server")
async def authorization_server_metadata(request: Request) -> JSONResponse:
    settings = request.app.state.settings
    if settings.development_auth:
        return JSONResponse(development_metadata(request))
    metadata: IssuerMetadata = request.app.state.issuer_metadata
    return JSONResponse(await metadata.get())


@router.get("/oauth2/jwks")
async def development_jwks(request: Request) -> JSONResponse:
    jwks = getattr(request.app.state, "development_jwks", None)
    if jwks is None:
        raise NotFound("key set")
    return JSONResponse(jwks, headers={"Cache-Control": "public, max-age=300"})
