from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, SecretStr, StringConstraints, field_validator

from drio.catalogs.providers import API_KEY, BASIC, BEARER, OAUTH2
from drio.models.auth_connection import AuthConnection
from drio.schemas import HttpUrl, InputSchema, Key, Name, Schema
from drio.timeutil import Timestamp

SECRET_NAMES = ("client_secret", "api_key", "token", "password")
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=512)]
HeaderName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$")
]


class OAuth2Config(InputSchema):
    authorization_endpoint: HttpUrl | None = None
    token_endpoint: HttpUrl | None = None
    client_id: ShortText | None = None
    scopes: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = (
        Field(default_factory=list, max_length=100)
    )
    registration_endpoint: HttpUrl | None = None


class ApiKeyConfig(InputSchema):
    header_name: HeaderName | None = None
    query_param: ShortText | None = None


class BearerConfig(InputSchema):
    pass


class BasicConfig(InputSchema):
    username: ShortText | None = None


CONFIG_MODELS: dict[str, type[InputSchema]] = {
    OAUTH2: OAuth2Config,
    API_KEY: ApiKeyConfig,
    BEARER: BearerConfig,
    BASIC: BasicConfig,
}
# What a connection of each kind needs before it is ready: config fields (any one
# of a tuple is enough) and secrets.
REQUIRED_CONFIG: dict[str, tuple[tuple[str, ...], ...]] = {
    OAUTH2: (("authorization_endpoint",), ("token_endpoint",), ("client_id",)),
    API_KEY: (("header_name", "query_param"),),
    BEARER: (),
    BASIC: (("username",),),
}
SECRETS_FOR_KIND: dict[str, str] = {
    OAUTH2: "client_secret",
    API_KEY: "api_key",
    BEARER: "token",
    BASIC: "password",
}


class SecretsInput(InputSchema):
    """Write-only secret values. A null member clears that secret."""

    client_secret: SecretStr | None = None
    api_key: SecretStr | None = None
    token: SecretStr | None = None
    password: SecretStr | None = None

    @field_validator("client_secret", "api_key", "token", "password")
    @classmethod
    def _length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not 1 <= len(value.get_secret_value()) <= 8192:
            raise ValueError("must be 1 to 8192 characters")
        return value


class AuthConnectionCreate(InputSchema):
    name: Name = Field(examples=["Primary auth"])
    key: Key | None = Field(default=None, examples=["primary-auth"])
    provider_key: str = Field(examples=["custom-oauth"])
    kind: str | None = Field(
        default=None,
        description="oauth2, api_key, bearer or basic (default: the provider's).",
    )
    config: dict[str, Any] | None = None
    secrets: SecretsInput | None = None


class AuthConnectionUpdate(InputSchema):
    """Partial update; config and secrets are merge patches."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "CRM OAuth", "secrets": {"client_secret": "new-client-secret"}}
            ]
        }
    )

    name: Name | None = None
    key: Key | None = None
    config: dict[str, Any] | None = None
    secrets: SecretsInput | None = None

    @field_validator("name", "key")
    @classmethod
    def _required(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value


class AuthConnectionRead(Schema):
    id: str = Field(examples=["auth_01jd7x3k5q9n2m4p6r8t0v2w4y"])
    app_id: str
    key: str
    name: str
    provider_key: str
    kind: str
    config: dict[str, Any]
    secrets_set: list[str] = Field(
        description="Names of the secrets that hold a value."
    )
    secrets_updated_at: Timestamp | None = Field(
        description="When a secret was last set or cleared."
    )
    status: str = Field(description="ready, or incomplete when something is missing.")
    missing: list[str]
    # The server does not test connections against providers yet, so these two stay
    # null; status only tells whether the required fields and secret are present.
    last_validated_at: Timestamp | None = Field(
        description="Always null for now: connections are not tested against providers."
    )
    last_error: str | None = Field(description="Always null for now.")
    created_at: Timestamp
    updated_at: Timestamp


def missing_fields(
    kind: str, config: dict[str, Any], secrets_set: list[str]
) -> list[str]:
    missing = [
        names[0]
        for names in REQUIRED_CONFIG.get(kind, ())
        if not any(config.get(name) for name in names)
    ]
    secret = SECRETS_FOR_KIND.get(kind)
    if secret is not None and secret not in secrets_set:
        missing.append(secret)
    return missing


def to_read(connection: AuthConnection) -> AuthConnectionRead:
    secrets_set = [n for n in SECRET_NAMES if connection.secrets_encrypted.get(n)]
    missing = missing_fields(connection.kind, connection.config, secrets_set)
    return AuthConnectionRead(
        id=connection.id,
        app_id=connection.app_id,
        key=connection.key,
        name=connection.name,
        provider_key=connection.provider_key,
        kind=connection.kind,
        config=connection.config,
        secrets_set=secrets_set,
        secrets_updated_at=connection.secrets_updated_at,
        status="incomplete" if missing else "ready",
        missing=missing,
        last_validated_at=connection.last_validated_at,
        last_error=connection.last_error,
        created_at=connection.created_at,
        updated_at=connection.updated_at,
    )
