"""``POST /normalise`` honours Accept and output=; export options come as query fields."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from telnorm.service.main import create_app
from telnorm.service.settings import Settings
from tests.conftest import CORPUS, corpus_path
from tests.export.helpers import assert_valid_eml


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    schema_dir = CORPUS / "xsd" / "v1.2.2"
    settings = Settings(
        workers=1,
        max_upload_bytes=8 * 1024 * 1024,
        parse_timeout_seconds=30,
        eml_schema_dir=schema_dir if schema_dir.exists() else None,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.mark.corpus
def test_accept_xml_gives_valid_eml(client: TestClient) -> None:
    count = corpus_path("eml", "510b", "Telling_PS2023_Drenthe_gemeente_Aa_en_Hunze.eml.xml")
    response = client.post(
        "/normalise",
        files={"file": (count.name, count.read_bytes())},
        headers={"Accept": "application/xml"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert "Telling_PS2023" in response.headers["content-disposition"]
    assert_valid_eml(response.content)


@pytest.mark.corpus
def test_output_parameter_and_missing_fields(client: TestClient) -> None:
    csv_path = corpus_path("csv", "osv4-3", "osv4-3_telling_gr2022_westmaasenwaal.csv")
    body = {"file": (csv_path.name, csv_path.read_bytes())}
    response = client.post("/normalise?output=eml", files=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "export-fields-missing"
    # the creation time defaults (SOURCE_DATE_EPOCH or the clock); the contest has none
    assert [m["field"] for m in problem["missing"]] == ["contest_id"]
    response = client.post(
        "/normalise?output=eml&creation_time=2022-03-17T09:00:00&contest_id=geen", files=body
    )
    assert response.status_code == 200, response.text
    assert_valid_eml(response.content)
    assert "Telnorm-Notes" not in response.headers  # an explicit creation time wins
    response = client.post("/normalise?output=eml&contest_id=geen", files=body)
    assert response.status_code == 200, response.text
    assert_valid_eml(response.content)
    assert "kr:CreationDateTime" in response.headers["Telnorm-Notes"]
    response = client.post("/normalise", files=body, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.content == csv_path.read_bytes()
    response = client.post(
        "/normalise", files=body, headers={"Accept": 'text/csv; profile="databank"'}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"Regio;RegioCode;OuderRegioCode;")


def test_unwritable_accept_is_406(client: TestClient) -> None:
    response = client.post(
        "/normalise", files={"file": ("x.csv", b"a;b\n1;2\n")}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 406
    assert response.json()["code"] == "not-acceptable"


@pytest.mark.corpus
def test_cli_to_and_set(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from telnorm.service.cli import cli

    csv_path = corpus_path("csv", "osv4-3", "osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv")
    runner = CliRunner()
    result = runner.invoke(cli, ["normalise", str(csv_path), "--to", "eml"])
    assert result.exit_code == 1
    assert "--set contest_id=" in result.output
    out = tmp_path / "out.eml.xml"
    result = runner.invoke(
        cli,
        ["normalise", str(csv_path), "--to", "eml", "-o", str(out), "--set", "contest_id=6",
         "--set", "creation_time=2025-11-04T11:59:07"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert_valid_eml(out.read_bytes())
    result = runner.invoke(cli, ["normalise", str(csv_path), "--to", "osv4-3"])
    assert result.stdout_bytes == csv_path.read_bytes()


@pytest.mark.corpus
def test_databank_notes_in_an_ascii_header(client: TestClient) -> None:
    """The databank writer's notes name regions; the header carries them percent-encoded
    (UTF-8) where they leave ASCII, so every client reads the same bytes."""
    from urllib.parse import unquote

    from telnorm.service.pipeline import InputFile, dumps, normalise

    count = corpus_path("eml", "510b", "Telling_PS2023_Drenthe_gemeente_Aa_en_Hunze.eml.xml")
    document = normalise(InputFile(count, count.name))
    document["managing_authority"]["name"] = "Lindehövén"
    document["total_votes"]["cast"] = None
    body = {"file": ("count.json", dumps(document), "application/json")}
    response = client.post("/normalise?output=databank", files=body)
    assert response.status_code == 200, response.text
    header = response.headers["Telnorm-Notes"]
    assert header.isascii()
    assert "No Kiesgerechtigden row for G1680 (Lindehövén)" in unquote(header)
