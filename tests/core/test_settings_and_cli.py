from __future__ import annotations

from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from pydantic import ValidationError
from typer.testing import CliRunner

from drio.auth.keys import load_or_create_signing_key
from drio.cli import cli
from drio.settings import Settings, get_settings


class TestSettings:
    def test_defaults(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in (
            "DATABASE_URL",
            "DRIO_AUTHKIT_ISSUER",
            "DRIO_ENV",
            "DRIO_PUBLIC_URL",
        ):
            monkeypatch.delenv(name, raising=False)

        settings = Settings()

        assert settings.development_auth is True
        assert settings.public_url == "http://127.0.0.1:8000"
        assert settings.audiences == ["http://127.0.0.1:8000"]
        assert settings.jwks_url == "http://127.0.0.1:8000/oauth2/jwks"
        assert settings.endpoint_for("mcp_x") == "http://127.0.0.1:8000/mcp/mcp_x"

    def test_production_refuses_development_auth(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("DRIO_ENV", "production")
        monkeypatch.setenv("DRIO_AUTHKIT_ISSUER", "")
        monkeypatch.setenv("DRIO_SECRETS_KEY", "")

        with pytest.raises(ValidationError, match="DRIO_AUTHKIT_ISSUER"):
            Settings()

    def test_production_refuses_http_issuer_and_missing_secrets_key(self) -> None:
        with pytest.raises(ValidationError, match="https"):
            Settings(
                env="production", authkit_issuer="http://127.0.0.1:9", secrets_key="k"
            )
        with pytest.raises(ValidationError, match="DRIO_SECRETS_KEY"):
            Settings(env="production", authkit_issuer="https://acme.authkit.app")

    def test_http_issuer_only_on_loopback_in_development(self) -> None:
        assert (
            Settings(authkit_issuer="http://127.0.0.1:9").issuer == "http://127.0.0.1:9"
        )
        with pytest.raises(ValidationError):
            Settings(authkit_issuer="http://issuer.example.com")

    def test_lists_and_urls_from_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("DRIO_CORS_ORIGINS", "https://a.example, https://b.example")
        monkeypatch.setenv("DRIO_AUTHKIT_ISSUER", "https://acme.authkit.app")
        monkeypatch.setenv("DRIO_RESOURCE", "https://api.acme.test")

        settings = Settings()

        assert settings.cors_origins == ["https://a.example", "https://b.example"]
        assert settings.jwks_url == "https://acme.authkit.app/oauth2/jwks"
        assert settings.audiences == ["https://api.acme.test"]


class TestTokenCommand:
    def test_prints_a_token_the_server_accepts(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("DRIO_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("DRIO_AUTHKIT_ISSUER", raising=False)
        get_settings.cache_clear()

        result = CliRunner().invoke(
            cli, ["token", "--org", "org_cli", "--expires-in", "60"]
        )
        get_settings.cache_clear()

        assert result.exit_code == 0, result.output
        token = result.stdout.strip()
        assert "\n" not in token
        key = load_or_create_signing_key(tmp_path)
        decoded = jwt.decode(token, KeySet([key]), algorithms=["RS256"])
        assert decoded.header["kid"] == key.kid
        assert decoded.claims["org_id"] == "org_cli"
        assert decoded.claims["aud"] == "http://127.0.0.1:8000"
        assert decoded.claims["exp"] - decoded.claims["iat"] == 60

    def test_refused_when_an_issuer_is_configured(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("DRIO_AUTHKIT_ISSUER", "https://acme.authkit.app")
        get_settings.cache_clear()

        result = CliRunner().invoke(cli, ["token"])
        get_settings.cache_clear()

        assert result.exit_code == 2

    def test_signing_key_is_private_and_stable(self, tmp_path: Path) -> None:
        first = load_or_create_signing_key(tmp_path)
        second = load_or_create_signing_key(tmp_path)

        assert first.kid == second.kid
        assert (tmp_path / "dev-signing-key.json").stat().st_mode & 0o077 == 0
