from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from drio.db.base import Base
from drio.timeutil import utcnow


class IdempotencyKey(Base):
    """The stored outcome of a POST sent with an Idempotency-Key, per tenant."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index(None, "created_at"),)

    tenant_id: Mapped[str] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(primary_key=True)
    fingerprint: Mapped[str]
    status_code: Mapped[int]
    headers: Mapped[dict[str, Any]]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
