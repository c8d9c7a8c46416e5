from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from drio.models.app import App
from drio.schemas import (
    Description,
    HttpUrl,
    InputSchema,
    LongText,
    Name,
    Schema,
    Slug,
)
from drio.settings import Settings
from drio.timeutil import Timestamp, format_timestamp

HexColor = Annotated[
    str,
    StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$", to_lower=True),
    Field(examples=["#0f172a"]),
]


class BorderRadius(StrEnum):
    none = "none"
    sm = "sm"
    md = "md"
    lg = "lg"
    xl = "xl"
    full = "full"


class BrandingInput(InputSchema):
    primary_color: HexColor | None = None
    accent_color: HexColor | None = None
    background_color: HexColor | None = None
    font_family: (
        Annotated[str, StringConstraints(min_length=1, max_length=100)] | None
    ) = None
    border_radius: BorderRadius | None = None


class Branding(Schema):
    primary_color: str | None = None
    accent_color: str | None = None
    background_color: str | None = None
    font_family: str | None = None
    border_radius: BorderRadius | None = None


class AppCreate(InputSchema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Acme Support",
                    "description": "Support copilot",
                    "company_url": "https://acme.com",
                    "branding": {"primary_color": "#0f172a", "border_radius": "lg"},
                }
            ]
        }
    )

    name: Name = Field(examples=["Acme Support"])
    slug: Slug | None = Field(default=None, examples=["acme-support"])
    description: Description | None = Field(default=None, examples=["Support copilot"])
    company_url: HttpUrl | None = Field(default=None, examples=["https://acme.com"])
    server_instructions: LongText | None = None
    branding: BrandingInput | None = None
    starter_template_id: str | None = Field(default=None, examples=["support-faq"])


class AppUpdate(InputSchema):
    """Partial update. Members absent stay; null clears an optional member."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "description": "Answers support questions",
                    "branding": {"accent_color": "#f59e0b"},
                }
            ]
        }
    )

    name: Name | None = None
    slug: Slug | None = None
    description: Description | None = None
    company_url: HttpUrl | None = None
    server_instructions: LongText | None = None
    branding: BrandingInput | None = None

    @field_validator("name", "slug")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value


class DraftSummary(Schema):
    id: str
    revision: int
    has_changes: bool
    last_edited_at: Timestamp


class ReleaseSummary(Schema):
    id: str
    version: int
    state: str
    published_at: Timestamp


class AppRead(Schema):
    id: str = Field(examples=["app_01jd7x3k5q9n2m4p6r8t0v2w4y"])
    slug: str
    name: str
    description: str | None
    company_url: str | None
    server_instructions: str | None
    branding: Branding
    starter_template_id: str | None
    public_mcp_id: str
    endpoint: str | None = Field(
        description="MCP endpoint of the live release, or null."
    )
    current_draft: DraftSummary
    latest_release: ReleaseSummary | None
    created_at: Timestamp
    updated_at: Timestamp


def to_read(app: App, settings: Settings) -> AppRead:
    release = app.latest_release
    return AppRead(
        id=app.id,
        slug=app.slug,
        name=app.name,
        description=app.description,
        company_url=app.company_url,
        server_instructions=app.server_instructions,
        branding=Branding.model_validate(app.branding or {}),
        starter_template_id=app.starter_template_id,
        public_mcp_id=app.public_mcp_id,
        endpoint=settings.endpoint_for(app.public_mcp_id) if release else None,
        current_draft=DraftSummary.model_validate(app.current_draft),
        latest_release=ReleaseSummary.model_validate(release) if release else None,
        created_at=app.created_at,
        updated_at=app.updated_at,
    )


_BRANDING_FIELDS = tuple(Branding.model_fields)


def read_document(row: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """`to_read` of the same app, as the JSON-ready dict it serializes to.

    GET /apps/{id} is the dashboards' hottest read: building the ORM instances, the
    model and its validation cost a fifth of the request (issue 6, P1), so the row of
    `repository.read_app_summary` is rendered directly. Tests hold the two renderings
    equal.
    """
    if row["draft_id"] is None:
        raise LookupError(f"app {row['id']} has no current draft")
    branding = row["branding"] or {}
    released = row["release_id"] is not None
    return {
        "id": row["id"],
        "slug": row["slug"],
        "name": row["name"],
        "description": row["description"],
        "company_url": row["company_url"],
        "server_instructions": row["server_instructions"],
        "branding": {name: branding.get(name) for name in _BRANDING_FIELDS},
        "starter_template_id": row["starter_template_id"],
        "public_mcp_id": row["public_mcp_id"],
        "endpoint": settings.endpoint_for(row["public_mcp_id"]) if released else None,
        "current_draft": {
            "id": row["draft_id"],
            "revision": row["draft_revision"],
            "has_changes": row["draft_has_changes"],
            "last_edited_at": format_timestamp(row["draft_last_edited_at"]),
        },
        "latest_release": (
            {
                "id": row["release_id"],
                "version": row["release_version"],
                "state": row["release_state"],
                "published_at": format_timestamp(row["release_published_at"]),
            }
            if released
            else None
        ),
        "created_at": format_timestamp(row["created_at"]),
        "updated_at": format_timestamp(row["updated_at"]),
    }
