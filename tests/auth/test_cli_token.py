"""`drio token`: a development token for scripts, in the same tenant as the OAuth flow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from typer.testing import CliRunner

from drio.auth.keys import DEV_USER_ID, load_or_create_signing_key
from drio.cli import cli
from drio.settings import get_settings


@pytest.fixture
def data_dir(tmp_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DRIO_DATA_DIR", str(tmp_data_dir))
    for name in ("DRIO_AUTHKIT_ISSUER", "DRIO_PUBLIC_URL", "DRIO_RESOURCE", "DRIO_ENV"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield tmp_data_dir
    get_settings.cache_clear()


def claims_of(output: str, key: RSAKey) -> dict[str, object]:
    token = output.strip()
    assert "\n" not in token
    return dict(jwt.decode(token, key, algorithms=["RS256"]).claims)


class TestTokenCommand:
    def test_defaults_to_the_local_user_without_organization(
        self, data_dir: Path
    ) -> None:
        result = CliRunner().invoke(cli, ["token", "--expires-in", "60"])

        assert result.exit_code == 0, result.output
        claims = claims_of(result.stdout, load_or_create_signing_key(data_dir))
        assert claims["sub"] == DEV_USER_ID
        assert "org_id" not in claims
        assert claims["aud"] == "http://127.0.0.1:8000"

    def test_empty_org_means_none(self, data_dir: Path) -> None:
        result = CliRunner().invoke(cli, ["token", "--org", ""])

        claims = claims_of(result.stdout, load_or_create_signing_key(data_dir))
        assert "org_id" not in claims
