"""Path dependencies that load an app of the caller's tenant, or answer 404."""

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request

from drio.apps import repository
from drio.auth.dependencies import authorize
from drio.auth.principal import PUBLISH_SCOPE, READ_SCOPE, WRITE_SCOPE, Principal
from drio.db.session import get_session
from drio.errors import InvalidRequest, NotFound, PreconditionFailed
from drio.ids import is_id
from drio.logging import bind
from drio.models.app import App

AppIdPath = Annotated[
    str, Path(description="The app's id.", examples=["app_01jd7x3k5q9n2m4p6r8t0v2w4y"])
]

_ETAG = re.compile(r'^\s*(W/)?"([^"]*)"\s*$')


def matches_if_match(header: str, revision: int) -> bool:
    """Strong comparison per RFC 9110: a weak tag never matches; `*` always does."""
    if header.strip() == "*":
        return True
    current = str(revision)
    matched = False
    for part in header.split(","):
        found = _ETAG.match(part)
        if found is None:
            raise InvalidRequest("If-Match must be `*` or a list of quoted ETags.")
        weak, tag = found.groups()
        if not weak and tag == current:
            matched = True
    return matched


async def _authorized_for(request: Request, app_id: str, scope: str) -> Principal:
    principal = await authorize(request, scope)
    if not is_id(app_id, "app"):
        raise NotFound("app")
    return principal


T = TypeVar("T")


async def _found_in_scope(
    request: Request,
    app_id: str,
    scope: str,
    read: Callable[..., Awaitable[T | None]],
) -> tuple[T, Principal]:
    principal = await _authorized_for(request, app_id, scope)
    found = await read(
        request.app.state.engine, tenant_id=principal.tenant_id, app_id=app_id
    )
    if found is None:
        raise NotFound("app")
    bind(app_id=app_id)
    return found, principal


async def read_in_scope(
    request: Request, app_id: str, scope: str = READ_SCOPE
) -> tuple[repository.AppParts, Principal]:
    """The app's row if the caller's token has `scope` and its tenant owns the app."""
    return await _found_in_scope(request, app_id, scope, repository.read_app_parts)


async def read_summary_in_scope(request: Request, app_id: str) -> Mapping[str, Any]:
    """The columns of the app's read shape, under the same checks as `read_in_scope`."""
    row, _ = await _found_in_scope(
        request, app_id, READ_SCOPE, repository.read_app_summary
    )
    return row


def _loader(
    scope: str, *, for_update: bool
) -> Callable[..., Awaitable[tuple[App, Principal]]]:
    # One dependency that takes the request and the path: the token, the session and
    # the scope are looked up inside it rather than declared as sub-dependencies,
    # which FastAPI would solve anew on every request (issue 6, P1).
    async def load(request: Request, app_id: AppIdPath) -> tuple[App, Principal]:
        if not for_update:
            parts, principal = await read_in_scope(request, app_id, scope)
            return repository.app_from_parts(parts), principal
        principal = await _authorized_for(request, app_id, scope)
        app = await repository.get_app_for_update(
            await get_session(request), tenant_id=principal.tenant_id, app_id=app_id
        )
        if app is None:
            raise NotFound("app")
        bind(app_id=app.id)
        header = request.headers.get("if-match")
        if header is not None and not matches_if_match(
            header, app.current_draft.revision
        ):
            raise PreconditionFailed(
                "If-Match does not match the draft's current revision "
                f'"{app.current_draft.revision}".'
            )
        return app, principal

    return load


# AppInScope is for reading: its app is built from one select sent on the driver
# and is not in the request's session, so changes to it are never saved. Routes that
# change an app (or anything whose draft bookkeeping must follow) take AppForWrite.
AppInScope = Annotated[
    tuple[App, Principal], Depends(_loader(READ_SCOPE, for_update=False))
]
AppForWrite = Annotated[
    tuple[App, Principal], Depends(_loader(WRITE_SCOPE, for_update=True))
]
AppForPublish = Annotated[
    tuple[App, Principal], Depends(_loader(PUBLISH_SCOPE, for_update=True))
]
