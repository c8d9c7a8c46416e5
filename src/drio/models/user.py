from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from drio.db.base import Base
from drio.timeutil import utcnow


class User(Base):
    """A person seen in a token, recorded so releases can name their actor."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(primary_key=True)
    email: Mapped[str | None]
    name: Mapped[str | None]
    image: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
