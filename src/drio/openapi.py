"""The public OpenAPI document: FastAPI's, completed with what the shared pipeline does.

Every /api/v2 route runs through DrioRoute, the auth dependencies and the one error
envelope, so some responses and headers hold for every operation whether or not the
route declares them. This module writes them into the document from rules, so a route
added later is described correctly without repeating them:

- every operation answers errors in the `ErrorEnvelope` (FastAPI's own 422 shape is
  never sent, so it is replaced), 422 included;
- a secured operation may answer 401, 403 and 503 (the issuer's keys or the database
  unavailable); one with a path parameter may answer 404;
- POST, PUT and PATCH may answer 400, 413 and 415 (the body checks); POST takes
  `Idempotency-Key` and may answer 409 and 422 for it; an operation that declares 412
  takes `If-Match`;
- every response carries `X-Request-Id`; a 201 carries `Location`, a 401
  `WWW-Authenticate`;
- a request body without an example gets one built from its fields' examples, and an
  optional one is not also declared nullable.
"""

from __future__ import annotations

import copy
from typing import Any

from drio.auth.dependencies import SECURITY_SCHEME, bearer_scheme
from drio.errors import ERROR_DESCRIPTIONS
from drio.routing import API_PREFIX

ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"
_FASTAPI_422_SCHEMAS = ("HTTPValidationError", "ValidationError")
_METHODS = frozenset({"get", "post", "put", "patch", "delete"})
_BODY_METHODS = frozenset({"post", "put", "patch"})
_STATUS_HEADERS = {"201": "Location", "401": "WWW-Authenticate", "503": "Retry-After"}

TAG_DESCRIPTIONS = {
    "me": "The caller, as its token describes it.",
    "apps": "MCP apps: metadata, branding and slug.",
    "drafts": "The app's current draft: content, changes and publish readiness.",
    "releases": "Immutable releases: publishing the draft and reading what shipped.",
    "auth-connections": "Credentials the app's integrations use (draft state).",
    "integrations": "Upstream APIs the app calls (draft state).",
    "operations": "The callable operations of an integration (draft state).",
    "tools": "The MCP tools the app exposes (draft state).",
    "widgets": "The UI widgets tools can render (draft state).",
    "catalogs": "Static catalogs shipped with the server: providers, starter templates.",
}

_HEADER_SCHEMAS: dict[str, dict[str, Any]] = {
    "X-Request-Id": {
        "description": "The request id, also in the error envelope's request_id.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Location": {
        "description": "The absolute URL of the created resource.",
        "required": True,
        "schema": {"type": "string", "format": "uri"},
    },
    "WWW-Authenticate": {
        "description": "The bearer challenge, with the resource metadata URL.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored response of an earlier request "
        "with the same Idempotency-Key.",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": False,
        "schema": {"type": "string"},
    },
}

IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: the same key and body within 24 hours replays "
    "the first success instead of doing the work again.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}

IF_MATCH_PARAMETER: dict[str, Any] = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": 'The draft ETag this write is based on (`"<revision>"`, or `*`); '
    "on a mismatch nothing is written and the answer is 412.",
    "schema": {"type": "string"},
}


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS.get(status, "Error."),
        "content": {"application/json": {"schema": {"$ref": ENVELOPE_REF}}},
    }


def _expected_errors(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    statuses = {422}
    if operation.get("security"):
        statuses |= {401, 403, 503}
    if "{" in path:
        statuses.add(404)
    if method in _BODY_METHODS:
        statuses |= {400, 413, 415}
    if method == "post":
        statuses |= {400, 409}
    if method == "delete":
        statuses.add(400)
    return statuses


def _add_header(response: dict[str, Any], name: str) -> None:
    response.setdefault("headers", {}).setdefault(
        name, copy.deepcopy(_HEADER_SCHEMAS[name])
    )


def _add_parameter(operation: dict[str, Any], parameter: dict[str, Any]) -> None:
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    if not any(
        p.get("in") == "header"
        and p.get("name", "").lower() == parameter["name"].lower()
        for p in parameters
    ):
        parameters.append(copy.deepcopy(parameter))


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < 32:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = components.get(name, {})
        seen += 1
    return schema


def example_for(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """An example value from the schema's own examples, or None when it has none."""
    schema = _resolve(schema, components)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            for option in schema[key]:
                if option.get("type") != "null":
                    found = example_for(option, components)
                    if found is not None:
                        return found
            return None
    if schema.get("type") == "object" or "properties" in schema:
        required = set(schema.get("required", ()))
        result: dict[str, Any] = {}
        for name, member in schema.get("properties", {}).items():
            value = example_for(member, components)
            if value is None:
                if name in required:
                    return None
                continue
            result[name] = value
        return result or None
    return None


def _drop_null_from_optional_body(operation: dict[str, Any]) -> None:
    """An optional body is described by its schema alone: clients omit it instead of
    sending `null` (which is still accepted), and generated clients then send none."""
    body = operation.get("requestBody")
    if body is None or body.get("required"):
        return
    for media in body.get("content", {}).values():
        options = media.get("schema", {}).get("anyOf")
        if isinstance(options, list):
            kept = [o for o in options if o.get("type") != "null"]
            if len(kept) == 1 and len(kept) < len(options):
                media["schema"] = kept[0]


def _add_body_example(operation: dict[str, Any], components: dict[str, Any]) -> None:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        if "example" in media or "examples" in media:
            continue
        schema = media.get("schema", {})
        if _resolve(schema, components).get("examples"):
            continue
        found = example_for(schema, components)
        if found is not None:
            media["example"] = found


def _replace_fastapi_422(document: dict[str, Any]) -> None:
    """FastAPI's HTTPValidationError is never sent: its 422s become the envelope."""
    fastapi_ref = "#/components/schemas/HTTPValidationError"
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            response = operation.get("responses", {}).get("422")
            schema = (response or {}).get("content", {}).get("application/json", {})
            if schema.get("schema", {}).get("$ref") == fastapi_ref:
                operation["responses"]["422"] = _error_response(422)
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    for name in _FASTAPI_422_SCHEMAS:
        schemas.pop(name, None)


def _complete_operation(
    path: str, method: str, operation: dict[str, Any], components: dict[str, Any]
) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in _expected_errors(path, method, operation):
        current = responses.get(str(status)) or {}
        schema = current.get("content", {}).get("application/json", {}).get("schema")
        if schema != {"$ref": ENVELOPE_REF}:
            responses[str(status)] = _error_response(status)
    if method == "post":
        _add_parameter(operation, IDEMPOTENCY_KEY_PARAMETER)
    if "412" in responses:
        _add_parameter(operation, IF_MATCH_PARAMETER)
    for key, response in responses.items():
        _add_header(response, "X-Request-Id")
        if key in _STATUS_HEADERS:
            _add_header(response, _STATUS_HEADERS[key])
        if method == "post" and key.startswith("2"):
            _add_header(response, "Idempotent-Replayed")
    _drop_null_from_optional_body(operation)
    _add_body_example(operation, components)


def polish(document: dict[str, Any]) -> dict[str, Any]:
    """Complete FastAPI's document in place (see the module docstring); returns it."""
    components: dict[str, Any] = document.get("components", {}).get("schemas", {})
    _replace_fastapi_422(document)
    tags: list[str] = []
    for path, item in document.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for method, operation in item.items():
            if method in _METHODS:
                tags.extend(t for t in operation.get("tags", ()) if t not in tags)
                _complete_operation(path, method, operation, components)
    # Operations name the scheme (DrioRoute); no dependency declares it, so it is
    # described here.
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes[SECURITY_SCHEME] = {
        **bearer_scheme.model.model_dump(mode="json", by_alias=True, exclude_none=True),
        "bearerFormat": "JWT",
    }
    document["tags"] = [
        {"name": tag, "description": TAG_DESCRIPTIONS[tag]}
        if tag in TAG_DESCRIPTIONS
        else {"name": tag}
        for tag in tags
    ]
    return document
