"""Registration, authorization codes and token issuance, stored in PostgreSQL.

Only hashes of codes, refresh tokens and client secrets are stored. Every code and
refresh token is single use: the row is locked, checked and marked used in the same
transaction, so two workers can never both redeem it. Presenting one again revokes
every refresh token of its grant (RFC 6749 section 4.1.2, OAuth 2.1 section 4.3.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from joserfc.jwk import RSAKey
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from drio.auth.keys import mint_access_token
from drio.ids import new_id
from drio.logging import log
from drio.models.oauth import OAuthAuthorizationCode, OAuthClient, OAuthRefreshToken
from drio.oauth import rules
from drio.oauth.errors import OAuthError, invalid_client, invalid_grant
from drio.timeutil import utcnow


@dataclass(frozen=True, slots=True)
class Signer:
    """Mints the development issuer's access tokens."""

    key: RSAKey
    issuer: str
    lifetime: int

    def access_token(
        self,
        *,
        subject: str,
        org_id: str | None,
        scope: str,
        resource: str,
        session_id: str,
        client_id: str,
    ) -> str:
        return mint_access_token(
            self.key,
            issuer=self.issuer,
            audience=resource,
            subject=subject,
            org_id=org_id,
            scope=scope,
            expires_in=self.lifetime,
            extra_claims={"sid": session_id, "client_id": client_id},
        )


async def register_client(
    session: AsyncSession, *, metadata: dict[str, Any]
) -> dict[str, Any]:
    """Register a client; the answer holds its secret once, for confidential ones."""
    method = metadata["token_endpoint_auth_method"]
    secret = None if method == "none" else rules.new_secret()
    client = OAuthClient(
        id=new_id("client"),
        secret_hash=rules.digest(secret) if secret else None,
        token_endpoint_auth_method=method,
        client_metadata=metadata,
    )
    session.add(client)
    await session.flush()
    log.info("oauth.client_registered", client_id=client.id, auth_method=method)

    answer: dict[str, Any] = {
        "client_id": client.id,
        "client_id_issued_at": int(client.created_at.timestamp()),
        **metadata,
    }
    if secret:
        answer["client_secret"] = secret
        answer["client_secret_expires_at"] = 0
    return answer


async def get_client(session: AsyncSession, client_id: str) -> OAuthClient | None:
    return await session.get(OAuthClient, client_id)


async def authenticate_client(
    session: AsyncSession,
    *,
    client_id: str | None,
    client_secret: str | None,
    basic: bool,
) -> OAuthClient:
    """The client of a token request: public clients name themselves, others prove it."""
    if not client_id:
        raise invalid_client("The client is not identified.", basic=basic)
    client = await get_client(session, client_id)
    if client is None:
        raise invalid_client("Unknown client.", basic=basic)
    if client.secret_hash is None:
        if client_secret:
            raise invalid_client("This public client has no secret.", basic=basic)
        return client
    if not client_secret or not rules.same_secret(client_secret, client.secret_hash):
        raise invalid_client("Client authentication failed.", basic=basic)
    return client


async def issue_code(
    session: AsyncSession,
    *,
    client: OAuthClient,
    redirect_uri: str,
    code_challenge: str,
    scope: str,
    resource: str,
    subject: str,
    org_id: str | None,
) -> str:
    now = utcnow()
    # Codes live minutes; a day later even a replay of one no longer matters.
    await session.execute(
        delete(OAuthAuthorizationCode).where(
            OAuthAuthorizationCode.expires_at < now - timedelta(days=1)
        )
    )
    code = rules.new_secret()
    session.add(
        OAuthAuthorizationCode(
            code_hash=rules.digest(code),
            client_id=client.id,
            grant_id=new_id("grant"),
            redirect_uri=redirect_uri,
            code_challenge=code_challenge,
            scope=scope,
            resource=resource,
            subject=subject,
            org_id=org_id,
            expires_at=now + timedelta(seconds=rules.CODE_SECONDS),
        )
    )
    await session.flush()
    return code


def _token_response(
    signer: Signer, refresh: OAuthRefreshToken, *, scope: str, refresh_token: str
) -> dict[str, Any]:
    return {
        "access_token": signer.access_token(
            subject=refresh.subject,
            org_id=refresh.org_id,
            scope=scope,
            resource=refresh.resource,
            session_id=refresh.session_id,
            client_id=refresh.client_id,
        ),
        "token_type": "Bearer",
        "expires_in": signer.lifetime,
        "refresh_token": refresh_token,
        "scope": scope,
    }


def _new_refresh_token(
    session: AsyncSession,
    *,
    client_id: str,
    grant_id: str,
    session_id: str,
    scope: str,
    resource: str,
    subject: str,
    org_id: str | None,
) -> tuple[OAuthRefreshToken, str]:
    value = rules.new_secret()
    row = OAuthRefreshToken(
        token_hash=rules.digest(value),
        client_id=client_id,
        grant_id=grant_id,
        session_id=session_id,
        scope=scope,
        resource=resource,
        subject=subject,
        org_id=org_id,
        expires_at=utcnow() + timedelta(seconds=rules.REFRESH_TOKEN_SECONDS),
    )
    session.add(row)
    return row, value


async def _revoke_grant(session: AsyncSession, grant_id: str) -> None:
    await session.execute(
        update(OAuthRefreshToken)
        .where(
            OAuthRefreshToken.grant_id == grant_id,
            OAuthRefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    log.warning("oauth.grant_revoked", grant_id=grant_id, reason="replay")


def _check_resource(requested: str | None, granted: str) -> None:
    """A token request may repeat the resource of its grant, but not change it."""
    if requested is not None and rules.resolve_resource(requested, [granted]) is None:
        raise OAuthError(
            "invalid_target", f"This grant is for the resource {granted} only."
        )


async def exchange_code(
    session: AsyncSession,
    *,
    client: OAuthClient,
    signer: Signer,
    code: str | None,
    redirect_uri: str | None,
    code_verifier: str | None,
    resource: str | None,
) -> dict[str, Any]:
    if not code:
        raise OAuthError("invalid_request", "code is required.")
    if not code_verifier:
        raise OAuthError("invalid_request", "code_verifier is required (PKCE).")
    row = await session.scalar(
        select(OAuthAuthorizationCode)
        .where(OAuthAuthorizationCode.code_hash == rules.digest(code))
        .with_for_update()
    )
    if row is None or row.client_id != client.id:
        raise invalid_grant("The authorization code is unknown.")
    if row.used_at is not None:
        await _revoke_grant(session, row.grant_id)
        raise invalid_grant("The authorization code was already used.")
    row.used_at = utcnow()
    if row.expires_at <= row.used_at:
        raise invalid_grant("The authorization code has expired.")
    if redirect_uri != row.redirect_uri:
        raise invalid_grant("redirect_uri differs from the authorization request.")
    if not rules.pkce_verified(code_verifier, row.code_challenge):
        raise invalid_grant("The code_verifier does not match the code_challenge.")
    _check_resource(resource, row.resource)

    refresh, value = _new_refresh_token(
        session,
        client_id=client.id,
        grant_id=row.grant_id,
        session_id=new_id("session"),
        scope=row.scope,
        resource=row.resource,
        subject=row.subject,
        org_id=row.org_id,
    )
    await session.flush()
    log.info("oauth.code_exchanged", client_id=client.id, grant_id=row.grant_id)
    return _token_response(signer, refresh, scope=row.scope, refresh_token=value)


async def refresh_tokens(
    session: AsyncSession,
    *,
    client: OAuthClient,
    signer: Signer,
    refresh_token: str | None,
    scope: str | None,
    resource: str | None,
) -> dict[str, Any]:
    """Rotate a refresh token: the old one is spent, a new one comes with the access
    token. A narrower `scope` narrows this access token only (RFC 6749 section 6)."""
    if not refresh_token:
        raise OAuthError("invalid_request", "refresh_token is required.")
    row = await session.scalar(
        select(OAuthRefreshToken)
        .where(OAuthRefreshToken.token_hash == rules.digest(refresh_token))
        .with_for_update()
    )
    if row is None or row.client_id != client.id:
        raise invalid_grant("The refresh token is unknown.")
    if row.revoked_at is not None:
        raise invalid_grant("The refresh token was revoked.")
    if row.used_at is not None:
        await _revoke_grant(session, row.grant_id)
        raise invalid_grant("The refresh token was already used.")
    now = utcnow()
    if row.expires_at <= now:
        raise invalid_grant("The refresh token has expired.")
    granted = row.scope.split()
    if scope is not None:
        narrowed = rules.parse_scope(scope)
        if not set(narrowed.split()) <= set(granted):
            raise OAuthError(
                "invalid_scope", "scope may only narrow the grant's scope."
            )
    _check_resource(resource, row.resource)

    row.used_at = now
    successor, value = _new_refresh_token(
        session,
        client_id=client.id,
        grant_id=row.grant_id,
        session_id=row.session_id,
        scope=row.scope,
        resource=row.resource,
        subject=row.subject,
        org_id=row.org_id,
    )
    await session.flush()
    log.info("oauth.token_refreshed", client_id=client.id, grant_id=row.grant_id)
    return _token_response(
        signer,
        successor,
        scope=rules.parse_scope(scope) if scope is not None else row.scope,
        refresh_token=value,
    )
