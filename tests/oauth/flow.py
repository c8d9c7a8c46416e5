"""Steps of the OAuth flow, done by hand against the development server."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

REDIRECT_URI = "http://127.0.0.1/callback"
RESOURCE = "http://testserver"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def register(http: httpx.AsyncClient, **metadata: Any) -> dict[str, Any]:
    body = {
        "client_name": "test client",
        "redirect_uris": [REDIRECT_URI],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        **metadata,
    }
    response = await http.post("/oauth2/register", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def authorize(
    http: httpx.AsyncClient, client: dict[str, Any], **params: str | None
) -> httpx.Response:
    defaults: dict[str, str | None] = {
        "response_type": "code",
        "client_id": client["client_id"],
        "redirect_uri": REDIRECT_URI,
        "state": secrets.token_urlsafe(8),
        "code_challenge_method": "S256",
        "scope": "openid profile email",
        "resource": RESOURCE,
    }
    merged = {**defaults, **params}
    if "code_challenge" not in merged:
        merged["code_challenge"] = pkce()[1]
    sent = {k: v for k, v in merged.items() if v is not None}
    return await http.get("/oauth2/authorize", params=sent)


async def get_code(
    http: httpx.AsyncClient, client: dict[str, Any], **params: str | None
) -> tuple[str, str]:
    """A fresh authorization code and its PKCE verifier."""
    verifier, challenge = pkce()
    response = await authorize(http, client, code_challenge=challenge, **params)
    assert response.status_code == 302, response.text
    return query(response.headers["location"])["code"], verifier


async def token(http: httpx.AsyncClient, **form: str) -> httpx.Response:
    return await http.post("/oauth2/token", data=form)


async def exchange(
    http: httpx.AsyncClient, client: dict[str, Any], code: str, verifier: str
) -> httpx.Response:
    return await token(
        http,
        grant_type="authorization_code",
        code=code,
        code_verifier=verifier,
        redirect_uri=REDIRECT_URI,
        client_id=client["client_id"],
        resource=RESOURCE,
    )


async def tokens(http: httpx.AsyncClient, client: dict[str, Any]) -> dict[str, Any]:
    """Register-less shortcut: authorize and exchange for a token response."""
    code, verifier = await get_code(http, client)
    response = await exchange(http, client, code, verifier)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
