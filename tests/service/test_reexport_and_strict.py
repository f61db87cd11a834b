"""Re-export of a canonical document, and the strict check of canonical input."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from telnorm.service import examples
from telnorm.service.cli import cli
from tests.conftest import SAMPLES, corpus_path
from tests.databank.test_election_tree import (
    LINDEHOVEN_TREE,
    definition_110a,
    places,
    sent_back,
)

CSV_SAMPLE = SAMPLES / "tabular" / "a_lindehoven_names.xlsx"
CANDIDATES = SAMPLES / "tabular" / "lindehoven.230b.eml.xml"
EXPORT = {"creation_time": "2026-03-19T12:00:00", "contest_id": "geen"}


def _files(path: Path, candidate_list: Path | None = None) -> dict[str, Any]:
    files: dict[str, Any] = {"file": (path.name, path.read_bytes())}
    if candidate_list is not None:
        files["candidate_list"] = (candidate_list.name, candidate_list.read_bytes())
    return files


@pytest.mark.parametrize("to", ["osv4-3", "eml", "databank"])
def test_canonical_json_reexports_byte_equal_to_the_source(client: TestClient, to: str) -> None:
    direct = client.post(
        "/normalise", files=_files(CSV_SAMPLE, CANDIDATES), params={"output": to, **EXPORT}
    )
    assert direct.status_code == 200, direct.text
    document = client.post("/normalise", files=_files(CSV_SAMPLE, CANDIDATES))
    assert document.status_code == 200
    # the JSON alone (raw body, declared JSON); the candidate list may still add names
    again = client.post(
        "/normalise",
        content=document.content,
        params={"output": to, **EXPORT},
        headers={"content-type": "application/json"},
    )
    with_list = client.post(
        "/normalise",
        files={
            "file": ("count.json", document.content),
            "candidate_list": (CANDIDATES.name, CANDIDATES.read_bytes()),
        },
        params={"output": to, **EXPORT},
    )
    assert with_list.status_code == 200, with_list.text
    assert with_list.content == direct.content
    assert with_list.headers["content-type"] == direct.headers["content-type"]
    assert with_list.headers["content-disposition"] == direct.headers["content-disposition"]
    if to == "osv4-3":  # the osv4-3 CSV needs nothing the document lacks
        assert again.status_code == 200, again.text
        assert again.content == direct.content


@pytest.mark.corpus
def test_corpus_eml_reexports_to_osv4_3_byte_equal(client: TestClient) -> None:
    source = corpus_path("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
    direct = client.post("/normalise", files=_files(source), params={"output": "osv4-3"})
    assert direct.status_code == 200, direct.text
    document = client.post("/normalise", files=_files(source)).content
    again = client.post(
        "/normalise",
        content=document,
        params={"filename": "count.json"},
        headers={"accept": "text/csv"},
    )
    assert again.status_code == 200, again.text
    assert again.content == direct.content


def test_canonical_json_back_as_json_is_the_document(client: TestClient) -> None:
    body = orjson.dumps(examples.CANONICAL_DOCUMENT)
    response = client.post("/normalise", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json() == examples.CANONICAL_DOCUMENT


def test_source_options_with_canonical_json_are_400(client: TestClient) -> None:
    body = orjson.dumps(examples.CANONICAL_DOCUMENT)
    response = client.post(
        "/normalise?sheet=Blad1&output=osv4-3",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["options"] == ["sheet"]


def test_cli_reexports_canonical_json(tmp_path: Path) -> None:
    runner = CliRunner()
    document = tmp_path / "doc.json"
    direct = runner.invoke(cli, ["normalise", str(CSV_SAMPLE), "--to", "osv4-3"])
    assert direct.exit_code == 0, direct.output
    made = runner.invoke(cli, ["normalise", str(CSV_SAMPLE), "-o", str(document)])
    assert made.exit_code == 0, made.output
    again = runner.invoke(cli, ["normalise", str(document), "--to", "osv4-3"])
    assert again.exit_code == 0, again.output
    assert again.stdout_bytes == direct.stdout_bytes


def test_a_canonical_document_sent_back_may_bring_the_tree_http(client: TestClient) -> None:
    response = client.post(
        "/normalise",
        files={
            "file": ("count.json", sent_back()),
            "election_definition": ("110a.xml", definition_110a("TK", LINDEHOVEN_TREE)),
        },
        params={"output": "databank"},
    )
    assert response.status_code == 200, response.text
    assert places(response.content) == {("G9901", "K6", "P25")}


def _broken(change: Any) -> bytes:
    document = copy.deepcopy(examples.CANONICAL_DOCUMENT)
    change(document)
    return orjson.dumps(document)


BROKEN = {
    "unknown key": (
        lambda d: d["election"].update(datum="2026-03-18"),
        "/election",
        "additionalProperties",
    ),
    "bad date": (lambda d: d["election"].update(date="2026-13-45"), "/election/date", "format"),
    "bad creation time": (
        lambda d: d["document"].update(created="gisteren"),
        "/document/created",
        "format",
    ),
    "wrong type": (
        lambda d: d["reporting_unit_votes"][0].update(number="1"),
        "/reporting_unit_votes/0/number",
        "anyOf",
    ),
    "unknown unit key": (
        lambda d: d["reporting_unit_votes"][0].update(stemmen=3),
        "/reporting_unit_votes/0",
        "additionalProperties",
    ),
}


@pytest.mark.parametrize("route", ["/validate", "/normalise"])
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_strict_canonical_input_is_422_with_pointers(
    client: TestClient, route: str, case: str
) -> None:
    change, pointer, keyword = BROKEN[case]
    response = client.post(
        route, content=_broken(change), headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "/problems/invalid-structure"
    assert {"pointer": pointer, "keyword": keyword} in [
        {"pointer": e["pointer"], "keyword": e["keyword"]} for e in problem["errors"]
    ]
    assert problem["location"]["pointer"] == problem["errors"][0]["pointer"]


def test_every_violation_is_listed(client: TestClient) -> None:
    def several(document: dict[str, Any]) -> None:
        document["election"]["date"] = "18-03-2026"
        document["contest"]["extra"] = 1
        document["document"]["level"] = "gemeente"

    response = client.post(
        "/validate", content=_broken(several), headers={"content-type": "application/json"}
    )
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert {"/election/date", "/contest", "/document/level"} <= pointers


def test_a_valid_document_validates(client: TestClient) -> None:
    response = client.post(
        "/validate",
        content=orjson.dumps(examples.CANONICAL_DOCUMENT),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert "valid" in response.json()


def test_a_bad_reference_document_is_refused_with_pointers(client: TestClient) -> None:
    reference = _broken(lambda d: d["election"].update(date="2026-02-30"))
    response = client.post(
        "/validate",
        files={
            "file": ("count.json", orjson.dumps(examples.CANONICAL_DOCUMENT)),
            "reference": ("reference.json", reference),
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/election/date"
