"""Starter templates an app can be created from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from drio.models.app import App


@dataclass(frozen=True, slots=True)
class Starter:
    id: str
    name: str
    description: str
    adds: dict[str, int] = field(default_factory=dict)
    # Fills a new app's first draft; set by the authoring-resource modules.
    seed: Callable[[AsyncSession, App], Awaitable[None]] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.id,
            "name": self.name,
            "description": self.description,
            "adds": self.adds,
        }


STARTERS: dict[str, Starter] = {}


def register_starter(starter: Starter) -> None:
    STARTERS[starter.id] = starter
