from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictBool, StringConstraints, field_validator

from drio.models.tool import Tool
from drio.schemas import Description, InputSchema, Key, Name, Schema
from drio.timeutil import Timestamp

MAX_NEXT_TOOLS = 16
ANNOTATION_FIELDS = (
    "title",
    "read_only_hint",
    "destructive_hint",
    "idempotent_hint",
    "open_world_hint",
)
Order = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]


class AnnotationsInput(InputSchema):
    title: Annotated[str, StringConstraints(max_length=200)] | None = None
    read_only_hint: StrictBool | None = None
    destructive_hint: StrictBool | None = None
    idempotent_hint: StrictBool | None = None
    open_world_hint: StrictBool | None = None


class Annotations(Schema):
    title: str | None = None
    read_only_hint: bool | None = None
    destructive_hint: bool | None = None
    idempotent_hint: bool | None = None
    open_world_hint: bool | None = None


class ToolCreate(InputSchema):
    name: Name = Field(examples=["Search contacts"])
    key: Key | None = Field(default=None, examples=["search-contacts"])
    description: Description = ""
    kind: Literal["function"] = "function"
    is_enabled: StrictBool = True
    order: Order = 0
    annotations: AnnotationsInput | None = None
    widget_id: str | None = None


class ToolUpdate(InputSchema):
    """Partial update; annotations is a merge patch."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"description": "Find contacts by name or email.", "is_enabled": True}
            ]
        }
    )

    name: Name | None = None
    key: Key | None = None
    description: Description | None = None
    kind: Literal["function"] | None = None
    is_enabled: StrictBool | None = None
    order: Order | None = None
    annotations: AnnotationsInput | None = None
    widget_id: str | None = None

    @field_validator("name", "key", "kind", "is_enabled", "order")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value


class BindingPut(InputSchema):
    operation_id: str | None = Field(
        description="The operation to bind, or null to unbind.",
        examples=["operation_01jd7x3k5q9n2m4p6r8t0v2w4y"],
    )


class ChainPut(InputSchema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"next_tool_ids": ["tool_01jd7x3k5q9n2m4p6r8t0v2w4y"]}]
        }
    )

    next_tool_ids: list[str] = Field(max_length=MAX_NEXT_TOOLS)


class Binding(Schema):
    type: Literal["integration_operation"] = "integration_operation"
    integration_id: str
    operation_id: str
    schema_hash_at_bind_time: str
    status: str = Field(
        description="ready, or stale when the operation's schemas moved."
    )


class ToolRead(Schema):
    id: str = Field(examples=["tool_01jd7x3k5q9n2m4p6r8t0v2w4y"])
    app_id: str
    key: str
    name: str
    description: str
    kind: str
    is_enabled: bool
    order: int
    annotations: Annotations
    widget_id: str | None
    binding: Binding | None
    next_tool_ids: list[str]
    created_at: Timestamp
    updated_at: Timestamp


def binding_of(tool: Tool) -> Binding | None:
    """The binding, with its status computed from the operation's schema hash now."""
    operation = tool.operation
    if operation is None or tool.schema_hash_at_bind_time is None:
        return None
    stale = operation.schema_hash != tool.schema_hash_at_bind_time
    return Binding(
        integration_id=operation.integration_id,
        operation_id=operation.id,
        schema_hash_at_bind_time=tool.schema_hash_at_bind_time,
        status="stale" if stale else "ready",
    )


def to_read(tool: Tool) -> ToolRead:
    return ToolRead(
        id=tool.id,
        app_id=tool.app_id,
        key=tool.key,
        name=tool.name,
        description=tool.description,
        kind=tool.kind,
        is_enabled=tool.is_enabled,
        order=tool.order,
        annotations=Annotations.model_validate(tool.annotations),
        widget_id=tool.widget_id,
        binding=binding_of(tool),
        next_tool_ids=list(tool.next_tool_ids),
        created_at=tool.created_at,
        updated_at=tool.updated_at,
    )
