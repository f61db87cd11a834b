"""The databank import file as the real files show it: region order, the Caribbean regions,
notes for rows a count cannot fill, and the VeldTypes of real files the reader meets."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path
from typing import Any

import pytest

from telnorm.parsers.databank import HEADER
from telnorm.parsers.errors import ExportFieldsMissing, UnreadCells
from telnorm.service.export import ExportOptions, export
from telnorm.service.export.databank import region_order, to_databank
from telnorm.service.pipeline import InputFile, normalise
from telnorm.service.problems import status_of
from tests.conftest import corpus_path
from tests.export.helpers import base_document

LELYSTAD = ("csv", "osv4-3", "district", "osv4-3_telling_tk2023_kieskring_lelystad.csv")


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";"))


def _in_kieskring(document: dict[str, Any], number: str) -> None:
    """Make the fictional count a Tweede Kamer count of kieskring ``number`` (contest id)."""
    document["election"].update(id="TK2026", name="Tweede Kamer 2026", category="TK")
    document["election"]["subcategory"] = "TK"
    document["contest"]["id"] = number


def _district(authority: str, name: str, units: dict[str, str]) -> dict[str, Any]:
    """A district count whose units are municipalities (as a 510c), built from the fictional
    municipal count of the export tests."""
    document = base_document()
    document["document"]["level"] = "district"
    document["managing_authority"] = {"id": authority, "name": name}
    _in_kieskring(document, authority.removeprefix("HSB"))
    document["contest"]["name"] = name
    template = document["reporting_unit_votes"][0]
    document["reporting_unit_votes"] = []
    for code, unit_name in units.items():
        unit = copy.deepcopy(template)
        unit.update(id=f"{authority}::{code}", name=unit_name, kind="municipality", cast=500)
        document["reporting_unit_votes"].append(unit)
    return document


def _places(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    seen: dict[tuple[str, str, str], None] = {}
    for r in rows:
        seen[(r["RegioCode"], r["OuderRegioCode"], r["GrootOuderRegioCode"])] = None
    return list(seen)


# --- order -------------------------------------------------------------------------------


def test_regions_by_level_letter_then_number() -> None:
    codes = ["P20", "L528", "K10", "K2", "G0150", "O9001", "G0034", "G9010"]
    assert sorted(codes, key=region_order) == [
        "G0034", "G0150", "G9010", "K2", "K10", "L528", "O9001", "P20",
    ]  # fmt: skip


def test_a_district_gives_its_municipalities_then_itself() -> None:
    document = _district("HSB6", "Nijmegen", {"0668": "West Maas en Waal", "0209": "Beuningen"})
    rows = _rows(to_databank(document))
    assert _places(rows) == [("G0209", "K6", "P25"), ("G0668", "K6", "P25"), ("K6", "P25", "L528")]
    # within a region: the statistics, then each list followed by its candidates
    k6 = [
        (r["VeldType"], r["LijstNummer"], r["KandidaatNummer"])
        for r in rows
        if r["RegioCode"] == "K6"
    ]
    assert k6 == [
        ("Kiesgerechtigden", "", ""),
        ("Opkomst", "", ""),
        ("AantalGeldigeStemmen", "", ""),
        ("AantalBlancoStemmen", "", ""),
        ("AantalOngeldigeStemmen", "", ""),
        ("LijstAantalStemmen", "1", ""),
        ("KandidaatAantalStemmen", "1", "1"),
        ("KandidaatAantalStemmen", "1", "2"),
        ("LijstAantalStemmen", "2", ""),
        ("KandidaatAantalStemmen", "2", "1"),
    ]
    g = [r["VeldType"] for r in rows if r["RegioCode"] == "G0668"]
    assert "KandidaatAantalStemmen" not in g and g.count("LijstAantalStemmen") == 2


@pytest.mark.corpus
def test_the_real_district_file_in_region_order() -> None:
    path = corpus_path(*LELYSTAD)
    rows = _rows(export(normalise(InputFile(path, path.name)), "databank").content)
    codes = [code for code, _, _ in _places(rows)]
    assert codes == ["G0034", "G0050", "G0171", "G0184", "G0303", "G0995", "K5"]


# --- the Caribbean regions ---------------------------------------------------------------

CARIBBEAN = {"9001": "Bonaire", "9002": "Sint Eustatius", "9003": "Saba"}


def test_the_caribbean_district_lies_in_the_non_provincial_region() -> None:
    exported = export(_district("HSB20", "Bonaire", CARIBBEAN), "databank")
    rows = _rows(exported.content)
    # by level letter: the district (K) before its public bodies (O), unlike G municipalities
    assert _places(rows) == [
        ("K20", "P99", "L528"),
        ("O9001", "K20", "P99"), ("O9002", "K20", "P99"), ("O9003", "K20", "P99"),
    ]  # fmt: skip
    assert next(r["Regio"] for r in rows if r["RegioCode"] == "O9002") == "Sint Eustatius"
    assert not [n for n in exported.notes if "RegioCode" in n]


def test_a_province_given_for_k20_reaches_its_public_bodies() -> None:
    # P40 is a made-up code: the option wins over the derived P99.
    options = ExportOptions(parent_region_code="P40")
    exported = export(_district("HSB20", "Bonaire", CARIBBEAN), "databank", options)
    assert _places(_rows(exported.content)) == [
        ("K20", "P40", "L528"),
        ("O9001", "K20", "P40"), ("O9002", "K20", "P40"), ("O9003", "K20", "P40"),
    ]  # fmt: skip
    assert not [n for n in exported.notes if "RegioCode" in n]


def test_a_district_of_unknown_place_leaves_its_codes_empty_and_says_so() -> None:
    # A district number the Kieswet does not have: no guessed province.
    exported = export(_district("HSB21", "Elders", {"0150": "Deventer"}), "databank")
    assert _places(_rows(exported.content)) == [("G0150", "K21", ""), ("K21", "", "")]
    parent = next(n for n in exported.notes if n.startswith("OuderRegioCode"))
    assert "K21" in parent and "parent_region_code" in parent
    grand = next(n for n in exported.notes if n.startswith("GrootOuderRegioCode"))
    assert "G0150" in grand and "K21" in grand


def test_a_public_bodys_own_count() -> None:
    document = base_document()
    document["managing_authority"] = {"id": "9003", "name": "Saba"}
    _in_kieskring(document, "20")
    exported = export(document, "databank")
    assert _places(_rows(exported.content)) == [("O9003", "K20", "P99")]
    assert not [n for n in exported.notes if "RegioCode" in n]


def test_the_postal_vote_from_abroad_is_a_municipality_of_k12() -> None:
    document = _district(
        "HSB12", "'s-Gravenhage", {"0518": "'s-Gravenhage", "9010": "Briefstemmen"}
    )
    assert _places(_rows(to_databank(document)))[:2] == [
        ("G0518", "K12", "P28"),
        ("G9010", "K12", "P28"),
    ]


# --- notes: what the count lacks is said, never invented ---------------------------------


def test_a_missing_statistic_is_a_note_naming_region_and_veldtype() -> None:
    document = base_document()
    _in_kieskring(document, "6")
    document["total_votes"]["cast"] = None
    exported = export(document, "databank")
    assert "Kiesgerechtigden" not in {r["VeldType"] for r in _rows(exported.content)}
    assert exported.notes == (
        "No Kiesgerechtigden row for G0999 (Testdorp): the count does not state it, and no "
        "number is invented.",
    )


def test_opkomst_and_list_totals_the_count_lacks() -> None:
    document = base_document()
    _in_kieskring(document, "6")
    document["total_votes"]["total_counted"] = None
    document["total_votes"]["selections"][1]["valid_votes"] = None
    notes = export(document, "databank").notes
    assert any(n.startswith("No Opkomst row for G0999") for n in notes)
    assert any(n.startswith("No AantalGeldigeStemmen row for G0999") for n in notes)
    assert any(n.startswith("No LijstAantalStemmen row for G0999 list 2") for n in notes)


def test_a_stated_opkomst_that_disagrees_with_e_f_g_is_kept_and_named() -> None:
    document = base_document()
    _in_kieskring(document, "6")
    group = document["total_votes"]
    summed = group["total_counted"] + sum(group["rejected_votes"].values())
    group["votes_cast"] = summed + 2
    exported = export(document, "databank")
    opkomst = [r["Waarde"] for r in _rows(exported.content) if r["VeldType"] == "Opkomst"]
    assert opkomst == [str(summed + 2)]
    assert [n for n in exported.notes if n.startswith("Opkomst is the stated")] == [
        f"Opkomst is the stated number of ballots (H) for G0999 (Testdorp): H {summed + 2}, "
        f"E + F + G {summed}, which differs from valid + blank + invalid (E + F + G), the sum "
        "the real files' municipal rows hold: check the count (validation reports the "
        "difference) before importing."
    ]
    group["votes_cast"] = summed
    assert not [n for n in export(document, "databank").notes if n.startswith("Opkomst")]


def test_a_list_absent_from_a_region_is_named() -> None:
    document = _district("HSB6", "Nijmegen", {"0668": "West Maas en Waal"})
    del document["reporting_unit_votes"][0]["selections"][1]
    notes = export(document, "databank").notes
    assert notes == (
        "No LijstAantalStemmen row for G0668 list 2: the count does not state these list "
        "totals, and no number is invented.",
        "KandidaatVoornaam, KandidaatWoonplaats and KandidaatGeslacht are empty on every "
        "candidate row: they come from the candidate list (EML 230b), which was not sent.",
    )


def test_candidates_without_names_or_votes_are_named() -> None:
    document = _district("HSB6", "Nijmegen", {"0668": "West Maas en Waal"})
    for affiliation in document["affiliations"]:
        for candidate in affiliation["candidates"]:
            candidate["name"] = None
    document["total_votes"]["selections"][1]["candidates"] = []
    exported = export(document, "databank")
    rows = _rows(exported.content)
    assert [r["KandidaatAchternaam"] for r in rows if r["KandidaatNummer"]] == ["", ""]
    assert any(
        n.startswith("2 KandidaatAantalStemmen row(s) have no candidate name")
        for n in exported.notes
    )
    assert any(n.startswith("No KandidaatAantalStemmen row for K6 list 2") for n in exported.notes)


def test_a_municipality_without_a_district_says_so() -> None:
    exported = export(base_document(), "databank")  # contest "geen": no district
    assert _places(_rows(exported.content)) == [("G0999", "", "")]
    assert any(n.startswith("OuderRegioCode is empty on the rows of G0999") for n in exported.notes)


def test_a_complete_count_has_no_notes() -> None:
    document = base_document()
    _in_kieskring(document, "6")
    assert export(document, "databank").notes == ()


# --- reading what real files hold ----------------------------------------------------------


def _file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "TK2025_uitslag.csv"
    path.write_text(";".join(HEADER) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_result_rows_are_counted_in_a_note_not_read(tmp_path: Path) -> None:
    # The country's seat rows of TK2025 may lack the list number; elected rows name a candidate.
    path = _file(
        tmp_path,
        [
            "Nederland;L528;;;;;Lijst Een;;;;;;;;LijstAantalZetels;26",
            "Nederland;L528;;;;;Lijst Twee;;;;;;;;LijstAantalZetels;3",
            "Nederland;L528;;;;1;Lijst Een;1;A.;Anna;;Aal;Arnhem;v;KandidaatGekozen;1",
            "Lindehoven;G0999;K6;P25;;;;;;;;;;;AantalGeldigeStemmen;36",
            "Lindehoven;G0999;K6;P25;;1;Lijst Een;;;;;;;;LijstAantalStemmen;36",
        ],
    )
    document = normalise(InputFile(path, path.name))
    assert document["managing_authority"]["id"] == "0999"
    assert [
        (s["affiliation_id"], s["valid_votes"]) for s in document["total_votes"]["selections"]
    ] == [("1", 36)]
    messages = [n["message"] for n in document["notes"] if n["code"] == "databank-result-row"]
    assert messages[0].startswith("2 LijstAantalZetels row(s) left out")
    assert messages[1].startswith("1 KandidaatGekozen row(s) left out")


def test_weighted_votes_of_an_eerste_kamer_file_are_refused(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        [
            "Nederland;L528;;;;7;Lijst Zeven;;;;;;;;LijstAantalGewogenStemmen;4866",
            "Nederland;L528;;;;7;Lijst Zeven;;;;;;;;LijstAantalStemmen;17",
        ],
    )
    with pytest.raises(UnreadCells) as caught:
        normalise(InputFile(path, path.name))
    assert "Eerste Kamer" in caught.value.message
    assert caught.value.extra["count"] == 1
    assert caught.value.extra["cells"][0]["line"] == 2
    assert status_of(caught.value) == 422


def test_an_unknown_veldtype_is_refused_not_dropped(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        [
            "Lindehoven;G0999;K6;P25;;;;;;;;;;;AantalGeldigeStemmen;36",
            "Lindehoven;G0999;K6;P25;;;;;;;;;;;AantalVolmachten;12",
        ],
    )
    with pytest.raises(UnreadCells, match="AantalVolmachten"):
        normalise(InputFile(path, path.name))


def test_the_caribbean_district_reads_back(tmp_path: Path) -> None:
    written = tmp_path / "TK2025_uitslag.csv"
    written.write_bytes(to_databank(_district("HSB20", "Bonaire", CARIBBEAN)))
    back = normalise(InputFile(written, written.name))
    assert back["document"]["level"] == "district"
    assert back["managing_authority"]["id"] == "HSB20"
    units = {u["id"]: (u["name"], u["cast"]) for u in back["reporting_unit_votes"]}
    assert units == {
        "HSB20::9001": ("Bonaire", 500),
        "HSB20::9002": ("Sint Eustatius", 500),
        "HSB20::9003": ("Saba", 500),
    }
    # written again: the same bytes (order, codes, empty cells)
    assert to_databank(back) == written.read_bytes()


@pytest.mark.parametrize(
    ("stated", "written"),
    [
        ("Gemeente Testdorp", "Testdorp"),
        ("gemeente  Testdorp", "Testdorp"),
        ("Testdorp", "Testdorp"),
        ("Gemeentebelangen", "Gemeentebelangen"),  # a word, not the prefix
    ],
)
def test_region_names_as_the_databank_writes_them(stated: str, written: str) -> None:
    # Older EML names the authority "Gemeente Nuth"; the real files name the region alone.
    document = base_document()
    _in_kieskring(document, "6")
    document["managing_authority"]["name"] = stated
    assert {r["Regio"] for r in _rows(to_databank(document))} == {written}
    district = _district("HSB5", "Kieskring Lelystad", {"0034": "Gemeente Almere"})
    assert {r["Regio"] for r in _rows(to_databank(district))} == {"Lelystad", "Almere"}


def _central(districts: dict[str, str]) -> dict[str, Any]:
    """A central count (510d) whose units are districts."""
    document = _district("CSB", "Nederland", {})
    document["document"]["level"] = "central"
    document["contest"] = {"id": "alle", "name": None}
    template = base_document()["reporting_unit_votes"][0]
    for number, name in districts.items():
        unit = copy.deepcopy(template)
        unit.update(id=f"HSB{number}", name=name, kind="district", cast=500)
        document["reporting_unit_votes"].append(unit)
    return document


def test_a_central_count_gives_the_provinces_as_sums_of_their_districts() -> None:
    document = _central({"6": "Nijmegen", "7": "Arnhem", "9": "Amsterdam", "20": "Bonaire"})
    exported = export(document, "databank", ExportOptions(region_code="L528"))
    rows = _rows(exported.content)
    assert _places(rows) == [
        ("K6", "P25", "L528"), ("K7", "P25", "L528"), ("K9", "P27", "L528"),
        ("K20", "P99", "L528"), ("L528", "", ""), ("P25", "L528", ""), ("P99", "L528", ""),
    ]  # fmt: skip
    p25 = {(r["VeldType"], r["LijstNummer"]): r["Waarde"] for r in rows if r["RegioCode"] == "P25"}
    k6 = {(r["VeldType"], r["LijstNummer"]): r["Waarde"] for r in rows if r["RegioCode"] == "K6"}
    assert p25.keys() == {k for k in k6 if k[0] != "KandidaatAantalStemmen"}
    assert all(int(p25[key]) == 2 * int(k6[key]) for key in p25)  # two equal districts
    assert {r["Regio"] for r in rows if r["RegioCode"] == "P25"} == {"Gelderland"}
    summed = next(n for n in exported.notes if n.startswith("The rows of P25, P99 are the sums"))
    assert "KandidaatAantalStemmen" in summed
    assert "No rows for P27 (no K10, K11)" in " ".join(exported.notes)


def test_a_province_sum_needs_every_district_to_state_the_number() -> None:
    document = _central({"6": "Nijmegen", "7": "Arnhem"})
    document["reporting_unit_votes"][1]["cast"] = None
    document["reporting_unit_votes"][1]["selections"][1]["valid_votes"] = None
    rows = _rows(export(document, "databank", ExportOptions(region_code="L528")).content)
    p25 = {(r["VeldType"], r["LijstNummer"]) for r in rows if r["RegioCode"] == "P25"}
    assert ("Kiesgerechtigden", "") not in p25 and ("LijstAantalStemmen", "2") not in p25
    assert ("LijstAantalStemmen", "1") in p25 and ("AantalGeldigeStemmen", "") in p25


def test_a_name_the_unquoted_file_cannot_hold_is_written_with_a_space_and_named() -> None:
    document = base_document()
    _in_kieskring(document, "6")
    document["affiliations"][0]["name"] = "Lijst A; B\nC"
    exported = export(document, "databank")
    rows = _rows(exported.content)
    assert all(len(r) == len(HEADER) for r in rows)
    assert {r["LijstNaam"] for r in rows if r["LijstNummer"] == "1"} == {"Lijst A  B C"}
    assert exported.notes == (
        "1 name(s) hold a ';' or a line break, which the import file (no quoting) cannot hold: "
        "written with a space instead ('Lijst A; B\\nC').",
    )


@pytest.mark.parametrize(
    ("category", "domain", "region"),
    [("TK", None, "L528"), ("EP", None, "L528"), ("PS", "Drenthe", "P22"),
     ("PS", "Friesland", "P21"), ("PS", "Fryslân", "P21")],
)  # fmt: skip
def test_a_central_count_knows_its_region(category: str, domain: str | None, region: str) -> None:
    document = _central({})
    document["election"].update(category=category, subcategory=category)
    document["election"]["domain"] = {"id": None, "name": domain} if domain else None
    rows = _rows(export(document, "databank").content)
    assert {r["RegioCode"] for r in rows} == {region}


@pytest.mark.parametrize(("category", "domain"), [("AB", "Scheldestromen"), ("PS", "Elders")])
def test_a_central_count_of_unknown_region_asks_for_it(category: str, domain: str) -> None:
    document = _central({})
    document["election"].update(category=category, subcategory=category)
    document["election"]["domain"] = {"id": None, "name": domain}
    with pytest.raises(ExportFieldsMissing) as caught:
        export(document, "databank")
    assert "region_code" in caught.value.message


def test_a_ps_central_counts_units_keep_their_province_not_a_kieskring() -> None:
    # A PS count's district 2 in a unit id (HSB2::0197) is Gelderland's own, not the
    # Tweede Kamer's K2 (Leeuwarden): the unit lies in the province the count is for.
    document = _central({})
    document["election"].update(category="PS", subcategory="PS2")
    document["election"]["domain"] = {"id": None, "name": "Gelderland"}
    unit = copy.deepcopy(base_document()["reporting_unit_votes"][0])
    unit.update(id="HSB2::0197", name="Aalten", kind="municipality", cast=500)
    document["reporting_unit_votes"].append(unit)
    assert _places(_rows(to_databank(document))) == [
        ("G0197", "P25", "L528"),
        ("P25", "L528", ""),
    ]
