"""Who is calling: built from a verified token's claims."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

READ_SCOPE = "drio:read"
WRITE_SCOPE = "drio:write"
PUBLISH_SCOPE = "drio:publish"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    org_id: str | None
    scopes: frozenset[str]
    claims: dict[str, Any] = field(repr=False)

    @property
    def tenant_id(self) -> str:
        """Organizations and users live in separate namespaces, so ids never clash."""
        if self.org_id:
            return f"org:{self.org_id}"
        return f"user:{self.subject}"

    @property
    def email(self) -> str | None:
        return _str_claim(self.claims, "email")

    @property
    def name(self) -> str | None:
        name = _str_claim(self.claims, "name")
        if name:
            return name
        parts = [
            _str_claim(self.claims, "given_name")
            or _str_claim(self.claims, "first_name"),
            _str_claim(self.claims, "family_name")
            or _str_claim(self.claims, "last_name"),
        ]
        joined = " ".join(p for p in parts if p)
        return joined or None

    @property
    def image(self) -> str | None:
        return _str_claim(self.claims, "picture") or _str_claim(
            self.claims, "profile_picture_url"
        )

    def allows(self, needed: str) -> bool:
        """Tokens with any drio: scope are held to them; others may do everything."""
        if not any(s.startswith("drio:") for s in self.scopes):
            return True
        return needed in self.scopes


def _str_claim(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) and value else None
