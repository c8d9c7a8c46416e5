from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from drio.db.base import Base, RecordMixin

if TYPE_CHECKING:
    from drio.models.integration import Operation


class Tool(RecordMixin, Base):
    """An MCP tool of the app, optionally bound to an integration operation."""

    __tablename__ = "tools"
    __table_args__ = (
        UniqueConstraint("app_id", "key"),
        Index(None, "app_id", "created_at", "id"),
        Index(None, "app_id", "order", "created_at", "id"),
        Index(None, "app_id", "name", "id"),
        Index(None, "operation_id"),
        Index(None, "widget_id"),
    )

    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    key: Mapped[str]
    name: Mapped[str]
    description: Mapped[str] = mapped_column(default="")
    kind: Mapped[str] = mapped_column(default="function")
    is_enabled: Mapped[bool] = mapped_column(default=True)
    order: Mapped[int] = mapped_column(default=0)
    annotations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # tools and widgets point at each other; this key is added after both exist.
    widget_id: Mapped[str | None] = mapped_column(
        ForeignKey("widgets.id", ondelete="RESTRICT", use_alter=True)
    )
    operation_id: Mapped[str | None] = mapped_column(
        ForeignKey("operations.id", ondelete="RESTRICT")
    )
    schema_hash_at_bind_time: Mapped[str | None]
    # Checked in code (same app, no cycle); arrays cannot carry foreign keys.
    next_tool_ids: Mapped[list[str]] = mapped_column(ARRAY(String), default=list)

    operation: Mapped[Operation | None] = relationship(lazy="raise")
