"""Small helpers routes share: ETags and Location headers."""

from __future__ import annotations

from fastapi import Request, Response

from drio.models.draft import Draft


def set_etag(response: Response, draft: Draft) -> None:
    response.headers["ETag"] = f'"{draft.revision}"'


def set_location(request: Request, response: Response, path: str) -> None:
    base = request.app.state.settings.public_url
    response.headers["Location"] = f"{base}{path}"
