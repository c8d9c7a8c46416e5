"""Bearer-token verification against the issuer's JWKS."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jws import extract_compact

from drio.auth.principal import Principal
from drio.logging import log

LEEWAY_SECONDS = 60
# A token verified once is trusted again, without a signature check, for this long
# (and never past its exp); dashboards send the same token with every request.
VERIFIED_CACHE_SECONDS = 30.0
VERIFIED_CACHE_SIZE = 4096
REFETCH_COOLDOWN_SECONDS = 30.0
_EMBEDDED_KEY_HEADERS = ("jwk", "jku", "x5u", "x5c")


class TokenRejected(Exception):
    """The token is not acceptable; the message says why (never the token itself)."""


class KeysUnavailable(Exception):
    """No signing keys are known and the issuer's JWKS cannot be fetched."""


class KeySource:
    async def get(self, kid: str) -> RSAKey | None:
        raise NotImplementedError


class StaticKeySource(KeySource):
    """The development issuer's own key, known without any fetch."""

    def __init__(self, keys: KeySet) -> None:
        self._keys = keys

    async def get(self, kid: str) -> RSAKey | None:
        for key in self._keys.keys:
            if key.kid == kid and isinstance(key, RSAKey):
                return key
        return None


class JWKSKeySource(KeySource):
    """Keys fetched from a JWKS URL and cached.

    Keys are trusted for `cache_seconds`. An unknown `kid` causes a refetch, at most one
    per cooldown, so a flood of made-up kids cannot hammer the issuer. When a refetch
    fails, the keys already known keep working.
    """

    def __init__(
        self,
        url: str,
        *,
        cache_seconds: float = 300.0,
        cooldown_seconds: float = REFETCH_COOLDOWN_SECONDS,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.cache_seconds = cache_seconds
        self.cooldown_seconds = cooldown_seconds
        self._client = client
        self._keys: dict[str, RSAKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    async def get(self, kid: str) -> RSAKey | None:
        now = time.monotonic()
        fresh = (
            self._fetched_at is not None and now - self._fetched_at < self.cache_seconds
        )
        key = self._keys.get(kid)
        if key is not None and fresh:
            return key
        await self._refresh(force_unknown=key is None)
        return self._keys.get(kid)

    async def _refresh(self, *, force_unknown: bool) -> None:
        async with self._lock:
            now = time.monotonic()
            if (
                self._attempted_at is not None
                and now - self._attempted_at < self.cooldown_seconds
            ):
                if self._keys or not force_unknown:
                    return
                # No keys at all: still hold back to the cooldown, and say so.
                raise KeysUnavailable
            self._attempted_at = now
            try:
                keys = await self._fetch()
            except (httpx.HTTPError, ValueError, TypeError, JoseError) as exc:
                log.warning(
                    "auth.jwks_fetch_failed", url=self.url, error=type(exc).__name__
                )
                if not self._keys:
                    raise KeysUnavailable from exc
                return
            self._keys = keys
            self._fetched_at = now

    async def _fetch(self) -> dict[str, RSAKey]:
        self.fetch_count += 1
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=5.0)
        response = await self._client.get(
            self.url, headers={"Accept": "application/json"}
        )
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise TypeError("not a JWKS document")
        keys: dict[str, RSAKey] = {}
        for entry in document["keys"]:
            if not isinstance(entry, dict) or entry.get("kty") != "RSA":
                continue
            if entry.get("use", "sig") != "sig" or not entry.get("kid"):
                continue
            public = {
                k: v
                for k, v in entry.items()
                if k not in ("d", "p", "q", "dp", "dq", "qi")
            }
            keys[str(entry["kid"])] = RSAKey.import_key(public)
        log.info("auth.jwks_fetched", url=self.url, keys=len(keys))
        return keys

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


class TokenVerifier:
    def __init__(self, *, issuer: str, audiences: list[str], keys: KeySource) -> None:
        self.issuer = issuer
        self.audiences = audiences
        self.keys = keys
        self._claims = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "values": audiences},
            exp={"essential": True},
            sub={"essential": True},
        )
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def verify(self, token: str) -> Principal:
        """Check the token, or reuse the verdict of a recent check of the same token.

        The signature and the claims are checked in full at most once per
        VERIFIED_CACHE_SECONDS per token; expiry is checked on every use.
        """
        now = time.time()
        cached = self._verified.get(token)
        if cached is not None:
            principal, until = cached
            if now < until:
                return principal
            del self._verified[token]
        principal = await self._verify(token)
        exp = principal.claims["exp"]
        until = min(now + VERIFIED_CACHE_SECONDS, float(exp) + LEEWAY_SECONDS)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            # Dicts keep insertion order: drop the oldest entry.
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (principal, until)
        return principal

    async def _verify(self, token: str) -> Principal:
        try:
            header = extract_compact(token.encode("ascii")).protected
        except (JoseError, ValueError, UnicodeError) as exc:
            raise TokenRejected("The token is malformed.") from exc
        if header.get("alg") != "RS256":
            raise TokenRejected("Only RS256 tokens are accepted.")
        if any(name in header for name in _EMBEDDED_KEY_HEADERS):
            raise TokenRejected("Keys embedded in the token header are not accepted.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejected("The token has no key id (kid).")

        key = await self.keys.get(kid)
        if key is None:
            raise TokenRejected("The token was signed by an unknown key.")
        try:
            decoded = jwt.decode(token, key, algorithms=["RS256"])
            self._claims.validate(decoded.claims)
        except JoseError as exc:
            raise TokenRejected(_describe(exc)) from exc

        claims: dict[str, Any] = decoded.claims
        if not isinstance(claims.get("sub"), str):
            raise TokenRejected("The token has no subject.")
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and nbf > time.time() + LEEWAY_SECONDS:
            raise TokenRejected("The token is not valid yet.")
        org_id = claims.get("org_id")
        scope = claims.get("scope")
        scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
        return Principal(
            subject=claims["sub"],
            org_id=org_id if isinstance(org_id, str) and org_id else None,
            scopes=scopes,
            claims=claims,
        )


def _describe(exc: JoseError) -> str:
    name = type(exc).__name__
    if name == "ExpiredTokenError":
        return "The token has expired."
    if name == "BadSignatureError":
        return "The token signature is invalid."
    if name in ("InvalidClaimError", "MissingClaimError"):
        return f"The token's claims are not acceptable ({exc.description})."
    return "The token is invalid."
