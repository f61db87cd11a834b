"""The HTTP API end to end: normalise (multipart and raw), detect, parsers, schema, health."""

from __future__ import annotations

import hashlib

import orjson
import pytest
from fastapi.testclient import TestClient

from telnorm.parsers.canonical import json_schema
from tests.conftest import assert_canonical, corpus_path

TK2025 = ("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
NIJMEGEN = ("eml", "230b", "Kandidatenlijsten_TK2025_Nijmegen.eml.xml")


def test_normalise_multipart_with_candidate_list(client: TestClient) -> None:
    count, names = corpus_path(*TK2025), corpus_path(*NIJMEGEN)
    response = client.post(
        "/normalise",
        files={
            "file": (count.name, count.read_bytes()),
            "candidate_list": (names.name, names.read_bytes()),
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert_canonical(document)
    assert document["total_votes"]["total_counted"] == 13627
    assert document["affiliations"][0]["candidates"][0]["name"] == "Wilders, G."
    assert document["source"]["filename"] == count.name
    assert document["source"]["format"]["id"] == "eml-510b"
    assert "locations" not in document


def test_normalise_raw_body_and_locations(client: TestClient) -> None:
    count = corpus_path(*TK2025)
    response = client.post(
        "/normalise?locations=true&filename=count.xml",
        content=count.read_bytes(),
        headers={"content-type": "application/xml"},
    )
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["source"]["filename"] == "count.xml"
    assert document["source"]["sha256"] == hashlib.sha256(count.read_bytes()).hexdigest()
    assert document["source"]["bytes"] == count.stat().st_size
    assert document["locations"]["/reporting_unit_votes/0/cast"]["xpath"].endswith(
        "ReportingUnitVotes[1]/Cast"
    )


def test_same_bytes_give_identical_output(client: TestClient) -> None:
    count = corpus_path(*TK2025)
    first = client.post("/normalise", content=count.read_bytes()).content
    second = client.post("/normalise", content=count.read_bytes()).content
    assert first == second


def test_detect_ranks_every_parser(client: TestClient) -> None:
    count = corpus_path(*TK2025)
    response = client.post("/detect", files={"file": (count.name, count.read_bytes())})
    assert response.status_code == 200
    result = response.json()
    assert result["best"]["parser"] == "eml"
    assert result["best"]["format"] == "eml-510b"
    assert result["best"]["evidence"]
    confidences = [c["confidence"] for c in result["candidates"]]
    assert confidences == sorted(confidences, reverse=True)
    assert len(result["candidates"]) >= 1


def test_format_override(client: TestClient) -> None:
    count = corpus_path(*TK2025)
    response = client.post("/normalise?format=eml", content=count.read_bytes())
    assert response.status_code == 200
    assert response.json()["source"]["format"]["evidence"][0] == "chosen by format="
    unknown = client.post("/normalise?format=nope", content=count.read_bytes())
    assert unknown.status_code == 400
    assert unknown.json()["type"] == "/problems/unknown-format"


def test_parsers_lists_builtins(client: TestClient) -> None:
    body = client.get("/parsers").json()
    names = [p["name"] for p in body["parsers"]]
    assert "eml" in names
    assert body["failed"] == []


def test_schema_is_the_committed_schema(client: TestClient) -> None:
    response = client.get("/schema")
    assert response.status_code == 200
    assert response.json() == json_schema()


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["workers"] == 2


def test_openapi_has_stable_operation_ids(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"normalise", "detect", "list_parsers", "get_schema", "health"} <= ids


def test_problem_catalogue(client: TestClient) -> None:
    items = client.get("/problems").json()
    codes = {item["code"] for item in items}
    assert {"forbidden-doctype", "malformed-xml", "not-a-count", "empty-input"} <= codes
    one = client.get("/problems/not-a-count")
    assert one.json()["status"] == 422
    missing = client.get("/problems/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/nowhere", "/normalise"])
def test_unknown_route_and_method_are_problems(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 405)
    assert response.headers["content-type"] == "application/problem+json"
    assert orjson.loads(response.content)["status"] == response.status_code
