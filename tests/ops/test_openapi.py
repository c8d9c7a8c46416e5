"""The served OpenAPI document: valid 3.1, and complete enough to generate clients.

These checks walk every operation, so routes added later are held to them too.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

OPERATION_ID = re.compile(r"^[a-z]+(_[a-z]+)+$")
ENVELOPE = "#/components/schemas/ErrorEnvelope"
# Operations that are public on purpose (none so far).
PUBLIC_OPERATIONS: frozenset[str] = frozenset()


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v2/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert found
    return found


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


class TestOpenApiDocument:
    def test_is_valid_openapi_3_1(self, document: dict[str, Any]) -> None:
        assert document["openapi"].startswith("3.1.")

        validate(document)

    def test_operation_ids_are_stable_verb_noun_and_unique(
        self, document: dict[str, Any]
    ) -> None:
        ids = [op["operationId"] for _, _, op in operations(document)]

        assert all(OPERATION_ID.match(i) for i in ids), ids
        assert len(ids) == len(set(ids))

    def test_every_operation_is_tagged_and_tags_are_described(
        self, document: dict[str, Any]
    ) -> None:
        described = {t["name"] for t in document["tags"] if t.get("description")}

        for method, path, operation in operations(document):
            assert operation.get("tags"), (method, path)
            assert set(operation["tags"]) <= described, (method, path)

    def test_security_is_declared(self, document: dict[str, Any]) -> None:
        scheme = document["components"]["securitySchemes"]["oauth"]
        assert scheme["type"] == "http"
        assert scheme["scheme"] == "bearer"

        for method, path, operation in operations(document):
            if operation["operationId"] in PUBLIC_OPERATIONS:
                continue
            assert operation.get("security") == [{"oauth": []}], (method, path)

    def test_errors_are_the_envelope_with_their_statuses(
        self, document: dict[str, Any]
    ) -> None:
        for method, path, operation in operations(document):
            responses = operation["responses"]
            expected = {"401", "422"}
            if "{" in path:
                expected.add("404")
            if method in {"post", "put", "patch"}:
                expected |= {"400", "413", "415"}
            assert expected <= set(responses), (method, path)
            for status, response in responses.items():
                assert response["headers"]["X-Request-Id"]["required"], (path, status)
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": ENVELOPE}, (method, path, status)

    def test_fastapi_validation_shape_is_not_advertised(
        self, document: dict[str, Any]
    ) -> None:
        schemas = document["components"]["schemas"]

        assert "HTTPValidationError" not in schemas
        assert "ValidationError" not in schemas
        assert "HTTPValidationError" not in str(document)

    def test_request_bodies_have_examples(self, document: dict[str, Any]) -> None:
        for method, path, operation in operations(document):
            body = operation.get("requestBody")
            if body is None:
                continue
            for media in body["content"].values():
                schema = _resolve(document, media["schema"])
                has_example = (
                    "example" in media or "examples" in media or "examples" in schema
                )
                assert has_example, (method, path)

    def test_request_body_examples_are_valid(self, document: dict[str, Any]) -> None:
        for method, path, operation in operations(document):
            body = operation.get("requestBody")
            if body is None:
                continue
            for media in body["content"].values():
                schema = {**media["schema"], "components": document["components"]}
                examples = [media["example"]] if "example" in media else []
                examples += [e["value"] for e in media.get("examples", {}).values()]
                examples += _resolve(document, media["schema"]).get("examples", [])
                validator = Draft202012Validator(schema)
                for example in examples:
                    errors = [e.message for e in validator.iter_errors(example)]
                    assert not errors, (method, path, example, errors)

    def test_creates_document_location_and_posts_idempotency(
        self, document: dict[str, Any]
    ) -> None:
        for method, path, operation in operations(document):
            headers = {
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] == "header"
            }
            if method == "post":
                assert "Idempotency-Key" in headers, path
            if "412" in operation["responses"]:
                assert "If-Match" in headers, (method, path)
            created = operation["responses"].get("201")
            if created is not None:
                assert created["headers"]["Location"]["required"], path

    def test_health_and_discovery_are_not_in_the_document(
        self, document: dict[str, Any]
    ) -> None:
        assert all(path.startswith("/api/v2/") for path in document["paths"])
