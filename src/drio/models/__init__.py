"""ORM classes, imported here so Alembic sees every table."""

from drio.models.app import App
from drio.models.draft import Draft
from drio.models.idempotency import IdempotencyKey
from drio.models.oauth import OAuthAuthorizationCode, OAuthClient, OAuthRefreshToken
from drio.models.release import Release
from drio.models.user import User

__all__ = [
    "App",
    "Draft",
    "IdempotencyKey",
    "OAuthAuthorizationCode",
    "OAuthClient",
    "OAuthRefreshToken",
    "Release",
    "User",
]
