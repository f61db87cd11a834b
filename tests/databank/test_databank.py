"""The databank's import CSV: written as the real file is, and read back (as input and as the
reference of reconciliation)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from telnorm.parsers.api import Limits, Source
from telnorm.parsers.databank import HEADER
from telnorm.parsers.eml.context import CANDIDATE_LIST, read_context_file
from telnorm.parsers.errors import DuplicateValue, StructureError, TelnormError
from telnorm.service.export import export
from telnorm.service.export.databank import lineage
from telnorm.service.export.options import ExportOptions
from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise
from telnorm.service.problems import status_of
from telnorm.service.validation.inputs import ValidateRequest, run_request
from tests.conftest import corpus_path

TK2025 = ("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
NIJMEGEN = ("eml", "230b", "Kandidatenlijsten_TK2025_Nijmegen.eml.xml")
UNIT_KEYS = ("id", "number", "name", "postal_code", "kind", "raw_name")
LELYSTAD = ("csv", "osv4-3", "district", "osv4-3_telling_tk2023_kieskring_lelystad.csv")


def _export(path: Path, tmp_path: Path) -> bytes:
    document = normalise(InputFile(path, path.name))
    return export(document, "databank").content


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter=";"))


def test_lineage_of_regions() -> None:
    assert lineage("K4") == ("P23", "L528")
    assert lineage("G0150", "K4") == ("K4", "P23")
    assert lineage("P23") == ("L528", None)
    assert lineage("L528") == (None, None)
    # the Caribbean district lies in no province: the databank's non-provincial region
    assert lineage("K20") == ("P99", "L528")
    assert lineage("K21") == (None, None)  # no such district: no guessed place


@pytest.mark.corpus
def test_a_municipal_count_gives_the_real_files_shape(tmp_path: Path) -> None:
    data = _export(corpus_path(*TK2025), tmp_path)
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data and b'"' not in data
    lines = data.decode().splitlines()
    assert tuple(lines[0].split(";")) == HEADER
    rows = _rows(data)
    assert {r["RegioCode"] for r in rows} == {"G0668"}
    assert {(r["OuderRegioCode"], r["GrootOuderRegioCode"]) for r in rows} == {("K6", "P25")}
    kinds = [r["VeldType"] for r in rows]
    assert "KandidaatAantalStemmen" not in kinds  # municipal rows: list totals only
    stats = {r["VeldType"]: int(r["Waarde"]) for r in rows if not r["LijstNummer"]}
    assert stats["AantalGeldigeStemmen"] == 13627
    assert stats["Opkomst"] == 13627 + 57 + 13
    assert stats["Kiesgerechtigden"] == 16290
    lists = {
        r["LijstNummer"]: int(r["Waarde"]) for r in rows if r["VeldType"] == "LijstAantalStemmen"
    }
    assert lists["1"] == 3216 and sum(lists.values()) == 13627


@pytest.mark.corpus
def test_gender_as_the_databank_writes_it(tmp_path: Path) -> None:
    path = corpus_path(*TK2025)
    document = normalise(
        InputFile(path, path.name),
        {"candidate_list": InputFile(corpus_path(*NIJMEGEN), "kl.xml")},
        NormaliseOptions(),
    )
    document["document"]["level"] = "district"  # candidate rows are written from K up
    document["managing_authority"] = {"id": "HSB6", "name": "Nijmegen"}
    candidate_list = read_context_file(
        Source(corpus_path(*NIJMEGEN), "kl.xml"), CANDIDATE_LIST, Limits()
    )
    options = ExportOptions(candidate_list=candidate_list)
    rows = _rows(export(document, "databank", options).content)
    genders = {r["KandidaatGeslacht"] for r in rows if r["VeldType"] == "KandidaatAantalStemmen"}
    assert genders <= {"m", "v", ""} and genders & {"m", "v"}


@pytest.mark.corpus
def test_a_district_file_round_trips(tmp_path: Path) -> None:
    district = corpus_path(*LELYSTAD)
    data = _export(district, tmp_path)
    rows = _rows(data)
    k_rows = [r for r in rows if r["RegioCode"] == "K5"]
    assert {(r["OuderRegioCode"], r["GrootOuderRegioCode"]) for r in k_rows} == {("P24", "L528")}
    assert any(r["VeldType"] == "KandidaatAantalStemmen" for r in k_rows)
    g_rows = [r for r in rows if r["RegioCode"].startswith("G")]
    assert g_rows and {(r["OuderRegioCode"], r["GrootOuderRegioCode"]) for r in g_rows} == {
        ("K5", "P24")
    }
    written = tmp_path / "TK2023_uitslag.csv"
    written.write_bytes(data)
    back = normalise(InputFile(written, written.name))
    assert back["source"]["parser"]["name"] == "databank"
    assert back["document"]["level"] == "district"
    original = normalise(InputFile(district, district.name))

    def lists(group: dict[str, object]) -> dict[str, object]:
        return {s["affiliation_id"]: s["valid_votes"] for s in group["selections"]}  # type: ignore[index,union-attr]

    assert lists(back["total_votes"]) == lists(original["total_votes"])
    # units named as a 510c names them, the district in the id: HSB5::0034
    by_code = {u["id"]: u for u in back["reporting_unit_votes"]}
    assert all(key.startswith("HSB5::") for key in by_code)
    for unit in original["reporting_unit_votes"]:
        assert lists(by_code[unit["id"]]) == lists(unit), unit["id"]
        assert by_code[unit["id"]]["total_counted"] == unit["total_counted"]


@pytest.mark.corpus
def test_the_databank_file_as_a_reconciliation_reference(tmp_path: Path) -> None:
    """A district's databank rows as the reference of its municipalities' counts: no
    difference for an exact count, the difference for a changed one."""
    district = corpus_path(*LELYSTAD)
    reference = tmp_path / "TK2023_uitslag.csv"
    reference.write_bytes(_export(district, tmp_path))
    document = normalise(InputFile(district, district.name))
    unit = document["reporting_unit_votes"][0]
    municipal = {
        **document,
        "document": {**document["document"], "level": "municipality"},
        "managing_authority": {"id": unit["id"].split("::")[-1], "name": unit["name"]},
        "total_votes": {k: v for k, v in unit.items() if k not in UNIT_KEYS},
        "reporting_unit_votes": [],
    }  # fmt: skip
    municipal.pop("source", None)
    municipal.pop("locations", None)
    import orjson

    from telnorm.parsers.packed_selections import json_default

    count = tmp_path / "gemeente.json"
    # packed selections (parsers/packed_selections.py) are written by their default
    count.write_bytes(
        orjson.dumps({**municipal, "source": document["source"]}, default=json_default)
    )
    report = run_request(
        ValidateRequest(
            main=InputFile(count, count.name), reference=InputFile(reference, reference.name)
        )
    )
    assert report["summary"]["reconciliation"]["unit"] is not None
    assert report["summary"]["reconciliation_difference"] == 0


def _databank_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "uitslag.csv"
    path.write_text(";".join(HEADER) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_value_stated_twice_is_refused(tmp_path: Path) -> None:
    row = "Lindehoven;G0999;K6;P25;;1;Lokaal;;;;;;;;LijstAantalStemmen;{}"
    path = _databank_file(tmp_path, [row.format(30), row.format(31)])
    with pytest.raises(DuplicateValue) as caught:
        normalise(InputFile(path, path.name))
    assert caught.value.location == {"line": 3}
    assert caught.value.extra["first"] == {"line": 2}


def test_a_municipality_of_another_district_is_refused_not_dropped(tmp_path: Path) -> None:
    path = _databank_file(
        tmp_path,
        [
            "Lelystad;K5;P24;L528;;1;Lokaal;;;;;;;;LijstAantalStemmen;50",
            "Almere;G0034;K5;P24;;1;Lokaal;;;;;;;;LijstAantalStemmen;30",
            "Urk;G0184;K4;P23;;1;Lokaal;;;;;;;;LijstAantalStemmen;20",
        ],
    )
    with pytest.raises(StructureError, match="G0184"):
        normalise(InputFile(path, path.name))


def test_a_list_row_without_its_number_is_refused(tmp_path: Path) -> None:
    path = _databank_file(
        tmp_path, ["Lindehoven;G0999;K6;P25;;;Lokaal;;;;;;;;LijstAantalStemmen;3"]
    )
    with pytest.raises(StructureError) as caught:
        normalise(InputFile(path, path.name))
    assert caught.value.location == {"line": 2, "column": 6}


@pytest.mark.parametrize(
    "line",
    [
        "Lindehoven;G0999;K6;P25;;1;Lok\raal;;;;;;;;LijstAantalStemmen;30",  # a lone CR
        'Lindehoven;G0999;K6;P25;;1;"Lokaal;;;;;;;;LijstAantalStemmen;30',  # an open quote
        # longer than max_line_length (1,000,000), the cap of every text table
        "Lindehoven;G0999;K6;P25;;1;" + "x" * 1_000_001 + ";;;;;;;;LijstAantalStemmen;30",
    ],
    ids=["carriage-return", "open-quote", "huge-cell"],
)
def test_a_line_the_csv_module_cannot_read_is_a_located_refusal(tmp_path: Path, line: str) -> None:
    path = tmp_path / "uitslag.csv"
    path.write_bytes((";".join(HEADER) + "\n" + line + "\n").encode("utf-8"))
    with pytest.raises(TelnormError) as caught:
        normalise(InputFile(path, path.name))
    assert 400 <= status_of(caught.value) < 500
    assert caught.value.location and caught.value.location["line"] >= 2
