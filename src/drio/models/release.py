from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from drio.db.base import Base, RecordMixin

if TYPE_CHECKING:
    from drio.models.user import User


class Release(RecordMixin, Base):
    """A frozen, published snapshot of a draft. Never changes except its state."""

    __tablename__ = "releases"
    __table_args__ = (
        UniqueConstraint("app_id", "version"),
        Index(None, "app_id", "created_at", "id"),
    )

    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    version: Mapped[int]
    state: Mapped[str]
    source_release_id: Mapped[str | None] = mapped_column(
        ForeignKey("releases.id", ondelete="SET NULL")
    )
    has_changes: Mapped[bool]
    notes: Mapped[str | None]
    content: Mapped[dict[str, Any]]
    # Encrypted secret values of auth connections as published, by connection id.
    # Kept apart from `content` so no reader of the content can leak them.
    sealed_secrets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_hash: Mapped[str]
    published_at: Mapped[datetime]
    actor_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    actor: Mapped[User | None] = relationship(lazy="raise")
