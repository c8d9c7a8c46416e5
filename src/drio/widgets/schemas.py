from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from drio.models.widget import Widget
from drio.schemas import HttpUrl, InputSchema, Key, Name, Schema
from drio.timeutil import Timestamp

MAX_ACTIONS = 20
MAX_STYLE_BYTES = 64 * 1024


class WidgetType(StrEnum):
    data_table = "data-table"
    list = "list"
    card = "card"
    detail = "detail"
    chart = "chart"
    form = "form"
    markdown = "markdown"


class DisplayMode(StrEnum):
    inline = "inline"
    fullscreen = "fullscreen"
    pip = "pip"


class Visibility(StrEnum):
    visible = "visible"
    hidden = "hidden"


class Trigger(StrEnum):
    row_select = "row.select"
    item_select = "item.select"
    button_click = "button.click"
    form_submit = "form.submit"


class ActionType(StrEnum):
    call_tool = "call_tool"
    open_url = "open_url"
    send_message = "send_message"


class CallMode(StrEnum):
    once = "once"
    always = "always"


JsonPath = Annotated[
    str,
    StringConstraints(min_length=1, max_length=1000, pattern=r"^\$"),
    Field(examples=["$.contacts[*].email"]),
]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class WidgetConfig(InputSchema):
    field_mappings: dict[FieldName, JsonPath] = Field(
        default_factory=dict,
        description="Display field -> JSONPath into the tool result.",
    )
    style: dict[str, Any] = Field(
        default_factory=dict,
        description=f"Free-form presentation hints, at most {MAX_STYLE_BYTES} bytes.",
    )

    @field_validator("style")
    @classmethod
    def _style_size(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Checked on the merged config too, so PATCHes cannot grow it past the limit.
        if len(json.dumps(value, separators=(",", ":")).encode()) > MAX_STYLE_BYTES:
            raise ValueError("is larger than 64 KiB")
        return value


class Action(InputSchema):
    trigger: Trigger
    type: ActionType
    target_tool_id: str | None = Field(default=None, description="For call_tool.")
    url: HttpUrl | None = Field(default=None, description="For open_url.")
    template: Annotated[str, StringConstraints(max_length=4000)] | None = Field(
        default=None,
        description="Mustache text over the triggering item.",
        examples=["{{ row.email }}"],
    )
    call_mode: CallMode = CallMode.once

    @model_validator(mode="after")
    def _fields_of_type(self) -> Action:
        if self.target_tool_id is not None and self.type is not ActionType.call_tool:
            raise ValueError("target_tool_id is only for call_tool actions")
        if self.url is not None and self.type is not ActionType.open_url:
            raise ValueError("url is only for open_url actions")
        return self


class WidgetCreate(InputSchema):
    name: Name = Field(examples=["Contact table"])
    key: Key | None = Field(default=None, examples=["contact-table"])
    type: WidgetType = Field(examples=["data-table"])
    tool_id: str | None = None
    display_mode: DisplayMode = DisplayMode.inline
    visibility: Visibility = Visibility.visible
    config: WidgetConfig | None = None
    actions: list[Action] = Field(default_factory=list, max_length=MAX_ACTIONS)


class WidgetUpdate(InputSchema):
    """Partial update; config is a merge patch. Actions have their own PUT."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Contacts",
                    "config": {"field_mappings": {"Email": "$.contacts[*].email"}},
                }
            ]
        }
    )

    name: Name | None = None
    key: Key | None = None
    type: WidgetType | None = None
    tool_id: str | None = None
    display_mode: DisplayMode | None = None
    visibility: Visibility | None = None
    config: dict[str, Any] | None = None

    @field_validator("name", "key", "type", "display_mode", "visibility")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value


class ActionsPut(InputSchema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "actions": [
                        {
                            "trigger": "row.select",
                            "type": "send_message",
                            "template": "Tell me about {{ row.email }}",
                        }
                    ]
                }
            ]
        }
    )

    actions: list[Action] = Field(max_length=MAX_ACTIONS)


class ActionRead(Schema):
    trigger: str
    type: str
    target_tool_id: str | None
    url: str | None
    template: str | None
    call_mode: str


class WidgetConfigRead(Schema):
    field_mappings: dict[str, str]
    style: dict[str, Any]


class WidgetRead(Schema):
    id: str = Field(examples=["widget_01jd7x3k5q9n2m4p6r8t0v2w4y"])
    app_id: str
    key: str
    name: str
    type: str
    tool_id: str | None
    display_mode: str
    visibility: str
    config: WidgetConfigRead
    actions: list[ActionRead]
    created_at: Timestamp
    updated_at: Timestamp


def to_read(widget: Widget) -> WidgetRead:
    config = {"field_mappings": {}, "style": {}, **widget.config}
    return WidgetRead(
        id=widget.id,
        app_id=widget.app_id,
        key=widget.key,
        name=widget.name,
        type=widget.type,
        tool_id=widget.tool_id,
        display_mode=widget.display_mode,
        visibility=widget.visibility,
        config=WidgetConfigRead.model_validate(config),
        actions=[ActionRead.model_validate(a) for a in widget.actions],
        created_at=widget.created_at,
        updated_at=widget.updated_at,
    )
