"""``POST /validate``, ``GET /rules`` and ``telnorm validate``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from telnorm.service.main import create_app
from telnorm.service.routes import validate as validate_route
from telnorm.service.settings import Settings
from telnorm.service.validation import RULES
from telnorm.service.validation.cli import render_text
from telnorm.service.validation.cli import validate as validate_command
from tests.conftest import corpus_path
from tests.validation.casedata import apply_patch, base_document

TK2025 = ("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(Settings(workers=1, max_upload_bytes=8 * 1024 * 1024))
    # The lead wires the router into service.main; include it here until then.
    if not any(getattr(route, "path", None) == "/validate" for route in app.routes):
        app.include_router(validate_route.router)
    with TestClient(app) as test_client:
        yield test_client


def _broken() -> dict[str, Any]:
    return apply_patch(
        base_document(),
        [{"op": "replace", "path": "/reporting_unit_votes/1/total_counted", "value": 575}],
    )


def test_rules_lists_the_catalogue(client: TestClient) -> None:
    response = client.get("/rules")
    assert response.status_code == 200
    rules = response.json()["rules"]
    assert [r["code"] for r in rules] == [r.code for r in RULES]
    for rule in rules:
        assert rule["bad_example"] and rule["good_example"] and rule["title"]
        assert rule["severity"] in ("error", "warning", "info")


def test_validate_canonical_json_body(client: TestClient) -> None:
    response = client.post(
        "/validate", content=orjson.dumps(_broken()), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    report = response.json()
    assert report["valid"] is False
    f202 = [f for f in report["findings"] if f["code"] == "F.202"]
    assert [f["location"]["reporting_unit"] for f in f202] == ["0999::SB2"]


def test_validate_multipart_with_reference(client: TestClient) -> None:
    reference = {
        "kind": "municipal-totals",
        "municipalities": [{"id": "0999", "lists": {"1": 740, "2": 550}}],
    }
    response = client.post(
        "/validate?plausibility=true",
        files={
            "file": ("doc.json", orjson.dumps(base_document()), "application/json"),
            "reference": ("ref.json", orjson.dumps(reference), "application/json"),
        },
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["summary"]["reconciliation_difference"] == 380
    assert [f["code"] for f in report["findings"]] == ["R.201"]


def test_validate_eml_file_has_xpath_locations(client: TestClient) -> None:
    data = (
        corpus_path(*TK2025)
        .read_bytes()
        .replace(b"<TotalCounted>13627</TotalCounted>", b"<TotalCounted>13628</TotalCounted>", 1)
    )
    response = client.post("/validate", files={"file": ("count.eml.xml", data)})
    assert response.status_code == 200, response.text
    (finding,) = [f for f in response.json()["findings"] if f["code"] == "F.202"]
    assert finding["location"]["pointer"] == "/total_votes/total_counted"
    assert finding["location"]["source"]["xpath"].endswith("/TotalVotes/TotalCounted")
    assert finding["difference"] == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"format_version": "1", "total_votes": {"cast": "many"}}', 422),
        (b"{not json", 422),
        (b"", 400),
    ],
)
def test_unreadable_body_is_a_problem(client: TestClient, body: bytes, status: int) -> None:
    response = client.post("/validate", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "findings" not in response.json()


@pytest.mark.parametrize(
    ("body", "pointer", "missing"),
    [
        (b"[1,2]", "", ["format_version", "total_votes", "reporting_unit_votes"]),
        (b"null", "", ["format_version", "total_votes", "reporting_unit_votes"]),
        (b"3", "", ["format_version", "total_votes", "reporting_unit_votes"]),
        (b'{"a": 1}', "", ["format_version", "total_votes", "reporting_unit_votes"]),
        (b'{"format_version": "1"}', "", ["total_votes", "reporting_unit_votes"]),
    ],
)
def test_json_that_is_not_a_canonical_document(
    client: TestClient, body: bytes, pointer: str, missing: list[str]
) -> None:
    # Regression: [1,2] and null went to format detection and came back 415 "No parser
    # recognises this file"; the body is JSON, so the answer says what it lacks.
    response = client.post("/validate", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/invalid-structure"
    assert "JSON but not a canonical telnorm document" in problem["detail"]
    assert problem["location"] == {"pointer": pointer}
    assert problem["missing"] == missing
    assert problem["schema"] == "urn:telnorm:schema:canonical-v1"


def test_json_array_part_named_json_is_not_a_canonical_document(client: TestClient) -> None:
    response = client.post("/validate", files={"file": ("doc.json", b"[]")})
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/invalid-structure"


def test_unusable_reference_is_a_problem(client: TestClient) -> None:
    response = client.post(
        "/validate",
        files={
            "file": ("doc.json", orjson.dumps(base_document())),
            "reference": ("ref.json", b'{"kind": "municipal-totals", "municipalities": []}'),
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid-context-file"


# --- CLI --------------------------------------------------------------------------------


def _write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "doc.json"
    path.write_bytes(orjson.dumps(document))
    return path


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    valid = runner.invoke(validate_command, [str(_write(tmp_path, base_document()))])
    assert valid.exit_code == 0, valid.output
    assert json.loads(valid.output)["valid"] is True
    invalid = runner.invoke(validate_command, [str(_write(tmp_path, _broken()))])
    assert invalid.exit_code == 1
    assert json.loads(invalid.output)["summary"]["errors"] >= 1
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"{ nope")
    unreadable = runner.invoke(validate_command, [str(garbage)])
    assert unreadable.exit_code == 2
    assert "error:" in unreadable.output


def test_cli_text_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        validate_command, [str(_write(tmp_path, _broken())), "--format", "text"]
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[1].startswith("NOT VALID: ")
    header = next(line for line in lines if line.startswith("SEVERITY"))
    assert header.split() == [
        "SEVERITY",
        "CODE",
        "UNIT",
        "LIST",
        "CAND",
        "EXPECTED",
        "ACTUAL",
        "DIFF",
        "SOURCE",
    ]
    row = next(line for line in lines if " F.202 " in line)
    assert "0999::SB2" in row and row.split()[-2] == "+5"


def test_render_text_of_a_clean_report() -> None:
    from telnorm.service.validation import validate

    text = render_text(validate(base_document()))
    assert "VALID: 0 error(s)" in text and "SEVERITY" not in text


def test_cli_is_attached_to_telnorm() -> None:
    from telnorm.service.cli import cli

    assert cli.get_command(None, "validate") is validate_command  # type: ignore[arg-type]
