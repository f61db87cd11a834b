"""osv4-3 CSV export: the published layout byte for byte, and CSV round trips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from telnorm.service.export import ExportOptions, export
from telnorm.service.export.osv4_3 import STATISTICS, column_name, to_osv4_3
from telnorm.service.pipeline import InputFile, normalise
from tests.conftest import corpus_files, corpus_path
from tests.export.helpers import assert_valid_eml, base_document, documents, numbers, parse_bytes

#: (count, candidate list, the municipality's published osv4-3 CSV of the same count)
PUBLISHED = [
    (
        "eml/510b/Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
        "eml/230b/Kandidatenlijsten_TK2025_Nijmegen.eml.xml",
        "csv/osv4-3/osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv",
    ),
    (
        "eml/510b/Telling_GR2022_WestMaasenWaal.eml.xml",
        "eml/230b/Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml",
        "csv/osv4-3/osv4-3_telling_gr2022_westmaasenwaal.csv",
    ),
]


@pytest.mark.corpus
@pytest.mark.parametrize("count, candidates, published", PUBLISHED, ids=lambda p: Path(p).name)
def test_eml_with_candidate_list_gives_the_published_csv(
    count: str, candidates: str, published: str
) -> None:
    """The 510b with its 230b writes exactly the file the municipality published."""
    count_path, list_path = corpus_path(*count.split("/")), corpus_path(*candidates.split("/"))
    document = normalise(
        InputFile(count_path), context_files={"candidate_list": InputFile(list_path)}
    )
    assert to_osv4_3(document) == corpus_path(*published.split("/")).read_bytes()


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files("csv/osv4-3/*.csv"), ids=lambda p: p.name)
def test_csv_round_trip_is_identical(path: Path) -> None:
    """osv4-3 CSV -> canonical -> osv4-3 CSV gives the same bytes."""
    document = normalise(InputFile(path, path.name))
    content, media_type, filename = export(document, "osv4-3")
    assert content == path.read_bytes()
    assert media_type.startswith("text/csv")
    assert filename.startswith("osv4-3_telling_") and filename.endswith("westmaasenwaal.csv")


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files("csv/osv4-3/*.csv"), ids=lambda p: p.name)
def test_spreadsheet_to_eml_keeps_every_number(path: Path) -> None:
    """A tabular count -> canonical -> EML -> canonical keeps every number. The CSV lacks the
    creation time and the contest: the request supplies them."""
    document = normalise(InputFile(path, path.name))
    options = ExportOptions(creation_time="2026-01-01T00:00:00", contest_id="geen")
    data = export(document, "eml", options).content
    assert_valid_eml(data)
    back = parse_bytes(data, "out.eml.xml")
    assert numbers(back["total_votes"]) == numbers(document["total_votes"])
    assert [numbers(u) for u in back["reporting_unit_votes"]] == [
        numbers(u) for u in document["reporting_unit_votes"]
    ]
    # The stated H of the CSV is not lost: EML derives the same value.
    for unit in document["reporting_unit_votes"]:
        rejected = unit["rejected_votes"]
        assert (
            unit["votes_cast"] == unit["total_counted"] + rejected["blanco"] + rejected["ongeldig"]
        )


def _lines(document: dict[str, Any]) -> list[str]:
    return to_osv4_3(document).decode("utf-8-sig").split("\n")


def test_layout_of_a_built_document() -> None:
    lines = _lines(base_document())
    assert lines[:5] == [
        '"Verkiezing";;"Gemeenteraad Testdorp 2026"',
        '"Datum";;"2026-03-18"',
        '"Gebied";;"Gemeente Testdorp"',
        '"Nummer";;"0999"',
        "",
    ]
    assert lines[5] == (
        '"Lijstnummer";"Aanduiding";"Volgnummer";"Naam kandidaat";"Totaal";"Dorpshuis";"School"'
    )
    assert lines[6] == '"Gebiednummer";;;;;"1";"2"'
    assert lines[7] == '"Postcode";;;;;"9999 AA";'
    # only the statistic rows the count has, in the published order
    labels = [line.split(";")[1].strip('"') for line in lines[8:15]]
    assert labels == [
        "opgeroepenen",
        "geldige stempas",
        "toegelaten kiezers",
        "geldige stembiljetten",
        "blanco stembiljetten",
        "ongeldige stembiljetten",
        "aangetroffen stembiljetten",
    ]
    assert lines[15].startswith('"1";')
    # The unknown Cast of SB1 is an empty cell, never "0"; SB2 states 0.
    assert lines[8] == ';"opgeroepenen";;;"900";;"0"'
    # A quote inside a name is doubled.
    assert '"2";"Lijst ""Dorp"" <2>";;;"6";"5";"1"' in lines
    assert ';;"2";"van der Berg, B.C.";"11";"3";"8"' in lines
    assert not to_osv4_3(base_document()).endswith(b"\n")


def test_postal_reason_codes_get_their_own_row() -> None:
    document = base_document()
    document["total_votes"]["uncounted_votes"]["kwijtgeraakte stembiljetten"] = 2
    lines = _lines(document)
    row = next(line for line in lines if "kwijtgeraakte" in line)
    assert row == ';"kwijtgeraakte stembiljetten";;;"2";;'


def test_column_name_is_the_municipalitys_own_name() -> None:
    """The canonical name is already the municipality's own (EML's form has one
    ``Stembureau `` more, which the EML reader removes): the header is that name, whatever
    it starts with."""
    assert column_name({"name": "Stembureau Stadhuis"}) == "Stembureau Stadhuis"
    assert column_name({"name": "Gemeentehuis"}) == "Gemeentehuis"
    assert column_name({"name": "Briefstembureau"}) == "Briefstembureau"
    assert column_name({"name": None}) == ""


def test_eml_station_name_gives_the_header_the_software_writes(tmp_path: Path) -> None:
    """A station the municipality called ``Stembureau Stadhuis`` is ``Stembureau Stembureau
    Stadhuis`` in EML and ``Stembureau Stadhuis`` in the CSV."""
    document = base_document()
    document["reporting_unit_votes"][0]["name"] = "Stembureau Stadhuis"
    eml = export(document, "eml", ExportOptions(creation_time="2026-03-19T12:00:00")).content
    assert b">Stembureau Stembureau Stadhuis (postcode: 9999 AA)<" in eml
    back = parse_bytes(eml, "count.eml.xml")
    unit = back["reporting_unit_votes"][0]
    assert unit["name"] == "Stembureau Stadhuis"
    assert unit["raw_name"] == "Stembureau Stembureau Stadhuis (postcode: 9999 AA)"
    assert '"Stembureau Stadhuis";"School"' in _lines(back)[5]


def _without(group: dict[str, Any], codes: tuple[str, ...]) -> None:
    for code in codes:
        group["uncounted_votes"].pop(code, None)


def test_statistic_rows_follow_the_count() -> None:
    """A row is written only when the count has that number for some unit or the total: a
    council count without kiezerspassen or explanations has none of those rows."""
    document = base_document()
    everything = {label for label, _ in STATISTICS}
    for group in [document["total_votes"], *document["reporting_unit_votes"]]:
        group["uncounted_votes"]["geldige kiezerspassen"] = 0
        group["uncounted_votes"]["geen verklaring"] = 1
    labels = {line.split(";")[1].strip('"') for line in _lines(document) if line.startswith(';"')}
    assert {"geldige kiezerspas", "geen verklaring"} <= labels
    assert "andere verklaring" not in labels and labels < everything
    # stated for one unit only: the row is there, with empty cells where it is not stated
    _without(document["total_votes"], ("geldige kiezerspassen",))
    _without(document["reporting_unit_votes"][1], ("geldige kiezerspassen",))
    row = next(line for line in _lines(document) if "geldige kiezerspas" in line)
    assert row == ';"geldige kiezerspas";;;;"0";'
    for group in [document["total_votes"], *document["reporting_unit_votes"]]:
        _without(group, ("geldige kiezerspassen", "geen verklaring"))
    assert not any("kiezerspas" in line or "verklaring" in line for line in _lines(document))


LELYSTAD = ("csv", "osv4-3", "district", "osv4-3_telling_tk2023_kieskring_lelystad.csv")


@pytest.mark.corpus
def test_district_csv_round_trip_is_identical() -> None:
    """A district office's file (municipalities as columns, CBS codes, no Postcode row, only
    the statistic rows of its count) -> canonical -> osv4-3 gives the same bytes."""
    path = corpus_path(*LELYSTAD)
    document = normalise(InputFile(path, path.name))
    assert document["document"]["level"] == "district"
    content, _media_type, filename = export(document, "osv4-3")
    assert content == path.read_bytes()
    assert filename == "osv4-3_telling_tk2023_kieskring_lelystad.csv"


def _without_candidate_names(data: bytes) -> list[str]:
    """The CSV's lines with candidate names blanked (a 510 has no names: they travel in the
    230b, which the corpus lacks for this district)."""
    lines = []
    for line in data.decode("utf-8-sig").split("\n"):
        cells = line.split(";")
        if line.startswith(";;") and len(cells) > 3:
            cells[3] = ""
        lines.append(";".join(cells))
    return lines


@pytest.mark.corpus
def test_district_csv_through_eml_510c_and_back(tmp_path: Path) -> None:
    """The district CSV -> EML 510c (as the counting software names the units: HSB5::0034)
    -> canonical -> osv4-3 CSV: the same file, every number and code in place."""
    path = corpus_path(*LELYSTAD)
    document = normalise(InputFile(path, path.name))
    options = ExportOptions(creation_time="2023-11-23T10:00:00")
    eml = export(document, "eml", options).content
    assert_valid_eml(eml)
    assert b'Id="510c"' in eml and b'<ReportingUnitIdentifier Id="HSB5::0034">Almere<' in eml
    back = parse_bytes(eml, "Telling_TK2023_kieskring_Lelystad.eml.xml")
    assert back["document"]["level"] == "district"
    assert [u["id"] for u in back["reporting_unit_votes"]] == [
        u["id"] for u in document["reporting_unit_votes"]
    ]
    assert numbers(back["total_votes"]) == numbers(document["total_votes"])
    assert _without_candidate_names(to_osv4_3(back)) == _without_candidate_names(path.read_bytes())


@pytest.mark.corpus
@pytest.mark.parametrize(
    "central",
    [
        "Totaaltelling_PS2023_Drenthe_provincie_Drenthe.eml.xml",
        "Totaaltelling_AB2023_Scheldestromen_waterschap_Scheldestromen.eml.xml",
    ],
)
def test_central_count_as_csv_reads_back_as_the_central_count(central: str, tmp_path: Path) -> None:
    """A central 510d written the way the counting software writes osv4-3 reads back as a
    central document: municipality units with the EML's ids, every number the EML's."""
    eml = normalise(InputFile(corpus_path("eml", "510-other", central)))
    data = to_osv4_3(eml)
    lines = data.decode("utf-8-sig").split("\n")
    assert lines[3] == '"Nummer";;"CSB"'
    assert not any(line.startswith('"Postcode"') for line in lines)
    back = parse_bytes(data, "osv4-3_central.csv")
    assert back["document"]["level"] == "central"
    assert back["managing_authority"] == eml["managing_authority"]
    assert back["election"]["id"] == eml["election"]["id"]
    assert [(u["id"], u["name"], u["kind"]) for u in back["reporting_unit_votes"]] == [
        (u["id"], u["name"], u["kind"]) for u in eml["reporting_unit_votes"]
    ]
    assert numbers(back["total_votes"]) == numbers(eml["total_votes"])
    assert [numbers(u) for u in back["reporting_unit_votes"]] == [
        numbers(u) for u in eml["reporting_unit_votes"]
    ]
    assert to_osv4_3(back) == data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The osv4-3 layout has a column per polling station; telnorm's reader refuses a file without.
@given(documents().filter(lambda d: bool(d["reporting_unit_votes"])))
def test_property_csv_export_is_a_fixpoint(document: dict[str, Any]) -> None:
    """Any count -> CSV -> (osv4-3 parser) -> canonical -> CSV gives the same bytes, and the
    parser reads back every number the CSV holds."""
    first = to_osv4_3(document)
    back = parse_bytes(first, "osv4-3_telling_gr2026_gemeente_testdorp.csv")
    assert to_osv4_3(back) == first
    assert (
        numbers(back["total_votes"])["selections"] == numbers(document["total_votes"])["selections"]
    )
