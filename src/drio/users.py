"""Users seen in tokens, recorded on writes so releases can name their actor."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from drio.auth.principal import Principal
from drio.models.user import User
from drio.timeutil import utcnow


async def record_user(session: AsyncSession, principal: Principal) -> User:
    """Insert or refresh the caller's user row; returns it."""
    now = utcnow()
    values = {
        "id": principal.subject,
        "email": principal.email,
        "name": principal.name,
        "image": principal.image,
        "created_at": now,
        "updated_at": now,
    }
    statement = insert(User).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[User.id],
        set_={
            "email": statement.excluded.email,
            "name": statement.excluded.name,
            "image": statement.excluded.image,
            "updated_at": statement.excluded.updated_at,
        },
    )
    found = await session.scalars(
        select(User)
        .from_statement(statement.returning(User))
        .execution_options(populate_existing=True)
    )
    user: User = found.one()
    return user
