"""Bad input gets a 4xx problem with its own stable type, never a 5xx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import corpus_path

EML_HEAD = b'<EML xmlns="urn:oasis:names:tc:evs:schema:eml" Id="510b">'

CASES = {
    "doctype": (
        b'<?xml version="1.0"?><!DOCTYPE EML><EML xmlns="urn:oasis:names:tc:evs:schema:eml" '
        b'Id="510b"/>',
        422,
        "forbidden-doctype",
    ),
    "external-entity": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<EML xmlns="urn:oasis:names:tc:evs:schema:eml" Id="510b">&e;</EML>',
        422,
        "forbidden-doctype",
    ),
    "billion-laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b']><EML xmlns="urn:oasis:names:tc:evs:schema:eml" Id="510b">&lol9;</EML>',
        422,
        "forbidden-doctype",
    ),
    "doctype-after-long-comment": (
        b'<?xml version="1.0"?><!--' + b"x" * 100_000 + b'--><!DOCTYPE x [<!ENTITY a "b">]>'
        b'<EML xmlns="urn:oasis:names:tc:evs:schema:eml" Id="510b">&a;</EML>',
        422,
        "forbidden-doctype",
    ),
    "not-eml": (b"<?xml version='1.0'?><invoice><total>12</total></invoice>", 422, "not-eml"),
    "empty": (b"", 400, "empty-input"),
    "binary": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, 415, "binary-input"),
    "unrecognised-text": (b"Dear sir, here are our results.\n", 415, "unsupported-format"),
    "bad-number": (
        EML_HEAD
        + b"<ManagingAuthority><AuthorityIdentifier Id='0001'>X</AuthorityIdentifier>"
        + b"</ManagingAuthority><Count><Election><Contests><Contest><TotalVotes><Cast>12a</Cast>"
        + b"</TotalVotes></Contest></Contests></Election></Count></EML>",
        422,
        "invalid-count",
    ),
    "candidate-before-list": (
        EML_HEAD
        + b"<Count><Election><Contests><Contest><TotalVotes><Selection><Candidate>"
        + b"<CandidateIdentifier Id='1'/></Candidate><ValidVotes>1</ValidVotes></Selection>"
        + b"</TotalVotes></Contest></Contests></Election></Count></EML>",
        422,
        "invalid-structure",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_a_problem(client: TestClient, name: str) -> None:
    body, status, code = CASES[name]
    response = client.post("/normalise", content=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"/problems/{code}"
    assert problem["status"] == status
    assert problem["detail"]
    if name == "bad-number":
        assert problem["location"]["xpath"].endswith("TotalVotes/Cast")
    if name in ("binary", "unrecognised-text"):
        assert "seen" in problem


def test_truncated_xml(client: TestClient) -> None:
    data = corpus_path("eml", "510b", "Telling_GR2022_WestMaasenWaal.eml.xml").read_bytes()
    response = client.post("/normalise", content=data[: len(data) // 2])
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/malformed-xml"
    assert "truncated" in problem["detail"]
    assert problem["location"]["line"] >= 1


def test_a_520_is_refused_as_not_a_count(client: TestClient) -> None:
    data = corpus_path("eml", "510-other", "eml520_test.eml.xml").read_bytes()
    response = client.post("/normalise", content=data)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/not-a-count"
    assert "520" in problem["detail"]
    assert problem["eml_id"] == "520"


def test_a_candidate_list_as_count_says_to_send_it_as_context(client: TestClient) -> None:
    data = corpus_path("eml", "230b", "Kandidatenlijsten_TK2025_Nijmegen.eml.xml").read_bytes()
    response = client.post("/normalise", content=data)
    assert response.status_code == 422
    assert "candidate_list" in response.json()["detail"]


def test_wrong_context_file(client: TestClient) -> None:
    count = corpus_path("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
    response = client.post(
        "/normalise",
        files={
            "file": ("c.xml", count.read_bytes()),
            "candidate_list": ("n.xml", count.read_bytes()),
        },
    )
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/invalid-context-file"


def test_candidate_list_of_another_election(client: TestClient) -> None:
    count = corpus_path("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
    other = corpus_path("eml", "230b", "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml")
    response = client.post(
        "/normalise",
        files={
            "file": ("c.xml", count.read_bytes()),
            "candidate_list": ("n.xml", other.read_bytes()),
        },
    )
    assert response.status_code == 422
    assert "GR2022" in response.json()["detail"]


def test_upload_limit_is_413(client: TestClient) -> None:
    response = client.post("/normalise", content=b"<" + b"a" * (9 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["type"] == "/problems/input-too-large"


def test_unexpected_part_and_missing_file(client: TestClient) -> None:
    response = client.post("/normalise", files={"other": ("x", b"1")})
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/bad-request"
    response = client.post("/normalise", files={"candidate_list": ("x", b"1")})
    assert response.status_code == 400
    assert "No file was sent" in response.json()["detail"]


def test_an_option_the_parser_does_not_read_is_refused(client: TestClient) -> None:
    count = corpus_path("eml", "510b", "deserialize_eml510b_test.eml.xml")
    response = client.post("/normalise?sheet=Uitslag", content=count.read_bytes())
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "/problems/bad-request"
    assert problem["options"] == ["sheet"]
    assert problem["parser"] == "eml"
    assert "sheet=" in problem["detail"] and "no options" in problem["detail"]


def test_parsers_list_the_options_they_take(client: TestClient) -> None:
    parsers = {p["name"]: p for p in client.get("/parsers").json()["parsers"]}
    assert parsers["eml"]["options"] == []
    assert "sheet" in parsers["tabular"]["options"]
    assert "member" in parsers["zip"]["options"]
