from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from drio.db.base import Base, RecordMixin


class Widget(RecordMixin, Base):
    """A UI component that renders a tool's result, with its actions."""

    __tablename__ = "widgets"
    __table_args__ = (
        UniqueConstraint("app_id", "key"),
        Index(None, "app_id", "created_at", "id"),
        Index(None, "tool_id"),
    )

    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    key: Mapped[str]
    name: Mapped[str]
    type: Mapped[str]
    tool_id: Mapped[str | None] = mapped_column(
        ForeignKey("tools.id", ondelete="RESTRICT")
    )
    display_mode: Mapped[str] = mapped_column(default="inline")
    visibility: Mapped[str] = mapped_column(default="visible")
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Checked in code: each call_tool action's target_tool_id is a tool of the app.
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
