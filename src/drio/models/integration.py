from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from drio.db.base import Base, RecordMixin


class Integration(RecordMixin, Base):
    """An external API an app calls. A row of the app's current draft."""

    __tablename__ = "integrations"
    __table_args__ = (
        UniqueConstraint("app_id", "key"),
        Index(None, "app_id", "created_at", "id"),
        Index(None, "auth_connection_id"),
    )

    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    key: Mapped[str]
    name: Mapped[str]
    provider_key: Mapped[str]
    base_url: Mapped[str]
    # RESTRICT: the service answers resource_in_use first; this is the backstop.
    auth_connection_id: Mapped[str | None] = mapped_column(
        ForeignKey("auth_connections.id", ondelete="RESTRICT")
    )
    default_headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    timeout_ms: Mapped[int] = mapped_column(default=10_000)


class Operation(RecordMixin, Base):
    """One call of an integration: method, path and the schemas of its data."""

    __tablename__ = "operations"
    __table_args__ = (
        UniqueConstraint("app_id", "key"),
        Index(None, "app_id", "created_at", "id"),
        Index(None, "integration_id", "created_at", "id"),
    )

    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE")
    )
    key: Mapped[str]
    name: Mapped[str]
    description: Mapped[str] = mapped_column(default="")
    method: Mapped[str]
    path: Mapped[str]
    input_schema: Mapped[dict[str, Any]]
    output_schema: Mapped[dict[str, Any]]
    schema_hash: Mapped[str]
