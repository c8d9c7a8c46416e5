"""The provider catalogs shipped with the server: static, the same for every tenant."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OAUTH2 = "oauth2"
API_KEY = "api_key"
BEARER = "bearer"
BASIC = "basic"
AUTH_KINDS = (OAUTH2, API_KEY, BEARER, BASIC)


@dataclass(frozen=True, slots=True)
class AuthProvider:
    key: str
    name: str
    kind: str
    docs_url: str
    # Config values a new connection starts from; the caller's values win.
    presets: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "docs_url": self.docs_url,
            "presets": self.presets,
        }


@dataclass(frozen=True, slots=True)
class IntegrationProvider:
    key: str
    name: str
    docs_url: str
    base_url: str | None
    # Auth providers whose connections this provider accepts; empty means any.
    auth_provider_keys: tuple[str, ...] = ()
    default_headers: dict[str, str] = field(default_factory=dict)

    def accepts(self, auth_provider_key: str) -> bool:
        return not self.auth_provider_keys or auth_provider_key in (
            self.auth_provider_keys
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "key": self.key,
            "name": self.name,
            "kind": "http",
            "docs_url": self.docs_url,
            "presets": {
                "base_url": self.base_url,
                "default_headers": self.default_headers,
                "auth_provider_keys": list(self.auth_provider_keys),
            },
        }


def _oauth(
    authorization_endpoint: str, token_endpoint: str, scopes: list[str]
) -> dict[str, Any]:
    return {
        "authorization_endpoint": authorization_endpoint,
        "token_endpoint": token_endpoint,
        "scopes": scopes,
    }


AUTH_PROVIDERS: dict[str, AuthProvider] = {
    p.key: p
    for p in (
        AuthProvider(
            "custom-oauth",
            "Custom OAuth 2.0",
            OAUTH2,
            "https://www.rfc-editor.org/rfc/rfc6749",
        ),
        AuthProvider(
            "api-key",
            "API key",
            API_KEY,
            "https://swagger.io/docs/specification/authentication/api-keys/",
            {"header_name": "X-API-Key"},
        ),
        AuthProvider(
            "bearer-token",
            "Bearer token",
            BEARER,
            "https://www.rfc-editor.org/rfc/rfc6750",
        ),
        AuthProvider(
            "basic-auth",
            "HTTP Basic",
            BASIC,
            "https://www.rfc-editor.org/rfc/rfc7617",
        ),
        AuthProvider(
            "github",
            "GitHub",
            OAUTH2,
            "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps",
            _oauth(
                "https://github.com/login/oauth/authorize",
                "https://github.com/login/oauth/access_token",
                ["read:user", "repo"],
            ),
        ),
        AuthProvider(
            "google",
            "Google",
            OAUTH2,
            "https://developers.google.com/identity/protocols/oauth2/web-server",
            _oauth(
                "https://accounts.google.com/o/oauth2/v2/auth",
                "https://oauth2.googleapis.com/token",
                ["openid", "email", "profile"],
            ),
        ),
        AuthProvider(
            "hubspot",
            "HubSpot",
            OAUTH2,
            "https://developers.hubspot.com/docs/api/oauth-quickstart-guide",
            _oauth(
                "https://app.hubspot.com/oauth/authorize",
                "https://api.hubapi.com/oauth/v1/token",
                ["crm.objects.contacts.read", "crm.objects.contacts.write"],
            ),
        ),
        AuthProvider(
            "slack",
            "Slack",
            OAUTH2,
            "https://api.slack.com/authentication/oauth-v2",
            _oauth(
                "https://slack.com/oauth/v2/authorize",
                "https://slack.com/api/oauth.v2.access",
                ["channels:read", "chat:write"],
            ),
        ),
        AuthProvider(
            "stripe",
            "Stripe",
            OAUTH2,
            "https://docs.stripe.com/connect/oauth-reference",
            _oauth(
                "https://connect.stripe.com/oauth/authorize",
                "https://connect.stripe.com/oauth/token",
                ["read_write"],
            ),
        ),
    )
}

INTEGRATION_PROVIDERS: dict[str, IntegrationProvider] = {
    p.key: p
    for p in (
        IntegrationProvider(
            "http",
            "HTTP API",
            "https://www.rfc-editor.org/rfc/rfc9110",
            None,
        ),
        IntegrationProvider(
            "github",
            "GitHub REST API",
            "https://docs.github.com/en/rest",
            "https://api.github.com",
            ("github", "custom-oauth", "bearer-token"),
            {"Accept": "application/vnd.github+json"},
        ),
        IntegrationProvider(
            "google",
            "Google APIs",
            "https://developers.google.com/apis-explorer",
            "https://www.googleapis.com",
            ("google", "custom-oauth", "api-key"),
        ),
        IntegrationProvider(
            "hubspot",
            "HubSpot CRM API",
            "https://developers.hubspot.com/docs/api/overview",
            "https://api.hubapi.com",
            ("hubspot", "custom-oauth", "bearer-token"),
        ),
        IntegrationProvider(
            "slack",
            "Slack Web API",
            "https://api.slack.com/web",
            "https://slack.com/api",
            ("slack", "custom-oauth", "bearer-token"),
        ),
        IntegrationProvider(
            "stripe",
            "Stripe API",
            "https://docs.stripe.com/api",
            "https://api.stripe.com",
            ("stripe", "bearer-token", "basic-auth"),
        ),
    )
}
