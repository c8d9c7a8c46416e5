"""The draft validation report: checks registered by each resource, run on publish."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drio.drafts.content import Content

Issue = dict[str, Any]
Check = Callable[[Content], list[Issue]]

CHECKS: list[Check] = []


def register_check(check: Check) -> None:
    if check not in CHECKS:
        CHECKS.append(check)


def issue(
    code: str,
    message: str,
    *,
    severity: str = "error",
    references: list[dict[str, str]] | None = None,
) -> Issue:
    return {
        "code": code,
        "severity": severity,
        "blocks_publish": severity == "error",
        "message": message,
        "references": references or [],
    }


def reference(entity_type: str, item: dict[str, Any]) -> dict[str, str]:
    return {
        "entity_type": entity_type,
        "entity_id": str(item["id"]),
        "label": str(item.get("name") or item.get("key") or item["id"]),
    }


def validate(content: Content) -> dict[str, Any]:
    issues = [found for check in CHECKS for found in check(content)]
    errors = sum(1 for i in issues if i["severity"] == "error")
    warnings = sum(1 for i in issues if i["severity"] == "warning")
    return {
        "ok": not any(i["blocks_publish"] for i in issues),
        "error_count": errors,
        "warning_count": warnings,
        "issues": issues,
    }
