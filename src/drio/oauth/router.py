"""The development authorization server's endpoints, shaped like AuthKit's /oauth2.

Each route opens its own transaction: these are the authorization server, not the API,
so they skip DrioRoute's API pipeline (bearer auth, the error envelope, idempotency).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from drio.auth.keys import DEV_ORG_ID, DEV_USER_ID
from drio.oauth import rules
from drio.oauth import service as oauth_service
from drio.oauth.errors import NO_STORE, OAuthError, invalid_request

router = APIRouter(prefix="/oauth2", include_in_schema=False)

MAX_BODY_BYTES = 64 * 1024


@asynccontextmanager
async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session, session.begin():
        yield session


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        raise OAuthError(
            "invalid_request", "The request body is too large.", status_code=413
        )
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise OAuthError(
                "invalid_request", "The request body is too large.", status_code=413
            )
    return body


def _single(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Parameters by name; each may appear once (RFC 6749 section 3.1)."""
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise invalid_request(f"The parameter {name} is repeated.")
        params[name] = value
    return params


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _signer(request: Request) -> oauth_service.Signer:
    settings = request.app.state.settings
    return oauth_service.Signer(
        key=request.app.state.development_key,
        issuer=settings.issuer,
        lifetime=settings.dev_access_token_seconds,
    )


@router.post("/register")
async def register_client(request: Request) -> Response:
    """Dynamic client registration (RFC 7591)."""
    try:
        if _media_type(request) != "application/json":
            raise OAuthError(
                "invalid_client_metadata", "The body must be application/json."
            )
        try:
            body = json.loads(await _read_body(request))
        except (ValueError, UnicodeDecodeError) as exc:
            raise OAuthError(
                "invalid_client_metadata", "The body is not valid JSON."
            ) from exc
        metadata = rules.client_metadata(body)
    except OAuthError as exc:
        return exc.response()

    async with _transaction(request) as session:
        answer = await oauth_service.register_client(session, metadata=metadata)
    return JSONResponse(answer, status_code=201, headers=NO_STORE)


def _redirect(redirect_uri: str, params: dict[str, str]) -> RedirectResponse:
    parts = urlsplit(redirect_uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    location = urlunsplit(parts._replace(query=query))
    return RedirectResponse(location, status_code=302, headers=NO_STORE)


@router.get("/authorize")
async def authorize(request: Request) -> Response:
    """The authorization endpoint: consents at once for the local development user.

    Problems with client_id or redirect_uri are answered here (the redirect target is
    not trusted yet); every other problem goes back to the client's redirect URI.
    """
    settings = request.app.state.settings
    async with _transaction(request) as session:
        try:
            params = _single(request.query_params.multi_items())
            client_id = params.get("client_id")
            client = (
                await oauth_service.get_client(session, client_id)
                if client_id
                else None
            )
            if client is None:
                raise invalid_request("client_id is missing or unknown.")
            redirect_uri = params.get("redirect_uri")
            if redirect_uri is None:
                if len(client.redirect_uris) != 1:
                    raise invalid_request("redirect_uri is required for this client.")
                redirect_uri = client.redirect_uris[0]
            elif not any(
                rules.redirect_uri_matches(r, redirect_uri)
                for r in client.redirect_uris
            ):
                raise invalid_request("redirect_uri is not registered for this client.")
        except OAuthError as exc:
            return exc.response()

        state = params.get("state")
        reply = {"state": state} if state else {}

        def refuse(error: str, description: str) -> RedirectResponse:
            return _redirect(
                redirect_uri,
                {"error": error, "error_description": description, **reply},
            )

        if params.get("response_type") != "code":
            return refuse("unsupported_response_type", "response_type must be code.")
        if not state:
            return refuse("invalid_request", "state is required.")
        challenge = params.get("code_challenge")
        if not challenge:
            return refuse("invalid_request", "code_challenge is required (PKCE).")
        if params.get("code_challenge_method") != "S256":
            return refuse("invalid_request", "code_challenge_method must be S256.")
        if not rules.is_s256_challenge(challenge):
            return refuse("invalid_request", "code_challenge is not an S256 challenge.")
        try:
            scope = rules.parse_scope(params.get("scope"))
        except OAuthError as exc:
            return refuse(exc.error, exc.description)
        resource = rules.resolve_resource(params.get("resource"), settings.audiences)
        if resource is None:
            accepted = ", ".join(settings.audiences)
            return refuse("invalid_target", f"resource must be one of: {accepted}.")

        code = await oauth_service.issue_code(
            session,
            client=client,
            redirect_uri=redirect_uri,
            code_challenge=challenge,
            scope=scope,
            resource=resource,
            subject=DEV_USER_ID,
            org_id=DEV_ORG_ID,
        )
    return _redirect(redirect_uri, {"code": code, **reply})


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise invalid_request("Only HTTP Basic client authentication is accepted.")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_request("The Basic credentials are malformed.") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise invalid_request("The Basic credentials are malformed.")
    # RFC 6749 section 2.3.1: both parts are form-urlencoded before encoding.
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


@router.post("/token")
async def issue_token(request: Request) -> Response:
    """The token endpoint: authorization_code (with PKCE) and refresh_token grants."""
    try:
        if _media_type(request) != "application/x-www-form-urlencoded":
            raise invalid_request("The body must be application/x-www-form-urlencoded.")
        try:
            text = (await _read_body(request)).decode()
        except UnicodeDecodeError as exc:
            raise invalid_request("The body is not UTF-8.") from exc
        params = _single(parse_qsl(text, keep_blank_values=True))
        basic = _basic_credentials(request)
        if basic and params.get("client_secret"):
            raise invalid_request("Use one client authentication method, not two.")
        if basic and params.get("client_id", basic[0]) != basic[0]:
            raise invalid_request("client_id differs from the Basic credentials.")
        grant_type = params.get("grant_type")
        if grant_type not in rules.GRANT_TYPES:
            raise OAuthError(
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token.",
            )
    except OAuthError as exc:
        return exc.response()

    client_id, secret = basic or (params.get("client_id"), params.get("client_secret"))
    answer: dict[str, Any] | None = None
    error: OAuthError | None = None
    async with _transaction(request) as session:
        try:
            client = await oauth_service.authenticate_client(
                session, client_id=client_id, client_secret=secret, basic=bool(basic)
            )
            if grant_type == "authorization_code":
                answer = await oauth_service.exchange_code(
                    session,
                    client=client,
                    signer=_signer(request),
                    code=params.get("code"),
                    redirect_uri=params.get("redirect_uri"),
                    code_verifier=params.get("code_verifier"),
                    resource=params.get("resource"),
                )
            else:
                answer = await oauth_service.refresh_tokens(
                    session,
                    client=client,
                    signer=_signer(request),
                    refresh_token=params.get("refresh_token"),
                    scope=params.get("scope"),
                    resource=params.get("resource"),
                )
        except OAuthError as exc:
            # The transaction still commits: a replayed code or refresh token has
            # revoked its grant, and that must outlive this refusal.
            error = exc
    if error is not None or answer is None:
        return (error or invalid_request("No token was issued.")).response()
    return JSONResponse(answer, headers=NO_STORE)
