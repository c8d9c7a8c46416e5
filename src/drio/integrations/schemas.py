from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum
from typing import Annotated, Any

from jsonschema import SchemaError
from jsonschema.validators import Draft202012Validator, validator_for
from pydantic import ConfigDict, Field, StringConstraints, field_validator

from drio.errors import ValidationFailed
from drio.models.integration import Integration, Operation
from drio.schemas import Description, HttpUrl, InputSchema, Key, Name, Schema
from drio.timeutil import Timestamp

MAX_SCHEMA_BYTES = 256 * 1024
HeaderName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$")
]
# No control characters but tab: a CR or LF would split the header when it is sent.
HeaderValue = Annotated[
    str, StringConstraints(max_length=2048, pattern=r"^[^\x00-\x08\x0a-\x1f\x7f]*$")
]
# Credentials belong in an auth connection, where they are encrypted.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
Timeout = Annotated[int, Field(strict=True, ge=100, le=60_000)]
MAX_HEADERS = 50
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_headers(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is not None and len(value) > MAX_HEADERS:
        raise ValueError(f"at most {MAX_HEADERS} headers")
    for name in value or {}:
        if name.lower() in SECRET_HEADERS:
            raise ValueError(
                f"'{name}' carries credentials: use an auth connection instead"
            )
    return value


class IntegrationCreate(InputSchema):
    name: Name = Field(examples=["CRM API"])
    key: Key | None = Field(default=None, examples=["crm-api"])
    provider_key: str = Field(default="http", examples=["http"])
    base_url: HttpUrl | None = Field(
        default=None,
        examples=["https://api.example.com/v1"],
        description="Absolute http(s) URL; defaults to the provider's.",
    )
    auth_connection_id: str | None = None
    default_headers: dict[HeaderName, HeaderValue] | None = None
    timeout_ms: Timeout = 10_000

    @field_validator("default_headers")
    @classmethod
    def _no_secrets(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return _check_headers(value)


class IntegrationUpdate(InputSchema):
    """Partial update; default_headers is a merge patch."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"base_url": "https://api.example.com/v2", "timeout_ms": 10000}
            ]
        }
    )

    name: Name | None = None
    key: Key | None = None
    base_url: HttpUrl | None = None
    auth_connection_id: str | None = None
    default_headers: dict[HeaderName, HeaderValue | None] | None = None
    timeout_ms: Timeout | None = None

    @field_validator("name", "key", "base_url", "timeout_ms")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value

    @field_validator("default_headers")
    @classmethod
    def _no_secrets(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return _check_headers(value)


class IntegrationRead(Schema):
    id: str = Field(examples=["integration_01jd7x3k5q9n2m4p6r8t0v2w4y"])
    app_id: str
    key: str
    name: str
    provider_key: str
    base_url: str
    auth_connection_id: str | None
    default_headers: dict[str, str]
    timeout_ms: int
    created_at: Timestamp
    updated_at: Timestamp


class Method(StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


OperationPath = Annotated[
    str, StringConstraints(min_length=1, max_length=2048, pattern=r"^/\S*$")
]


def _default_input() -> dict[str, Any]:
    return {"type": "object", "properties": {}}


def _default_output() -> dict[str, Any]:
    return {"type": "object"}


class OperationCreate(InputSchema):
    name: Name = Field(examples=["Search contacts"])
    key: Key | None = Field(default=None, examples=["search-contacts"])
    description: Description = ""
    method: Method = Field(examples=["GET"])
    path: OperationPath = Field(examples=["/contacts/{contact_id}"])
    input_schema: dict[str, Any] = Field(default_factory=_default_input)
    output_schema: dict[str, Any] = Field(default_factory=_default_output)


class OperationUpdate(InputSchema):
    """Partial update; a schema given replaces the stored one whole."""

    name: Name | None = None
    key: Key | None = None
    description: Description | None = None
    method: Method | None = None
    path: OperationPath | None = None
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None

    @field_validator("name", "key", "method", "path", "input_schema", "output_schema")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value


class OperationRead(Schema):
    id: str = Field(examples=["operation_01jd7x3k5q9n2m4p6r8t0v2w4y"])
    app_id: str
    integration_id: str
    key: str
    name: str
    description: str
    method: str
    path: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    schema_hash: str = Field(
        description="sha256 of the canonical JSON of both schemas."
    )
    created_at: Timestamp
    updated_at: Timestamp


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def schema_hash(input_schema: dict[str, Any], output_schema: dict[str, Any]) -> str:
    raw = _canonical({"input_schema": input_schema, "output_schema": output_schema})
    return hashlib.sha256(raw.encode()).hexdigest()


def check_json_schema(schema: dict[str, Any], *, field: str) -> None:
    """The schema is a valid JSON Schema (its $schema's dialect, default 2020-12)."""
    if len(_canonical(schema).encode()) > MAX_SCHEMA_BYTES:
        raise ValidationFailed.field(field, "is larger than 256 KiB", "too_large")
    try:
        validator = validator_for(schema, default=Draft202012Validator)
        validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path)
        suffix = f" (at /{where})" if where else ""
        raise ValidationFailed.field(
            field, f"not a valid JSON Schema: {exc.message}{suffix}", "json_schema"
        ) from None


def check_path(path: str, input_schema: dict[str, Any]) -> None:
    """Every {placeholder} of the path names a property of the input schema."""
    if path.count("{") != path.count("}"):
        raise ValidationFailed.field("path", "has unbalanced braces", "path")
    properties = input_schema.get("properties")
    names = set(properties) if isinstance(properties, dict) else set()
    for placeholder in PLACEHOLDER.findall(path):
        if not PARAM_NAME.match(placeholder):
            raise ValidationFailed.field(
                "path", f"'{{{placeholder}}}' is not a valid placeholder name", "path"
            )
        if placeholder not in names:
            raise ValidationFailed.field(
                "path",
                f"placeholder '{placeholder}' is not a property of input_schema",
                "path",
            )


def integration_read(integration: Integration) -> IntegrationRead:
    return IntegrationRead.model_validate(integration)


def operation_read(operation: Operation) -> OperationRead:
    return OperationRead.model_validate(operation)
