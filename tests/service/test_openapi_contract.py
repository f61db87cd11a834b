"""The OpenAPI document is whole and correct, generically over every route (routes added
later are checked without being listed here)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from telnorm.parsers.canonical import FORMAT_VERSION
from telnorm.service import examples
from telnorm.service.main import create_app
from telnorm.service.settings import Settings
from telnorm.service.validation.strict import schema_violations
from telnorm.service.version import HTTP_API_VERSION

METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"external $ref {ref}"
    node: Any = document
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"$ref {ref} does not resolve"
        node = node[part]
    return node


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_every_ref_resolves(document: dict[str, Any]) -> None:
    refs = set(_refs(document))
    assert "#/components/schemas/CanonicalDocument" in refs
    for ref in sorted(refs):
        _resolve(document, ref)


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)  # raises OpenAPIValidationError with the reason


def test_versions_are_visible(client: TestClient, document: dict[str, Any]) -> None:
    assert document["info"]["version"] == HTTP_API_VERSION
    assert document["info"]["x-telnorm-format-version"] == FORMAT_VERSION
    response = client.get("/parsers")
    assert response.headers["telnorm-api-version"] == HTTP_API_VERSION
    assert response.headers["telnorm-format-version"] == FORMAT_VERSION
    problem = client.get("/problems/no-such-thing")
    assert problem.headers["telnorm-api-version"] == HTTP_API_VERSION


def _has_example(node: Any) -> bool:
    if isinstance(node, dict):
        if "example" in node or node.get("examples"):
            return True
        return any(_has_example(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_example(item) for item in node)
    return False


def test_every_operation_is_described_with_an_example(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        where = f"{method.upper()} {path}"
        assert operation.get("operationId"), where
        assert operation.get("summary"), where
        assert len(operation.get("description", "")) > 20, f"{where} has no description"
        examples_at = (
            operation.get("parameters"),
            operation.get("requestBody"),
            operation.get("responses"),
        )
        assert any(_has_example(part) for part in examples_at), f"{where} has no example"


def test_every_error_response_is_the_shared_problem(document: dict[str, Any]) -> None:
    problem_schemas = [
        name for name, schema in document["components"]["schemas"].items() if "Problem" in name
    ]
    assert problem_schemas == ["Problem"]
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        for status in ("400", "503"):
            assert status in responses, f"{method.upper()} {path} lacks {status}"
        for status, response in responses.items():
            if int(status) < 400:
                continue
            assert response["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }, f"{method.upper()} {path} {status}"


def test_normalise_documents_outputs_options_and_filename(document: dict[str, Any]) -> None:
    operation = document["paths"]["/normalise"]["post"]
    content = operation["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CanonicalDocument"
    }
    assert {"application/xml", "text/csv; charset=utf-8"} <= set(content)
    assert any("profile=databank" in media for media in content)
    assert "Content-Disposition" in operation["responses"]["200"]["headers"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"filename", "output", "locations", "election_id", "creation_time"} <= names
    body = operation["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/CanonicalDocument"}
    assert "multipart/form-data" in body


def test_examples_fit_their_schemas() -> None:
    assert schema_violations(examples.CANONICAL_DOCUMENT) == []


def test_no_security_scheme_without_tokens(document: dict[str, Any]) -> None:
    assert "securitySchemes" not in document["components"]
    assert "security" not in document


def test_security_scheme_when_tokens_are_configured() -> None:
    app = create_app(Settings(workers=1, auth_tokens=["s3cret"]))
    document = app.openapi()
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]
    normalise = document["paths"]["/normalise"]["post"]
    assert "401" in normalise["responses"]
    assert document["paths"]["/health/ready"]["get"]["security"] == []
    validate(document)


def test_root_path_is_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """``TELNORM_ROOT_PATH`` reaches the server, which the OpenAPI servers entry follows."""
    import uvicorn
    from click.testing import CliRunner

    from telnorm.service.cli import cli
    from telnorm.service.settings import get_settings

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("TELNORM_ROOT_PATH", "/telnorm")
    get_settings.cache_clear()
    try:
        assert CliRunner().invoke(cli, ["serve"]).exit_code == 0
    finally:
        get_settings.cache_clear()
    assert seen["root_path"] == "/telnorm"
    assert seen["log_config"] is None  # the app's JSON logging stays in charge
    app = create_app(Settings(workers=1))
    with TestClient(app, root_path="/telnorm") as behind_proxy:
        servers = behind_proxy.get("/openapi.json").json()["servers"]
    assert servers == [{"url": "/telnorm"}]


def _call(client: TestClient, method: str, path: str, query: str) -> Any:
    url = path.replace("{code}", "not-a-count") + query
    return client.request(method.upper(), url, content=b"")


def test_unknown_query_parameter_is_400_on_every_route(
    client: TestClient, document: dict[str, Any]
) -> None:
    for path, method, operation in _operations(document):
        response = _call(client, method, path, "?locatoins=true")
        where = f"{method.upper()} {path}"
        assert response.status_code == 400, where
        problem = response.json()
        assert problem["type"] == "/problems/unknown-parameter", where
        assert problem["unknown"] == ["locatoins"]
        declared = sorted(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
        assert problem["accepted"] == declared, where


def test_declared_query_parameters_are_accepted(client: TestClient) -> None:
    response = client.get("/rules")
    assert response.status_code == 200
    response = client.post("/normalise?locations=true&filename=a.csv", content=b"")
    assert response.json()["code"] == "empty-input"  # past the parameter check
