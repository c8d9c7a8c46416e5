from __future__ import annotations

from typing import Any

from pydantic import Field

from drio.models.draft import Draft
from drio.schemas import Actor, Schema
from drio.timeutil import Timestamp


class DraftRead(Schema):
    id: str
    app_id: str
    revision: int = Field(description="Grows by one with each write; also the ETag.")
    source_release_id: str | None
    has_changes: bool
    created_at: Timestamp
    updated_at: Timestamp
    last_edited_at: Timestamp
    last_edited_by: Actor | None


class DraftDetail(DraftRead):
    content: dict[str, Any] = Field(
        description="The whole draft: app settings and every authoring resource."
    )


class ChangeSummary(Schema):
    added: int
    updated: int
    removed: int


class Change(Schema):
    entity_type: str = Field(examples=["tool"])
    entity_id: str
    label: str
    change: str = Field(description="added, updated or removed")
    fields: list[str]


class DraftChanges(Schema):
    draft_id: str
    source_release_id: str | None
    has_changes: bool
    summary: ChangeSummary
    changes: list[Change]


class ValidationReference(Schema):
    entity_type: str
    entity_id: str
    label: str


class ValidationIssue(Schema):
    code: str
    severity: str
    blocks_publish: bool
    message: str
    references: list[ValidationReference]


class ValidationReport(Schema):
    ok: bool
    error_count: int
    warning_count: int
    issues: list[ValidationIssue]


def draft_detail(draft: Draft, content: dict[str, Any]) -> DraftDetail:
    return DraftDetail(**DraftRead.model_validate(draft).model_dump(), content=content)
