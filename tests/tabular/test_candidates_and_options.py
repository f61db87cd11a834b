"""Candidate rows in family b, the mapping's [options] empty_values, the osv4-3 shape in a
spreadsheet, and the readers' fast path agreeing with the cell-by-cell one."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from telnorm.parsers.errors import InvalidCount, UnreadCells
from telnorm.parsers.tabular.numbers import NotACount, parse_count, plain_counts
from telnorm.service.problems import problem_document
from tests.conftest import assert_canonical, corpus_path
from tests.tabular.helpers import assert_same_numbers, run

HEADED = (
    "Gemeente;Testdorp\n"
    "Gemeentecode;9990\n"
    "\n"
    ";Partij;Volgnummer;Kandidaat;School;Kerk;Totaal\n"
    ";Stembureaunummer;;;1;2;\n"
    ";Kiesgerechtigden;;;100;200;300\n"
    ";Blanco stemmen;;;1;2;3\n"
    ";Ongeldige stemmen;;;0;1;1\n"
    "1;Partij A;;;40;50;90\n"
    ";;1;Jansen, A.;30;30;60\n"
    ";;2;Pietersen, B.;10;20;30\n"
    "2;Partij B;;;5;7;12\n"
    ";;1;Klaassen, C.;5;7;12\n"
)


def test_family_b_candidate_rows_with_headed_columns(tmp_file: Any) -> None:
    doc = run(tmp_file(HEADED.encode(), "kandidaten.csv"))
    assert_canonical(doc)
    assert doc["source"]["format"]["id"] == "csv-family-b"
    assert [(a["id"], a["name"]) for a in doc["affiliations"]] == [
        ("1", "Partij A"),
        ("2", "Partij B"),
    ]
    assert [(c["id"], c["name"]) for c in doc["affiliations"][0]["candidates"]] == [
        ("1", "Jansen, A."),
        ("2", "Pietersen, B."),
    ]
    school = doc["reporting_unit_votes"][0]
    assert school["id"] == "9990::SB1"
    assert school["selections"][0] == {
        "affiliation_id": "1",
        "valid_votes": 40,
        "candidates": [
            {"candidate_id": "1", "valid_votes": 30},
            {"candidate_id": "2", "valid_votes": 10},
        ],
    }
    assert doc["total_votes"]["selections"][1]["candidates"] == [
        {"candidate_id": "1", "valid_votes": 12}
    ]
    cells = doc["source"]["cells"]
    assert cells["left_over"] == 0 and cells["read"] == cells["mapped"]


def test_candidate_locations(tmp_file: Any) -> None:
    doc = run(tmp_file(HEADED.encode(), "kandidaten.csv"), locations=True)
    where = doc["locations"]["/reporting_unit_votes/1/selections/0/candidates/1/valid_votes"]
    assert where == {"line": 11, "column": 6}
    assert doc["locations"]["/total_votes/selections/0/valid_votes"] == {"line": 9, "column": 7}


def test_candidate_row_before_any_list_is_refused_naming_its_cells(tmp_file: Any) -> None:
    """Its numbers belong to no list: a document without them would be silently wrong."""
    text = HEADED.replace(
        ";Ongeldige stemmen;;;0;1;1\n", ";Ongeldige stemmen;;;0;1;1\n;;9;Zonder lijst;4;4;8\n"
    )
    with pytest.raises(UnreadCells) as caught:
        run(tmp_file(text.encode(), "kandidaten.csv"))
    problem = problem_document(caught.value)
    assert problem["code"] == "unread-cells" and problem["status"] == 422
    assert problem["count"] == 4
    assert [(c["line"], c["column"]) for c in problem["cells"]] == [(9, 3), (9, 5), (9, 6), (9, 7)]
    assert "line 9, column 5='4'" in problem["detail"]


def test_two_number_columns_left_of_the_label(tmp_file: Any) -> None:
    """``Lijst | Volgnr | Naam``, not headed: the column filled on the first list row holds
    list numbers, the other the candidates' positions (before, candidates became lists)."""
    rows = [
        [";;", "School;Kerk"],
        [";;Kiesgerechtigden", "100;200"],
        [";;Blanco", "1;2"],
        [";;Ongeldig", "0;1"],
        ["3;;Partij C", "8;9"],
        [";1;Jansen", "8;9"],
    ]
    text = "\n".join(";".join(parts) for parts in rows) + "\n"
    doc = run(tmp_file(text.encode(), "x.csv"))
    assert [a["id"] for a in doc["affiliations"]] == ["3"]
    assert doc["affiliations"][0]["candidates"][0]["name"] == "Jansen"
    assert doc["reporting_unit_votes"][1]["selections"] == [
        {
            "affiliation_id": "3",
            "valid_votes": 9,
            "candidates": [{"candidate_id": "1", "valid_votes": 9}],
        }
    ]


EMPTY_MAPPING = """
id = "streepjes"
family = "a"
[options]
empty_values = ["-", "n.v.t."]
"""


def test_mapping_empty_values_read_as_not_stated(tmp_file: Any) -> None:
    text = "Nr;Stembureau;Blanco;1. A;2. B\n1;School;3;10;-\n2;Kerk;N.v.t.;-;4\n"
    path = tmp_file(text.encode(), "streepjes.csv")
    with pytest.raises(InvalidCount):
        run(path)  # without the option a dash is a 422, as before
    doc = run(path, mapping=EMPTY_MAPPING)
    assert_canonical(doc)
    school, kerk = doc["reporting_unit_votes"]
    assert school["selections"][1]["valid_votes"] is None
    assert kerk["rejected_votes"] == {}
    assert kerk["selections"][0]["valid_votes"] is None
    assert doc["total_votes"]["selections"][1]["valid_votes"] == 4
    notes = {n["message"]: n["location"] for n in doc["notes"] if n["code"] == "empty-value"}
    assert notes == {
        "2 cell(s) holding '-' were read as empty (not stated), as the mapping's [options] "
        "empty_values says.": {"line": 2, "column": 5},
        "1 cell(s) holding 'N.v.t.' were read as empty (not stated), as the mapping's "
        "[options] empty_values says.": {"line": 3, "column": 3},
    }


@pytest.mark.corpus
def test_osv_shape_in_a_spreadsheet_gives_the_csv_numbers(tmp_path: Path) -> None:
    source = corpus_path("csv", "osv4-3", "osv4-3_telling_gr2022_westmaasenwaal.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Telling"
    text = source.read_text(encoding="utf-8-sig")
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
        sheet.append([int(v) if v.isdigit() and not v.startswith("0") else v for v in row])
    path = tmp_path / "telling.xlsx"
    book.save(path)
    ours = run(path)
    assert_canonical(ours)
    assert ours["source"]["format"]["id"] == "xlsx-family-osv4-3"
    assert ours["source"]["cells"]["left_over"] == 0
    assert_same_numbers(ours, run(source))


VALUES: list[Any] = [
    "12", "0", "007", "1.234", "12.345.678", " 12", "1 234", "7,0", "12.00", "+3", "-3", "-",
    "1.23", "12.3456", ".123", "1,5", "n.v.t.", "١٢", "²", "", "1\x1f2", 5, 0, -1, 2.5, 3.0,
    True, None,
]  # fmt: skip


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("neighbour", ["12", "1.234", None, 7])
def test_fast_path_agrees_with_parse_count(value: Any, neighbour: Any) -> None:
    """plain_counts gives parse_count's numbers, or declines (then parse_count decides)."""
    row = [neighbour, value, neighbour]
    fast = plain_counts(row)
    if fast is None:
        return
    expected = []
    for cell in row:
        try:
            expected.append(parse_count(cell))
        except NotACount:
            pytest.fail(f"fast path accepted {cell!r}, which is not a count")
    assert fast == expected


POSITION_RIGHT = (
    "Lijst;Partij;Pos;School;Kerk\n"
    ";Kiesgerechtigden;;100;200\n"
    ";Blanco;;1;2\n"
    ";Ongeldig;;0;1\n"
    "1;Partij A;;10;20\n"
    ";Jansen;1;6;12\n"
    ";Pietersen;2;4;8\n"
)
POSITION_MAPPING = """
id = "pos-rechts"
family = "b"
[layout]
label_column = "B"
list_number_column = "A"
candidate_number_column = "C"
"""


def test_mapping_names_the_candidate_columns(tmp_file: Any) -> None:
    """A layout detection cannot know (the position column right of the label, headed 'Pos'):
    the mapping's [layout] *_column keys say it."""
    path = tmp_file(POSITION_RIGHT.encode(), "pos.csv")
    doc = run(path, mapping=POSITION_MAPPING)
    assert_canonical(doc)
    assert [u["name"] for u in doc["reporting_unit_votes"]] == ["School", "Kerk"]
    assert [(c["id"], c["name"]) for c in doc["affiliations"][0]["candidates"]] == [
        ("1", "Jansen"),
        ("2", "Pietersen"),
    ]
    assert doc["reporting_unit_votes"][1]["selections"][0]["candidates"] == [
        {"candidate_id": "1", "valid_votes": 12},
        {"candidate_id": "2", "valid_votes": 8},
    ]
    assert doc["source"]["cells"]["left_over"] == 0


def test_collector_pause_nests_and_respects_the_application() -> None:
    import gc

    from telnorm.parsers.tabular.gcpause import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # the application's choice stays
    finally:
        gc.enable()
    kept = [object()]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            kept.append(object())
        # An application's freeze is not undone (unfreeze() would leave 0). Not compared
        # exactly: a frozen object may die meanwhile (another thread, such as xdist's).
        assert gc.get_freeze_count() > frozen // 2
    finally:
        gc.unfreeze()
