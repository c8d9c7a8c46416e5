"""ORM classes, imported here so Alembic sees every table."""

from drio.models.app import App
from drio.models.auth_connection import AuthConnection
from drio.models.draft import Draft
from drio.models.idempotency import IdempotencyKey
from drio.models.integration import Integration, Operation
from drio.models.oauth import OAuthAuthorizationCode, OAuthClient, OAuthRefreshToken
from drio.models.release import Release
from drio.models.tool import Tool
from drio.models.user import User
from drio.models.widget import Widget

__all__ = [
    "App",
    "AuthConnection",
    "Draft",
    "IdempotencyKey",
    "Integration",
    "OAuthAuthorizationCode",
    "OAuthClient",
    "OAuthRefreshToken",
    "Operation",
    "Release",
    "Tool",
    "User",
    "Widget",
]
