from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from drio.db.base import Base, RecordMixin
from drio.timeutil import utcnow

if TYPE_CHECKING:
    from drio.models.user import User


class Draft(RecordMixin, Base):
    """The editable working copy's bookkeeping.

    The draft's content itself lives in the app row and the authoring-resource rows of
    the app: an app has one current draft at a time, so they need no draft key. Older
    draft rows stay as history of what each release was frozen from.
    """

    __tablename__ = "drafts"
    __table_args__ = (Index(None, "app_id"),)

    app_id: Mapped[str] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(default=1)
    source_release_id: Mapped[str | None] = mapped_column(
        ForeignKey("releases.id", use_alter=True, ondelete="SET NULL")
    )
    # The fingerprint of the draft's stored state (drafts.content.fingerprint), and
    # the one taken when its source release was published (null for a first draft):
    # has_changes is content_hash != source_content_hash, known without a join.
    content_hash: Mapped[str]
    source_content_hash: Mapped[str | None]
    has_changes: Mapped[bool]
    last_edited_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_edited_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    last_edited_by: Mapped[User | None] = relationship(lazy="raise")
