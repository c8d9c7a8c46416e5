"""What the development authorization server accepts: redirect URIs, resources,
scopes, PKCE, client metadata. Pure functions, no I/O."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from authlib.oauth2.rfc7591 import ClientMetadataClaims
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc.errors import JoseError

from drio.auth.well_known import DEVELOPMENT_SCOPES
from drio.oauth.errors import OAuthError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
AUTH_METHODS = ("none", "client_secret_basic", "client_secret_post")
GRANT_TYPES = ("authorization_code", "refresh_token")
DEFAULT_SCOPE = "openid profile email"
CODE_SECONDS = 300
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600
MAX_REDIRECT_URIS = 20
MAX_METADATA_STRING = 2000

# S256 challenges are base64url of a sha256: exactly 43 characters.
_S256_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_CODE_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


def digest(value: str) -> str:
    """How codes, tokens and secrets are stored: their sha256, never the value."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def same_secret(value: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(value), stored_digest)


def redirect_uri_problem(uri: str) -> str | None:
    """Why a redirect URI cannot be registered, or None when it can.

    https anywhere; http only on a loopback host (RFC 8252 section 7.3); private-use
    schemes of native apps, which contain a dot (RFC 8252 section 7.1).
    """
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return "is not a valid URI"
    if parts.fragment or "#" in uri:
        return "must not contain a fragment"
    scheme = parts.scheme.lower()
    if scheme == "https":
        return None if parts.hostname else "needs a host"
    if scheme == "http":
        if parts.hostname in LOOPBACK_HOSTS:
            return None
        return "may use http only on a loopback host (127.0.0.1, [::1], localhost)"
    if "." in scheme and (parts.path or parts.netloc):
        return None
    return (
        "must be https, loopback http, or a private-use scheme such as com.example.app"
    )


def redirect_uri_matches(registered: str, requested: str) -> bool:
    """Exact match, except that loopback http URIs match on any port (RFC 8252 7.3)."""
    if registered == requested:
        return True
    try:
        a, b = urlsplit(registered), urlsplit(requested)
        b.port  # noqa: B018
    except ValueError:
        return False
    return (
        a.scheme == b.scheme == "http"
        and a.hostname in LOOPBACK_HOSTS
        and a.hostname == b.hostname
        and b.username is None
        and b.password is None
        and (a.path, a.query) == (b.path, b.query)
        and not b.fragment
    )


def canonical_resource(value: str) -> str:
    """A resource URI compared case-insensitively in scheme and host, with an empty
    path equal to `/` (RFC 3986 section 6.2.3), as clients render it either way."""
    parts = urlsplit(value)
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def resolve_resource(requested: str | None, audiences: list[str]) -> str | None:
    """The audience a token for `requested` carries (the configured spelling), or None.

    No resource means the server's primary resource identifier.
    """
    if requested is None:
        return audiences[0]
    if "#" in requested:
        return None
    known = {canonical_resource(a): a for a in audiences}
    return known.get(canonical_resource(requested))


def parse_scope(value: str | None) -> str:
    """The granted scope for a requested one; unknown scopes are refused."""
    requested = (value or "").split()
    if not requested:
        return DEFAULT_SCOPE
    unknown = [s for s in requested if s not in DEVELOPMENT_SCOPES]
    if unknown:
        raise OAuthError("invalid_scope", f"Unknown scope: {' '.join(unknown)}.")
    return " ".join(dict.fromkeys(requested))


def is_s256_challenge(value: str) -> bool:
    return _S256_CHALLENGE.fullmatch(value) is not None


def pkce_verified(verifier: str, challenge: str) -> bool:
    if _CODE_VERIFIER.fullmatch(verifier) is None:
        return False
    return hmac.compare_digest(create_s256_code_challenge(verifier), challenge)


def _metadata_error(description: str) -> OAuthError:
    return OAuthError("invalid_client_metadata", description)


def _string_list(body: dict[str, Any], name: str, default: list[str]) -> list[str]:
    value = body.get(name, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _metadata_error(f"{name} must be an array of strings.")
    return value


def client_metadata(body: object) -> dict[str, Any]:
    """Check an RFC 7591 registration request; return the metadata to register.

    The server may replace values (RFC 7591 section 3.2.1): grant_types always include
    refresh_token, since every code exchange issues a refresh token.
    """
    if not isinstance(body, dict):
        raise _metadata_error("The registration request must be a JSON object.")
    for name, value in body.items():
        if isinstance(value, str) and len(value) > MAX_METADATA_STRING:
            raise _metadata_error(f"{name} is too long.")

    uris = body.get("redirect_uris")
    if not isinstance(uris, list) or not uris:
        raise OAuthError(
            "invalid_redirect_uri", "redirect_uris must be a non-empty array."
        )
    if len(uris) > MAX_REDIRECT_URIS:
        raise OAuthError("invalid_redirect_uri", "Too many redirect_uris.")
    for uri in uris:
        problem = (
            redirect_uri_problem(uri) if isinstance(uri, str) else "is not a string"
        )
        if problem:
            raise OAuthError("invalid_redirect_uri", f"Redirect URI {uri!r} {problem}.")

    method = body.get("token_endpoint_auth_method", "client_secret_basic")
    if method not in AUTH_METHODS:
        raise _metadata_error(
            f"token_endpoint_auth_method must be one of {', '.join(AUTH_METHODS)}."
        )
    grant_types = _string_list(body, "grant_types", ["authorization_code"])
    if "authorization_code" not in grant_types or not set(grant_types) <= set(
        GRANT_TYPES
    ):
        raise _metadata_error(
            "grant_types must include authorization_code and may add refresh_token."
        )
    if set(_string_list(body, "response_types", ["code"])) != {"code"}:
        raise _metadata_error('response_types must be ["code"].')
    scope = body.get("scope")
    if scope is not None:
        if not isinstance(scope, str):
            raise _metadata_error("scope must be a string.")
        try:
            parse_scope(scope)
        except OAuthError as exc:
            raise _metadata_error(exc.description) from exc

    # authlib checks the other URIs, jwks and contacts; redirect URIs follow the
    # RFC 8252 rules above, which also admit private-use schemes.
    claims = ClientMetadataClaims(
        {k: v for k, v in body.items() if k != "redirect_uris"}, {}
    )
    try:
        claims.validate()
    except JoseError as exc:
        raise _metadata_error(f"Invalid client metadata: {exc.description}") from exc

    # Metadata the server does not understand is ignored (RFC 7591 section 2).
    known = (*ClientMetadataClaims.REGISTERED_CLAIMS, "application_type")
    return {
        **{k: v for k, v in body.items() if k in known},
        "redirect_uris": uris,
        "token_endpoint_auth_method": method,
        "grant_types": list(GRANT_TYPES),
        "response_types": ["code"],
    }
