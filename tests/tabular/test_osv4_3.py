"""The osv4-3 CSV: both corpus files give exactly the numbers of their EML twins, and so does
the 2017 form generated from today's."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from telnorm.parsers.errors import InvalidCount, NoHeader
from telnorm.service.problems import problem_document
from tests.conftest import assert_canonical, corpus_path
from tests.tabular.helpers import assert_same_numbers, run

PAIRS = [
    (
        "osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv",
        "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
    ),
    ("osv4-3_telling_gr2022_westmaasenwaal.csv", "Telling_GR2022_WestMaasenWaal.eml.xml"),
]

TRAILING_SPACE_LABELS = (
    "meer stembiljetten dan toegelaten kiezers",
    "minder stembiljetten dan toegelaten kiezers",
)


def to_2017_form(data: bytes) -> bytes:
    """Today's form -> the 2017 form: cp1252, every cell quoted, \\n, two labels padded."""
    text = data.decode("utf-8-sig")
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
        writer.writerow([cell + " " if cell in TRAILING_SPACE_LABELS else cell for cell in row])
    # A few candidate names have letters cp1252 lacks (ğ); the 2017 software wrote '?'.
    return out.getvalue().encode("cp1252", errors="replace")


@pytest.mark.corpus
@pytest.mark.parametrize(("csv_name", "eml_name"), PAIRS)
def test_osv_csv_equals_eml_twin(csv_name: str, eml_name: str) -> None:
    ours = run(corpus_path("csv", "osv4-3", csv_name))
    theirs = run(corpus_path("eml", "510b", eml_name))
    assert_canonical(ours)
    assert ours["source"]["parser"]["name"] == "osv4-3"
    assert ours["source"]["cells"]["left_over"] == 0
    assert ours["source"]["cells"]["read"] == ours["source"]["cells"]["mapped"] > 1000
    assert_same_numbers(ours, theirs)
    # H as the file states it is kept (the EML has none).
    assert (
        ours["total_votes"]["votes_cast"]
        == theirs["total_votes"]["uncounted_votes"]["toegelaten kiezers"]
        or ours["total_votes"]["votes_cast"] is not None
    )


@pytest.mark.corpus
@pytest.mark.parametrize(("csv_name", "eml_name"), PAIRS)
def test_2017_form_gives_same_numbers(csv_name: str, eml_name: str, tmp_path: Path) -> None:
    today = corpus_path("csv", "osv4-3", csv_name)
    old = tmp_path / csv_name
    data = to_2017_form(today.read_bytes())
    assert data.startswith(b'"Verkiezing";"";"') and b"\r\n" not in data
    old.write_bytes(data)
    ours = run(old)
    assert_canonical(ours)
    assert ours["source"]["encoding"] == "cp1252"
    assert ours["source"]["format"]["id"] == "osv4-3-csv-2017"
    assert_same_numbers(ours, run(today))
    assert_same_numbers(ours, run(corpus_path("eml", "510b", eml_name)))


@pytest.mark.corpus
def test_locations_count_lines_of_original_file() -> None:
    path = corpus_path("csv", "osv4-3", PAIRS[0][0])
    doc = run(path, locations=True)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    # Line 9 is the 'opgeroepenen' row (preamble, blank line and header included).
    assert doc["locations"]["/reporting_unit_votes/0/cast"] == {"line": 9, "column": 6}
    assert "opgeroepenen" in lines[8]
    loc = doc["locations"]["/reporting_unit_votes/2/selections/0/candidates/1/valid_votes"]
    row = next(csv.reader([lines[loc["line"] - 1]], delimiter=";"))
    assert row[loc["column"] - 1] == str(
        doc["reporting_unit_votes"][2]["selections"][0]["candidates"][1]["valid_votes"]
    )
    assert doc["locations"]["/total_votes/rejected_votes/blanco"]["column"] == 5


def test_extra_2017_rows_and_unknown_rows(tmp_file: object) -> None:
    data = (
        '"Verkiezing";"";"Gemeenteraad Testdorp 2018"\n'
        '"Datum";"";"21-03-2018"\n"Gebied";"";"Gemeente Testdorp"\n"Nummer";"";"9999"\n\n'
        '"Lijstnummer";"Aanduiding";"Volgnummer";"Naam kandidaat";"Totaal";"School";"Kerk"\n'
        '"Gebiednummer";"";"";"";"";"1";"2"\n'
        '"";"opgeroepenen";"";"";"1.500";"700";"800"\n'
        '"";"er zijn stembiljetten kwijtgeraakt";"";"";"1";"1";"0"\n'
        '"";"geen stembiljet in enveloppe";"";"";"0";"0";"0"\n'
        '"";"meer stembiljetten in een enveloppe";"";"";"2";"0";"2"\n'
        '"";"iets onbekends";"";"";"5";"2";"3"\n'
        '"1";"Lokaal Belang";"";"";"30";"10";"20"\n'
        '"";"";"1";"Jansen, A.";"30";"10";"20"\n'
    ).encode("cp1252")
    path = tmp_file(data, "oud.csv")  # type: ignore[operator]
    doc = run(path)
    assert_canonical(doc)
    total = doc["total_votes"]
    assert total["cast"] == 1500
    assert total["uncounted_votes"]["kwijtgeraakte stembiljetten"] == 1
    assert total["uncounted_votes"]["geen briefstembiljetten"] == 0
    assert total["uncounted_votes"]["te veel briefstembiljetten"] == 2
    assert doc["election"]["date"] == "2018-03-21"
    assert doc["election"]["id"] == "GR2018_Testdorp"
    assert doc["source"]["cells"]["left_over"] == 3
    codes = [n["code"] for n in doc["notes"]]
    assert "unknown-statistic" in codes
    left = [n for n in doc["notes"] if n["code"] == "cells-left-over"]
    assert left[0]["location"] == {"line": 12, "columns": [5, 6, 7]}


def test_text_in_count_cell_names_line_and_column(tmp_file: object) -> None:
    data = (
        b'"Verkiezing";;"Tweede Kamer 2025"\n"Nummer";;"9999"\n\n'
        b'"Lijstnummer";"Aanduiding";"Volgnummer";"Naam kandidaat";"Totaal";"School"\n'
        b'"Gebiednummer";;;;;"1"\n'
        b';"opgeroepenen";;;"10";"-"\n'
    )
    path = tmp_file(data, "x.csv")  # type: ignore[operator]
    with pytest.raises(InvalidCount) as caught:
        run(path)
    assert caught.value.location == {"line": 6, "column": 6}
    assert "line 6, column 6" in caught.value.message
    assert problem_document(caught.value)["type"].endswith("invalid-count")


def test_no_header_is_a_no_header_problem(tmp_file: object) -> None:
    path = tmp_file(b'"Verkiezing";;"TK 2025"\n"Datum";;"2025-10-29"\n', "x.csv")  # type: ignore[operator]
    with pytest.raises(NoHeader):
        run(path, fmt="osv4-3")
