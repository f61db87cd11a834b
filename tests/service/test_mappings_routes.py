"""``GET /mappings`` and ``POST /mappings/suggest``: staff iterate on a mapping with curl."""

from __future__ import annotations

import tomllib

from fastapi.testclient import TestClient

from tests.conftest import SAMPLES


def test_list_mappings(client: TestClient) -> None:
    body = client.get("/mappings").json()
    ids = [m["id"] for m in body["mappings"]]
    assert "lindehoven-2026" in ids
    assert all(m["version"] for m in body["mappings"])


def test_suggest_then_use_the_draft(client: TestClient) -> None:
    sample = SAMPLES / "tabular" / "a_lindehoven_semicolon_cp1252.csv"
    response = client.post("/mappings/suggest", files={"file": (sample.name, sample.read_bytes())})
    assert response.status_code == 200, response.text
    result = response.json()
    draft = tomllib.loads(result["mapping"])
    assert draft["id"]
    assert result["report"]["recognised"]
    assert result["report"]["numeric_cells"] > 0
    as_toml = client.post(
        f"/mappings/suggest?as=toml&filename={sample.name}",
        content=sample.read_bytes(),
        headers={"content-type": "text/csv"},
    )
    assert as_toml.headers["content-type"].startswith("application/toml")
    assert tomllib.loads(as_toml.text) == draft
    # the draft, uploaded as the mapping part, normalises the file
    used = client.post(
        "/normalise",
        files={
            "file": (sample.name, sample.read_bytes()),
            "mapping": ("draft.toml", as_toml.content),
        },
    )
    assert used.status_code == 200, used.text
    assert used.json()["source"]["mapping"]["id"] == draft["id"]


def test_suggest_refuses_what_is_not_a_table(client: TestClient) -> None:
    response = client.post("/mappings/suggest", content=b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"


def test_a_mapping_with_a_wrong_key_or_a_blank_is_a_422_naming_it(client: TestClient) -> None:
    sample = SAMPLES / "tabular" / "a_lindehoven_semicolon_cp1252.csv"
    wrong = b'id = "x"\nfamily = "a"\n\n[layout]\nheader_rij = 7\n'
    response = client.post(
        "/normalise",
        files={"file": (sample.name, sample.read_bytes()), "mapping": ("m.toml", wrong)},
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "invalid-mapping"
    assert problem["key"] == "layout.header_rij" and problem["line"] == 5
    blank = b'id = "x"\nfamily = "a"\n[lists]\n"VVD" = "?"\n'
    response = client.post(
        "/normalise",
        files={"file": (sample.name, sample.read_bytes()), "mapping": ("m.toml", blank)},
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "mapping-blanks"
    assert problem["blanks"] == [{"key": "lists.VVD", "line": 4, "value": "?"}]
