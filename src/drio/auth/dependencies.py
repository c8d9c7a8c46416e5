"""FastAPI dependencies that authenticate the caller and check scopes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from drio.auth.principal import PUBLISH_SCOPE, READ_SCOPE, WRITE_SCOPE, Principal
from drio.auth.verifier import KeysUnavailable, TokenRejected, TokenVerifier
from drio.errors import InsufficientScope, ServiceUnavailable, Unauthorized
from drio.logging import bind, log

# The security scheme every API operation declares in OpenAPI (see DrioRoute and
# drio.openapi); the checks below are our own.
SECURITY_SCHEME = "oauth"
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name=SECURITY_SCHEME,
    description="An access token from the configured AuthKit issuer.",
)


def _challenge(request: Request, error: str | None = None, **params: str) -> str:
    base = request.app.state.settings.public_url
    parts = [f'resource_metadata="{base}/.well-known/oauth-protected-resource"']
    if error:
        parts.insert(0, f'error="{error}"')
    parts.extend(f'{name}="{value}"' for name, value in params.items())
    return "Bearer " + ", ".join(parts)


async def authenticate(request: Request) -> Principal:
    """Verify the bearer token of a request once; later calls reuse the result."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached

    # A token in a URL leaks into logs and histories; it is refused like any other bad
    # token (401 invalid_token), even beside a good header. The raw query string is
    # checked first: parsing it costs more than the check.
    if (
        b"access_token" in request.scope.get("query_string", b"")
        and "access_token" in request.query_params
    ):
        raise Unauthorized(
            "Tokens are accepted only in the Authorization header.",
            headers={"WWW-Authenticate": _challenge(request, "invalid_token")},
        )
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized(
            "A bearer token is required.",
            headers={"WWW-Authenticate": _challenge(request)},
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "The Authorization header must be 'Bearer <token>'.",
            headers={"WWW-Authenticate": _challenge(request, "invalid_request")},
        )

    verifier: TokenVerifier = request.app.state.verifier
    try:
        principal = await verifier.verify(token)
    except TokenRejected as exc:
        log.info("auth.token_rejected", reason=str(exc))
        raise Unauthorized(
            str(exc),
            headers={"WWW-Authenticate": _challenge(request, "invalid_token")},
        ) from exc
    except KeysUnavailable as exc:
        raise ServiceUnavailable(
            "The token issuer's signing keys are unavailable; try again shortly.",
            headers={"Retry-After": "30"},
        ) from exc

    request.state.principal = principal
    bind(actor=principal.subject, tenant=principal.tenant_id)
    return principal


async def authorize(request: Request, needed: str) -> Principal:
    """The request's principal, if its token carries the `needed` scope."""
    principal = await authenticate(request)
    if not principal.allows(needed):
        raise InsufficientScope(
            f"This request needs the {needed} scope.",
            headers={
                "WWW-Authenticate": _challenge(
                    request, "insufficient_scope", scope=needed
                )
            },
        )
    return principal


def require_scope(needed: str) -> object:
    # The dependency takes the request alone: every level of sub-dependencies is
    # solved anew on each request, and FastAPI's solving cost more than the check
    # (issue 6, P1). The OpenAPI security requirement comes from DrioRoute instead.
    async def check(request: Request) -> Principal:
        return await authorize(request, needed)

    return check


Reader = Annotated[Principal, Depends(require_scope(READ_SCOPE))]
Writer = Annotated[Principal, Depends(require_scope(WRITE_SCOPE))]
Publisher = Annotated[Principal, Depends(require_scope(PUBLISH_SCOPE))]
