from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from drio.db.base import Base, RecordMixin


class AuthConnection(RecordMixin, Base):
    """How an app signs in to a protected system. A row of the app's current draft."""

    __tablename__ = "auth_connections"
    __table_args__ = (
        UniqueConstraint("app_id", "key"),
        Index(None, "app_id", "created_at", "id"),
    )

    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    key: Mapped[str]
    name: Mapped[str]
    provider_key: Mapped[str]
    kind: Mapped[str]
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Secret name -> Fernet token. Never part of any read shape.
    secrets_encrypted: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # When a secret was last set or cleared: part of the content, so a rotation
    # alone is a change the next release can ship.
    secrets_updated_at: Mapped[datetime | None]
    last_validated_at: Mapped[datetime | None]
    last_error: Mapped[str | None]
