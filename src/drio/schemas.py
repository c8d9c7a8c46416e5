"""Schema building blocks shared by every resource."""

from __future__ import annotations

import re
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

T = TypeVar("T")


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class InputSchema(BaseModel):
    """Request bodies: unknown fields are an error, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")

    def has(self, field: str) -> bool:
        return field in self.model_fields_set


SLUG_PATTERN = re.compile(r"^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$")
KEY_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9_]|-(?=[a-z0-9_]))*$")


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL")
    if any(c.isspace() for c in value):
        raise ValueError("must not contain white space")
    return value


def _check_slug(value: str) -> str:
    if not 3 <= len(value) <= 63 or not SLUG_PATTERN.match(value):
        raise ValueError(
            "must be 3 to 63 characters of a-z, 0-9 and single hyphens, "
            "start with a letter and not end with a hyphen"
        )
    return value


def _check_key(value: str) -> str:
    if not 1 <= len(value) <= 64 or not KEY_PATTERN.match(value):
        raise ValueError(
            "must be 1 to 64 characters of a-z, 0-9, underscores and single hyphens, "
            "not starting or ending with a hyphen"
        )
    return value


Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
Description = Annotated[str, StringConstraints(max_length=4000)]
LongText = Annotated[str, StringConstraints(max_length=20000)]
HttpUrl = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2048),
    AfterValidator(_check_http_url),
]
Slug = Annotated[str, AfterValidator(_check_slug)]
Key = Annotated[str, AfterValidator(_check_key)]


def slugify(text: str, *, max_length: int = 63, allow_underscore: bool = False) -> str:
    """Derive a kebab-case slug or key from a display name."""
    lowered = text.lower()
    allowed = "a-z0-9_" if allow_underscore else "a-z0-9"
    cleaned = re.sub(f"[^{allowed}]+", "-", lowered).strip("-")
    cleaned = re.sub("-{2,}", "-", cleaned)
    return cleaned[:max_length].rstrip("-")


class Actor(Schema):
    id: str
    email: str | None
    name: str | None
    image: str | None


class Page(BaseModel):
    has_more: bool
    next_cursor: str | None


class ListResponse(BaseModel, Generic[T]):
    data: list[T]
    page: Page


def merge_patch(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """RFC 7386 JSON Merge Patch of two objects."""
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge_patch(result[key], value)
        else:
            result[key] = value
    return result
