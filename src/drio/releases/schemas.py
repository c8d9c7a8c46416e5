from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from drio.models.release import Release
from drio.schemas import Actor, InputSchema, Schema
from drio.settings import Settings
from drio.timeutil import Timestamp


class ReleaseCreate(InputSchema):
    notes: Annotated[str, StringConstraints(max_length=4000)] | None = Field(
        default=None, examples=["Adds the contact search tool."]
    )


class ReleaseRead(Schema):
    id: str
    app_id: str
    version: int = Field(description="1, 2, 3 ... per app.")
    state: str = Field(description="published (the live release) or superseded.")
    source_release_id: str | None
    has_changes: bool
    notes: str | None
    content_hash: str
    endpoint: str
    actor: Actor | None
    created_at: Timestamp
    updated_at: Timestamp
    published_at: Timestamp


class ReleaseDetail(ReleaseRead):
    content: dict[str, Any] = Field(description="The frozen draft content.")


def to_read(release: Release, *, public_mcp_id: str, settings: Settings) -> ReleaseRead:
    return ReleaseRead.model_validate(
        {**_fields(release), "endpoint": settings.endpoint_for(public_mcp_id)}
    )


def to_detail(
    release: Release, *, public_mcp_id: str, settings: Settings
) -> ReleaseDetail:
    return ReleaseDetail.model_validate(
        {
            **_fields(release),
            "endpoint": settings.endpoint_for(public_mcp_id),
            "content": release.content,
        }
    )


def _fields(release: Release) -> dict[str, Any]:
    return {
        "id": release.id,
        "app_id": release.app_id,
        "version": release.version,
        "state": release.state,
        "source_release_id": release.source_release_id,
        "has_changes": release.has_changes,
        "notes": release.notes,
        "content_hash": release.content_hash,
        "actor": Actor.model_validate(release.actor) if release.actor else None,
        "created_at": release.created_at,
        "updated_at": release.updated_at,
        "published_at": release.published_at,
    }
