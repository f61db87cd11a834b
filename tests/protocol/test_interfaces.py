"""``telnorm protocol`` and ``POST /protocol``: formats, the Council tool's CSV layout, errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import jsonschema
import orjson
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from telnorm.service.cli import cli
from telnorm.service.protocol.schema import REPORT_SCHEMA
from tests.conftest import corpus_path
from tests.protocol.conftest import municipality, station

GR2022 = ("eml", "510b", "Telling_GR2022_WestMaasenWaal.eml.xml")
HEADER_BLOCK = [
    "Versie controleprotocol",
    "Beschrijving",
    "",
    "EML datum/tijd",
    "Verkiezing",
    "Datum",
    "Kieskringnummer",
    "Gemeentenummer",
    "",
]


def _document_file(tmp_path: Path) -> Path:
    units = [station(n, {"1": {"1": 120, "2": 40}, "2": {"1": 100}}) for n in (1, 2, 3)]
    units[1]["rejected_votes"]["ongeldig"] = 40  # 40 of 302 ballots
    units[1]["uncounted_votes"]["toegelaten kiezers"] = 302
    units[2]["uncounted_votes"]["geen verklaring"] = 3
    path = tmp_path / "telling.json"
    path.write_bytes(orjson.dumps(municipality(units)))
    return path


def test_cli_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["protocol", str(_document_file(tmp_path))])
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout_bytes)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert [e["station"] for e in report["b"]] == ["2"]
    assert report["b"][0]["invalid_pct"] == pytest.approx(40 * 100 / 302, abs=0.01)
    assert [e["station"] for e in report["a"]] == ["3"]


def test_cli_csv_writes_three_parts_in_the_councils_layout(tmp_path: Path) -> None:
    out = tmp_path / "controle.csv"
    result = CliRunner().invoke(
        cli, ["protocol", str(_document_file(tmp_path)), "--format", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    parts = {p: (tmp_path / f"controle_{p}.csv").read_bytes().decode() for p in "ABC"}
    for part, text in parts.items():
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert [row[0] if row else "" for row in rows[:9]] == HEADER_BLOCK, part
        assert rows[0][1] == "GR2026"
        assert rows[9][:7] == [
            "Verkiezingnummer", "Type", "Kieskringnummer", "Gemeentenummer", "Gemeentenaam",
            "Stembureaunummer", "Stembureaunaam",
        ]  # fmt: skip
        assert "\r\n" in text  # the Council tool writes CRLF as well
    a_rows = list(csv.reader(io.StringIO(parts["A"]), delimiter=";"))[10:]
    assert [(r[1], r[5], r[7]) for r in a_rows] == [("A", "3", "3")]
    b_rows = list(csv.reader(io.StringIO(parts["B"]), delimiter=";"))[10:]
    assert [(r[5], r[8]) for r in b_rows] == [("2", "ja (13.2%)")]
    c_rows = list(csv.reader(io.StringIO(parts["C"]), delimiter=";"))
    assert c_rows[9][7:] == ["Partij 1", "Partij 2"]
    assert len(c_rows) == 13


def test_cli_html_is_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "controle.html"
    result = CliRunner().invoke(
        cli, ["protocol", str(_document_file(tmp_path)), "--format", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'lang="nl"' in page
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_cli_unreadable_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "kapot.xml"
    bad.write_bytes(b"<EML><Count>")
    result = CliRunner().invoke(cli, ["protocol", str(bad)])
    assert result.exit_code == 2
    assert "error:" in result.output


def test_cli_bad_neighbourhood_table_exits_2(tmp_path: Path) -> None:
    table = tmp_path / "wijken.csv"
    table.write_text("postcode;wijk\n1234AB;WK01\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["protocol", str(_document_file(tmp_path)), "--neighbourhoods", str(table)]
    )
    assert result.exit_code == 2
    assert "zip_code, neighbourhood_code, ambiguous" in result.output


@pytest.mark.corpus
def test_http_json_csv_and_html(client: TestClient) -> None:
    data = corpus_path(*GR2022).read_bytes()
    files = {"file": ("telling.eml.xml", data, "application/xml")}
    as_json = client.post("/protocol", files=files)
    assert as_json.status_code == 200, as_json.text
    report = as_json.json()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["authority"] == {"id": "0668", "name": "West Maas en Waal"}
    assert report["stations"] == 21
    as_csv = client.post("/protocol?part=b", files=files, headers={"Accept": "text/csv"})
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text), delimiter=";"))
    assert rows[1][1].startswith("Spreadsheet afwijkende percentages")
    assert {r[5] for r in rows[10:]} == {e["station"] for e in report["b"]}
    as_html = client.post("/protocol", files=files, headers={"Accept": "text/html"})
    assert as_html.status_code == 200 and "<table>" in as_html.text


def test_http_problems(client: TestClient) -> None:
    files = {"file": ("telling.xml", b"<EML><Count>", "application/xml")}
    broken = client.post("/protocol", files=files)
    assert broken.status_code in (415, 422)
    assert broken.headers["content-type"].startswith("application/problem+json")
    refused = client.post("/protocol", files=files, headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_http_schema(client: TestClient) -> None:
    response = client.get("/schema/protocol")
    assert response.status_code == 200
    assert response.json()["title"] == "telnorm control-protocol report"
