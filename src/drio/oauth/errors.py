"""OAuth protocol errors (RFC 6749 section 5.2, RFC 7591 section 3.2.2).

These routes are the authorization server, not the drio API, so their errors are the
OAuth JSON shape `{"error", "error_description"}`, not the API's envelope.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import JSONResponse

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    def __init__(
        self,
        error: str,
        description: str,
        *,
        status_code: int = 400,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status_code = status_code
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        return JSONResponse(
            {"error": self.error, "error_description": self.description},
            status_code=self.status_code,
            headers={**NO_STORE, **self.headers},
        )


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def invalid_client(description: str, *, basic: bool = False) -> OAuthError:
    # RFC 6749 section 5.2: a client that tried HTTP Basic gets a Basic challenge.
    headers = {"WWW-Authenticate": 'Basic realm="drio"'} if basic else None
    return OAuthError("invalid_client", description, status_code=401, headers=headers)
