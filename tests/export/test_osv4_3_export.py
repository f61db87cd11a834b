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
    labels = [line.split(";")[1].strip('"') for line in lines[8 : 8 + len(STATISTICS)]]
    assert labels == [label for label, _ in STATISTICS]
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


def test_column_name_drops_one_stembureau_prefix() -> None:
    assert column_name({"name": "Stembureau Gemeentehuis"}) == "Gemeentehuis"
    assert column_name({"name": "Briefstembureau"}) == "Briefstembureau"
    assert column_name({"name": None}) == ""


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
