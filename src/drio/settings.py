"""Configuration, read from the environment once and cached."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    production = "production"


class LogFormat(StrEnum):
    console = "console"
    json = "json"


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DRIO_", extra="ignore", env_ignore_empty=True
    )

    env: Environment = Field(
        default=Environment.development,
        description="development or production; production refuses unsafe settings.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "DRIO_DATABASE_URL"),
        description="PostgreSQL URL. Unset means an embedded PostgreSQL in the data folder.",
    )
    data_dir: Path = Field(
        default=Path(".drio"),
        description="Folder for the embedded database, development keys and secrets key.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The server's public base URL, used in discovery documents and Location.",
    )
    resource: str | None = Field(
        default=None,
        description="Resource identifier tokens must carry in aud (default: public_url).",
    )
    extra_audiences: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Further accepted token audiences, comma-separated.",
    )
    authkit_issuer: str | None = Field(
        default=None,
        description="The AuthKit issuer URL. Unset means development auth.",
    )
    authkit_jwks_url: str | None = Field(
        default=None,
        description="Where the issuer's keys are (default <issuer>/oauth2/jwks).",
    )
    secrets_key: SecretStr | None = Field(
        default=None,
        description="Fernet key for auth-connection secrets; generated in development.",
    )
    mcp_endpoint_template: str | None = Field(
        default=None,
        description="Template of a release endpoint; {public_mcp_id} is replaced.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated allowed browser origins."
    )
    log_format: LogFormat = Field(
        default=LogFormat.console,
        description="console (human) or json (one object a line).",
    )
    log_level: str = Field(default="INFO", description="Root log level.")
    db_pool_size: int = Field(default=10, ge=1, description="Connections per worker.")
    jwks_cache_seconds: int = Field(
        default=300, ge=1, description="How long fetched signing keys are trusted."
    )
    jwks_refetch_cooldown_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Least time between two JWKS fetches caused by unknown key ids.",
    )
    dev_access_token_seconds: int = Field(
        default=3600,
        ge=1,
        description="Lifetime of access tokens from the development OAuth server.",
    )
    debug_query_count: bool = Field(
        default=False,
        description="Answer every request with X-Query-Count (SQL statements run).",
    )

    @model_validator(mode="before")
    @classmethod
    def _split_lists(cls, data: object) -> object:
        if isinstance(data, dict):
            for name in ("cors_origins", "extra_audiences"):
                value = data.get(name)
                if isinstance(value, str):
                    data[name] = [p.strip() for p in value.split(",") if p.strip()]
        return data

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.authkit_issuer is not None and not self.authkit_issuer.startswith(
            "https://"
        ):
            loopback_http = self.authkit_issuer.startswith("http://") and _is_loopback(
                self.authkit_issuer
            )
            if self.env is Environment.production or not loopback_http:
                raise ValueError(
                    "DRIO_AUTHKIT_ISSUER must be an https URL "
                    "(http is accepted only on a loopback address in development)"
                )
        if self.env is Environment.production:
            if self.authkit_issuer is None:
                raise ValueError(
                    "production needs DRIO_AUTHKIT_ISSUER: development auth is refused"
                )
            if self.secrets_key is None:
                raise ValueError("production needs DRIO_SECRETS_KEY")
        return self

    @property
    def development_auth(self) -> bool:
        return self.authkit_issuer is None

    @property
    def issuer(self) -> str:
        return self.authkit_issuer or self.public_url

    @property
    def jwks_url(self) -> str:
        if self.authkit_jwks_url:
            return self.authkit_jwks_url
        return f"{self.issuer}/oauth2/jwks"

    @property
    def audiences(self) -> list[str]:
        return [self.resource or self.public_url, *self.extra_audiences]

    def endpoint_for(self, public_mcp_id: str) -> str:
        template = (
            self.mcp_endpoint_template or f"{self.public_url}/mcp/{{public_mcp_id}}"
        )
        return template.replace("{public_mcp_id}", public_mcp_id)


@lru_cache
def get_settings() -> Settings:
    return Settings()
