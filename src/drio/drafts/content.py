"""A draft's content: one document holding the app settings and every resource.

The same document is shown by `GET /draft`, frozen into each release, hashed to tell
whether a draft has changes, and compared with the source release for `/draft/changes`.
Each kind of authoring resource adds itself as a Section; this module knows none of them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from drio.models.app import App

Content = dict[str, Any]
Item = dict[str, Any]

APP_FIELDS = ("name", "description", "company_url", "server_instructions", "branding")
BRANDING_FIELDS = (
    "primary_color",
    "accent_color",
    "background_color",
    "font_family",
    "border_radius",
)
# Fields that say when something was written, not what it is: ignored by the hash
# and the diff, so editing a value back to its released state means "no changes".
VOLATILE_FIELDS = frozenset({"created_at", "updated_at", "last_validated_at"})


@dataclass(frozen=True, slots=True)
class Section:
    """One kind of authoring resource in the content document."""

    name: str  # key in the content document, e.g. "tools"
    entity_type: str  # e.g. "tool"
    load: Callable[[AsyncSession, App], Awaitable[list[Item]]]
    # Encrypted values kept out of the content, frozen with a release: {id: {...}}.
    seal: Callable[[AsyncSession, App], Awaitable[dict[str, Any]]] | None = None
    # The table of its rows (each with an app_id), fingerprinted by `fingerprint`.
    table: str | None = None


SECTIONS: list[Section] = []


def register_section(section: Section) -> None:
    if any(s.name == section.name for s in SECTIONS):
        return
    SECTIONS.append(section)


def app_settings(app: App) -> Item:
    branding = {name: (app.branding or {}).get(name) for name in BRANDING_FIELDS}
    return {
        "name": app.name,
        "description": app.description,
        "company_url": app.company_url,
        "server_instructions": app.server_instructions,
        "branding": branding,
    }


async def build_content(session: AsyncSession, app: App) -> Content:
    content: Content = {"app": app_settings(app)}
    for section in SECTIONS:
        content[section.name] = await section.load(session, app)
    return content


async def seal_secrets(session: AsyncSession, app: App) -> dict[str, Any]:
    sealed: dict[str, Any] = {}
    for section in SECTIONS:
        if section.seal is not None:
            sealed.update(await section.seal(session, app))
    return sealed


async def fingerprint(session: AsyncSession, app: App) -> str:
    """A digest of the draft's stored state, computed by PostgreSQL in one query.

    Two drafts with the same fingerprint hold the same content, so comparing it with
    the fingerprint taken at publish time tells whether the draft has changes. Unlike
    `content_hash`, it never loads the resources into Python: a write to a draft of
    thousands of resources costs one aggregate query, not a full read.
    """
    volatile = " ".join(f"- '{name}'" for name in sorted(VOLATILE_FIELDS))
    app_settings_sql = (
        "SELECT 'app' AS part, md5(jsonb_build_object("
        "'name', name, 'description', description, 'company_url', company_url, "
        "'server_instructions', server_instructions, 'branding', branding)::text) AS digest "
        "FROM apps WHERE id = :app_id"
    )
    parts = [app_settings_sql]
    for section in SECTIONS:
        if section.table is None:
            continue
        # Table names come from the ORM models, never from input.
        parts.append(
            f"SELECT '{section.name}', md5(coalesce(string_agg("  # noqa: S608
            f"md5((to_jsonb(t) {volatile})::text), ',' ORDER BY t.id), '')) "
            f"FROM {section.table} AS t WHERE t.app_id = :app_id"
        )
    rows = await session.execute(text(" UNION ALL ".join(parts)), {"app_id": app.id})
    material = "|".join(f"{part}:{digest}" for part, digest in sorted(rows.all()))
    return hashlib.sha256(material.encode()).hexdigest()


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE_FIELDS}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _by_id(items: list[Item]) -> dict[str, Item]:
    return {item["id"]: item for item in items}


def content_hash(content: Content) -> str:
    """sha256 of the canonical JSON of the content, without volatile fields.

    Resources are ordered by id, so the hash does not depend on list order.
    """
    canonical: dict[str, Any] = {}
    for key, value in content.items():
        if isinstance(value, list):
            canonical[key] = [
                _stable(value_) for _, value_ in sorted(_by_id(value).items())
            ]
        else:
            canonical[key] = _stable(value)
    raw = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _changed_fields(old: Item, new: Item) -> list[str]:
    names = (set(old) | set(new)) - VOLATILE_FIELDS
    return sorted(n for n in names if _stable(old.get(n)) != _stable(new.get(n)))


def _label(item: Item) -> str:
    return str(item.get("name") or item.get("key") or item.get("id"))


def diff(base: Content | None, draft: Content, *, app_id: str) -> list[dict[str, Any]]:
    """The entity-level changes that turn `base` (a release's content) into `draft`."""
    base = base or {}
    changes: list[dict[str, Any]] = []

    old_app = base.get("app")
    new_app = draft["app"]
    if old_app is None:
        changes.append(
            _change("app", app_id, new_app["name"], "added", sorted(new_app))
        )
    else:
        fields = _changed_fields(old_app, new_app)
        if fields:
            changes.append(_change("app", app_id, new_app["name"], "updated", fields))

    for section in SECTIONS:
        old = _by_id(base.get(section.name, []))
        new = _by_id(draft.get(section.name, []))
        for id_, item in new.items():
            if id_ not in old:
                fields = sorted(set(item) - VOLATILE_FIELDS)
                changes.append(
                    _change(section.entity_type, id_, _label(item), "added", fields)
                )
            else:
                fields = _changed_fields(old[id_], item)
                if fields:
                    changes.append(
                        _change(
                            section.entity_type, id_, _label(item), "updated", fields
                        )
                    )
        for id_, item in old.items():
            if id_ not in new:
                changes.append(
                    _change(section.entity_type, id_, _label(item), "removed", [])
                )
    return changes


def _change(
    entity_type: str, entity_id: str, label: str, change: str, fields: list[str]
) -> dict[str, Any]:
    return {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "label": label,
        "change": change,
        "fields": fields,
    }
