"""The request's session: one per request, opened and committed by DrioRoute."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


# Dependencies are `async def` on purpose: FastAPI runs a plain `def` dependency in
# a worker thread, and that hop cost more than the rest of a cached read.
async def get_session(request: Request) -> AsyncSession:
    """The request's session; for a read, opened on first use (DrioRoute closes it)."""
    session = getattr(request.state, "session", None)
    if isinstance(session, AsyncSession):
        return session
    factory = getattr(request.state, "session_factory", None)
    if factory is None:
        raise TypeError("route is not a DrioRoute: no request session")
    opened: AsyncSession = factory()
    request.state.session = opened
    return opened


SessionDep = Annotated[AsyncSession, Depends(get_session)]
