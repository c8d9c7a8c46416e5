from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from drio.db.base import Base, RecordMixin

if TYPE_CHECKING:
    from drio.models.draft import Draft
    from drio.models.release import Release


class App(RecordMixin, Base):
    """The long-lived container. Its metadata columns hold the current draft's values."""

    __tablename__ = "apps"
    __table_args__ = (
        UniqueConstraint("tenant_id", "slug"),
        UniqueConstraint("public_mcp_id"),
        Index(None, "tenant_id", "created_at", "id"),
        Index(None, "tenant_id", "updated_at", "id"),
        Index(None, "tenant_id", "name", "id"),
    )

    tenant_id: Mapped[str]
    slug: Mapped[str]
    public_mcp_id: Mapped[str]
    starter_template_id: Mapped[str | None]
    name: Mapped[str]
    description: Mapped[str | None]
    company_url: Mapped[str | None]
    server_instructions: Mapped[str | None]
    branding: Mapped[dict[str, Any]] = mapped_column(default=dict)
    current_draft_id: Mapped[str | None] = mapped_column(
        ForeignKey("drafts.id", use_alter=True, ondelete="SET NULL")
    )
    latest_release_id: Mapped[str | None] = mapped_column(
        ForeignKey("releases.id", use_alter=True, ondelete="SET NULL")
    )

    current_draft: Mapped[Draft] = relationship(
        foreign_keys=[current_draft_id], lazy="raise"
    )
    latest_release: Mapped[Release | None] = relationship(
        foreign_keys=[latest_release_id], lazy="raise"
    )
