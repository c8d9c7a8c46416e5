"""The development authorization server's state: clients, codes, refresh tokens.

Only development auth uses these tables (with AuthKit configured they stay empty). Code
and token values are never stored: only their sha256, so a database dump grants nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from drio.db.base import Base
from drio.timeutil import utcnow


class OAuthClient(Base):
    """A client registered through dynamic client registration (RFC 7591)."""

    __tablename__ = "oauth_clients"

    id: Mapped[str] = mapped_column(primary_key=True)
    # sha256 of the client secret; null for public clients (auth method "none").
    secret_hash: Mapped[str | None]
    token_endpoint_auth_method: Mapped[str]
    # The registered metadata as answered to the client (redirect_uris and the rest).
    client_metadata: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def redirect_uris(self) -> list[str]:
        uris = self.client_metadata.get("redirect_uris", [])
        return [u for u in uris if isinstance(u, str)]


class OAuthAuthorizationCode(Base):
    """A one-time authorization code, bound to its client, redirect URI and PKCE."""

    __tablename__ = "oauth_authorization_codes"
    __table_args__ = (Index(None, "expires_at"),)

    code_hash: Mapped[str] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_clients.id", ondelete="CASCADE")
    )
    grant_id: Mapped[str]
    redirect_uri: Mapped[str]
    code_challenge: Mapped[str]
    scope: Mapped[str]
    resource: Mapped[str]
    subject: Mapped[str]
    org_id: Mapped[str | None]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthRefreshToken(Base):
    """A refresh token. Each is used once: using it issues its successor.

    All tokens descending from one authorization code share a `grant_id`, so a replayed
    code or refresh token can revoke the whole family.
    """

    __tablename__ = "oauth_refresh_tokens"
    __table_args__ = (Index(None, "grant_id"),)

    token_hash: Mapped[str] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_clients.id", ondelete="CASCADE")
    )
    grant_id: Mapped[str]
    session_id: Mapped[str]
    scope: Mapped[str]
    resource: Mapped[str]
    subject: Mapped[str]
    org_id: Mapped[str | None]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
