"""The development issuer's signing key, kept in the data folder."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

KEY_FILE = "dev-signing-key.json"
DEV_USER_ID = "user_local_developer"
# The organization the development OAuth flow signs the local developer into.
DEV_ORG_ID = "org_local_development"
DEV_USER_EMAIL = "developer@localhost"
DEV_USER_NAME = "Local Developer"
DEFAULT_SCOPE = "openid profile email"


def load_or_create_signing_key(data_dir: Path) -> RSAKey:
    """Return the development RS256 key, creating it on first use (mode 0600)."""
    path = data_dir / KEY_FILE
    if path.exists():
        key = RSAKey.import_key(json.loads(path.read_text()))
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = RSAKey.generate_key(2048, private=True)
    kid = key.thumbprint()
    key = RSAKey.import_key(
        {**key.as_dict(private=True), "kid": kid, "use": "sig", "alg": "RS256"}
    )
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(key.as_dict(private=True), f)
    # Two processes racing here both end with one key: the first rename wins.
    if path.exists():
        tmp.unlink()
        return RSAKey.import_key(json.loads(path.read_text()))
    tmp.replace(path)
    return key


def public_jwks(key: RSAKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False)]}


def mint_access_token(
    key: RSAKey,
    *,
    issuer: str,
    audience: str,
    subject: str = DEV_USER_ID,
    org_id: str | None = None,
    scope: str = DEFAULT_SCOPE,
    expires_in: int = 3600,
    extra_claims: dict[str, Any] | None = None,
) -> str:
    """Sign an access token shaped like AuthKit's."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "sid": f"session_{secrets.token_hex(8)}",
        "jti": secrets.token_urlsafe(16),
        "scope": scope,
        "iat": now,
        "exp": now + expires_in,
    }
    if org_id:
        claims["org_id"] = org_id
    if subject == DEV_USER_ID:
        claims.setdefault("email", DEV_USER_EMAIL)
        claims.setdefault("name", DEV_USER_NAME)
    claims.update(extra_claims or {})
    header = {"alg": "RS256", "typ": "JWT", "kid": key.kid}
    return jwt.encode(header, claims, KeySet([key]))
