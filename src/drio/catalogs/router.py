"""The static catalogs: auth providers, integration providers, starter templates."""

from __future__ import annotations

from typing import Any

from drio.auth.dependencies import Reader
from drio.catalogs.providers import AUTH_PROVIDERS, INTEGRATION_PROVIDERS
from drio.errors import error_responses
from drio.pagination import PageParamsDep, paginate_static
from drio.routing import api_router
from drio.schemas import ListResponse, Schema
from drio.starters import STARTERS

router = api_router("", tags=["catalogs"])

_SORT_FIELDS = ("key", "name")
_SEARCH = ("key", "name")


class CatalogEntry(Schema):
    id: str
    key: str
    name: str
    kind: str
    docs_url: str
    presets: dict[str, Any]


class StarterTemplate(Schema):
    id: str
    key: str
    name: str
    description: str
    adds: dict[str, int]


@router.get(
    "/auth-providers",
    response_model=ListResponse[CatalogEntry],
    responses=error_responses(400, 401, 403, 422),
)
async def list_auth_providers(
    _principal: Reader, params: PageParamsDep
) -> ListResponse[CatalogEntry]:
    """List the auth providers a connection can be made from."""
    items, page = paginate_static(
        [p.as_dict() for p in AUTH_PROVIDERS.values()],
        params=params,
        sort_fields=_SORT_FIELDS,
        default="key",
        search=_SEARCH,
        scope="auth-providers",
    )
    return ListResponse(data=[CatalogEntry.model_validate(i) for i in items], page=page)


@router.get(
    "/integration-providers",
    response_model=ListResponse[CatalogEntry],
    responses=error_responses(400, 401, 403, 422),
)
async def list_integration_providers(
    _principal: Reader, params: PageParamsDep
) -> ListResponse[CatalogEntry]:
    """List the integration providers, with their base URLs and accepted auth."""
    items, page = paginate_static(
        [p.as_dict() for p in INTEGRATION_PROVIDERS.values()],
        params=params,
        sort_fields=_SORT_FIELDS,
        default="key",
        search=_SEARCH,
        scope="integration-providers",
    )
    return ListResponse(data=[CatalogEntry.model_validate(i) for i in items], page=page)


@router.get(
    "/starter-templates",
    response_model=ListResponse[StarterTemplate],
    responses=error_responses(400, 401, 403, 422),
)
async def list_starter_templates(
    _principal: Reader, params: PageParamsDep
) -> ListResponse[StarterTemplate]:
    """List the starter templates an app can be created from."""
    items, page = paginate_static(
        [s.as_dict() for s in STARTERS.values()],
        params=params,
        sort_fields=_SORT_FIELDS,
        default="key",
        search=("key", "name", "description"),
        scope="starter-templates",
    )
    return ListResponse(
        data=[StarterTemplate.model_validate(i) for i in items], page=page
    )
