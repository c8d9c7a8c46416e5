"""Public identifiers: a type prefix, an underscore and a lowercase ULID."""

from __future__ import annotations

import re

from ulid import ULID

PREFIXES = (
    "app",
    "draft",
    "release",
    "auth",
    "integration",
    "operation",
    "tool",
    "widget",
    "mcp",
)

_SHAPE = re.compile(r"^(?P<prefix>[a-z]+)_[0-9a-hjkmnp-tv-z]{26}$")


def new_id(prefix: str) -> str:
    return f"{prefix}_{str(ULID()).lower()}"


def is_id(value: str, prefix: str) -> bool:
    """Tell whether value has the shape of an id of this prefix."""
    match = _SHAPE.match(value)
    return match is not None and match.group("prefix") == prefix
