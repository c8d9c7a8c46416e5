from __future__ import annotations

from drio.auth.dependencies import Reader
from drio.errors import error_responses
from drio.routing import api_router
from drio.schemas import Schema

router = api_router("", tags=["me"])


class MeRead(Schema):
    id: str
    email: str | None
    name: str | None
    image: str | None
    organization_id: str | None
    scopes: list[str]


@router.get("/me", responses=error_responses(401, 403))
async def get_me(principal: Reader) -> MeRead:
    """Describe the caller, from the token's claims."""
    return MeRead(
        id=principal.subject,
        email=principal.email,
        name=principal.name,
        image=principal.image,
        organization_id=principal.org_id,
        scopes=sorted(principal.scopes),
    )
