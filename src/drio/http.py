"""Small HTTP helpers: ETags, Location headers, HEAD and CORS middleware."""

from __future__ import annotations

from fastapi import Request, Response
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from drio.errors import error_response
from drio.logging import current_request_id
from drio.models.draft import Draft


def set_etag(response: Response, draft: Draft) -> None:
    response.headers["ETag"] = f'"{draft.revision}"'


def set_location(request: Request, response: Response, path: str) -> None:
    base = request.app.state.settings.public_url
    response.headers["Location"] = f"{base}{path}"


class HeadAsGetMiddleware:
    """Answer HEAD like GET, without the body (RFC 9110 section 9.3.2).

    The routes are declared for GET only, so the OpenAPI document keeps one operation
    per route; the server is told HEAD by the untouched outer scope and so expects no
    body, while the inner request runs as a GET (same auth, scope checks and headers).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        inner = {**scope, "method": "GET"}

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(inner, receive, send_headers_only)
        finally:
            if "route" in inner:
                scope["route"] = inner["route"]


class DrioCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, except that a refused preflight answers in the envelope."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode()
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.startswith("access-control-") or name == "vary"
        }
        return error_response(
            400,
            "invalid_request",
            f"CORS preflight refused: {reason}.",
            request_id=current_request_id(),
            headers=headers,
        )
