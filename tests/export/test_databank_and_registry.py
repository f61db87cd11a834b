"""The databank CSV rules, format negotiation, and the run-time schema check."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path

import pytest

from telnorm.parsers.eml.context import AffiliationInfo, CandidateInfo, ContextDocument
from telnorm.parsers.errors import (
    ExportFieldsMissing,
    ExportSchemaViolation,
    NotAcceptable,
    RequestError,
)
from telnorm.service.export import ExportOptions, export, format_name, negotiate
from telnorm.service.export.databank import (
    COLUMNS,
    FIELD_TYPES,
    region_code,
    split_name,
    to_databank,
)
from telnorm.service.export.eml import to_eml
from telnorm.service.export.schema_check import check_eml
from telnorm.service.pipeline import InputFile, normalise
from telnorm.service.problems import status_of
from tests.conftest import CORPUS, corpus_path
from tests.export.helpers import base_document


def _rows(data: bytes) -> list[dict[str, str]]:
    # as the real import file: UTF-8 without BOM, LF, no quoting
    assert b"\r" not in data and b'"' not in data.replace(b'Lijst "Dorp" <2>', b"")
    assert not data.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";")
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def test_databank_rows_of_a_municipal_count() -> None:
    document = base_document()
    document["election"].update(category="TK", subcategory="TK")
    document["contest"]["id"] = "6"  # a TK kieskring: the municipality's parent is K6
    rows = _rows(to_databank(document))
    # Polling stations are not a databank level: only the municipality itself.
    assert {
        (r["Regio"], r["RegioCode"], r["OuderRegioCode"], r["GrootOuderRegioCode"]) for r in rows
    } == {("Testdorp", "G0999", "K6", "P25")}
    assert [r["VeldType"] for r in rows[:5]] == [
        "Kiesgerechtigden",
        "Opkomst",
        "AantalGeldigeStemmen",
        "AantalBlancoStemmen",
        "AantalOngeldigeStemmen",
    ]
    assert [r["Waarde"] for r in rows[:5]] == ["900", "42", "36", "4", "2"]
    # municipal rows hold list totals only, as the real files do
    assert [(r["VeldType"], r["LijstNummer"], r["Waarde"]) for r in rows[5:]] == [
        ("LijstAantalStemmen", "1", "30"),
        ("LijstAantalStemmen", "2", "6"),
    ]
    assert {r["VeldType"] for r in rows} <= set(FIELD_TYPES)
    assert all(r["Partij"] == "" for r in rows)
    assert rows[6]["LijstNaam"] == 'Lijst "Dorp" <2>'
    district = base_document()
    district["managing_authority"] = {"id": "HSB6", "name": "Nijmegen"}
    district["election"].update(category="TK", subcategory="TK")
    rows = _rows(to_databank(district))
    berg = next(r for r in rows if r["LijstNummer"] == "1" and r["KandidaatNummer"] == "2")
    assert (r := rows[0])["RegioCode"] == "K6" and r["OuderRegioCode"] == "P25"
    assert (
        berg["KandidaatTussenvoegsel"],
        berg["KandidaatAchternaam"],
        berg["KandidaatInitialen"],
    ) == (
        "van der",
        "Berg",
        "B.C.",
    )


def test_absent_numbers_have_no_row() -> None:
    document = base_document()
    document["total_votes"]["cast"] = None
    document["total_votes"]["selections"][1]["valid_votes"] = None
    rows = _rows(to_databank(document))
    assert "Kiesgerechtigden" not in {r["VeldType"] for r in rows}
    assert [r["LijstNummer"] for r in rows if r["VeldType"] == "LijstAantalStemmen"] == ["1"]
    assert "0" not in {r["Waarde"] for r in rows if r["VeldType"] == "Kiesgerechtigden"}


def test_candidate_list_gives_the_candidate_columns() -> None:
    context = ContextDocument(
        role="candidate_list",
        eml_id="230b",
        affiliations={
            "1": AffiliationInfo(
                "1",
                "Partij A",
                {
                    "2": CandidateInfo(
                        "2", "van der Berg, B.C.", None, "B.C.", "Bea", "van der", "Berg",
                        "female", "Testdorp",
                    )
                },
            )
        },
    )  # fmt: skip
    district = base_document()
    district["managing_authority"] = {"id": "HSB6", "name": "Nijmegen"}
    rows = _rows(to_databank(district, ExportOptions(candidate_list=context)))
    bea = next(r for r in rows if r["LijstNummer"] == "1" and r["KandidaatNummer"] == "2")
    assert (bea["KandidaatVoornaam"], bea["KandidaatWoonplaats"], bea["KandidaatGeslacht"]) == (
        "Bea",
        "Testdorp",
        "v",
    )


def test_region_codes() -> None:
    assert region_code("0668") == "G0668"
    assert region_code("HSB3::0518") == "G0518"
    assert region_code("9002") == "O9002"
    assert region_code("HSB6") == "K6"
    assert region_code("0668::SB1") is None
    assert region_code("CSB") is None
    assert split_name("Wilders, G.").last_name == "Wilders"
    assert split_name("'t Hart, A.").prefix == "'t"


@pytest.mark.corpus
def test_central_count_needs_its_region_code() -> None:
    path = corpus_path("eml", "510-other", "Totaaltelling_PS2023_Drenthe_provincie_Drenthe.eml.xml")
    document = normalise(InputFile(path, path.name))
    # a water board's central count has no databank code telnorm knows: asked for
    board = copy.deepcopy(document)
    board["election"].update(category="AB", subcategory="AB")
    with pytest.raises(ExportFieldsMissing) as caught:
        to_databank(board)
    assert [m["field"] for m in caught.value.extra["missing"]] == ["region_code"]
    # a PS count's is the province its domain names (Drenthe: P22), as region_code gives it
    assert to_databank(document) == to_databank(document, ExportOptions(region_code="P22"))
    rows = _rows(to_databank(document, ExportOptions(region_code="P22")))
    regions = {(r["RegioCode"], r["OuderRegioCode"], r["GrootOuderRegioCode"]) for r in rows}
    # The province under the country, and its municipality unit 1680 under it.
    assert regions == {("P22", "L528", ""), ("G1680", "P22", "L528")}


def test_negotiation() -> None:
    assert negotiate(None) == "json"
    assert negotiate("*/*") == "json"
    assert negotiate("application/xml") == "eml"
    assert negotiate("text/csv") == "osv4-3"
    assert negotiate('text/csv; profile="databank"') == "databank"
    assert negotiate("text/csv;q=0.5, application/xml") == "eml"
    assert negotiate("text/html, text/csv;q=0.1") == "osv4-3"
    assert negotiate("application/json", output="eml") == "eml"
    assert format_name("xml") == "eml" and format_name("text/csv") == "osv4-3"
    with pytest.raises(NotAcceptable) as caught:
        negotiate("text/html, application/pdf")
    assert status_of(caught.value) == 406
    with pytest.raises(RequestError):
        format_name("pdf")


def test_json_export_is_the_canonical_document() -> None:
    document = base_document()
    content, media_type, _ = export(document, "json")
    assert media_type == "application/json"
    assert content.startswith(b'{"format_version":"1"')


def test_runtime_schema_check() -> None:
    schema_dir = CORPUS / "xsd" / "v1.2.2"
    if not schema_dir.exists():
        pytest.skip("schemas not available")
    good = to_eml(base_document(), ExportOptions(creation_time="2026-03-19T21:30:00"))
    check_eml(good, schema_dir)
    check_eml(b"<not-eml/>", None)  # no schema configured: no check
    broken = good.replace(b"<TotalCounted>", b"<TotalCounted>-", 1)
    with pytest.raises(ExportSchemaViolation) as caught:
        check_eml(broken, schema_dir)
    assert status_of(caught.value) == 500 and caught.value.extra["errors"]
    content = export(
        base_document(), "eml", ExportOptions(creation_time="2026-03-19T21:30:00"),
        schema_dir=Path(schema_dir),
    ).content  # fmt: skip
    assert content == good
