"""Timestamps: UTC, millisecond precision, rendered as RFC 3339 with a Z."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer


def utcnow() -> datetime:
    """Now, truncated to milliseconds so stored and shown values are equal."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def format_timestamp(value: datetime) -> str:
    if value.utcoffset():
        value = value.astimezone(UTC)
    # isoformat is implemented in C; serializing thousands of resources calls this a lot.
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


Timestamp = Annotated[
    datetime,
    PlainSerializer(format_timestamp, return_type=str, when_used="json"),
]
