"""Regression tests of the review's defects: every input is generated here.

Each test names the defect it guards: a vote number stated twice, list numbers that collide
or contradict the candidate list, total rows taken for units, hidden and total sheets,
duplicate unit ids, phantom stations, percentages read as lists, mapping errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from telnorm.parsers.errors import (
    DuplicateValue,
    InvalidCount,
    InvalidValue,
    ListNumberConflict,
    NoHeader,
)
from telnorm.parsers.tabular.names import ListResolver
from tests.conftest import SAMPLES
from tests.tabular.helpers import run

CANDIDATES = SAMPLES / "tabular" / "lindehoven.230b.eml.xml"


def table(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lists_of(group: dict[str, Any]) -> dict[str, int | None]:
    return {s["affiliation_id"]: s["valid_votes"] for s in group["selections"]}


def codes(document: dict[str, Any]) -> list[str]:
    return [note["code"] for note in document["notes"]]


OSV_HEADER = "Lijstnummer;Aanduiding;Volgnummer;Naam kandidaat;Totaal;SB1 School;SB2 Kerk\n"


# --- 1: a list or candidate stated twice for one unit ---------------------------------------


def test_family_a_two_columns_of_one_list_is_duplicate_value(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Nr;Stembureau;Kiesgerechtigden;Geldige stemmen;VVD;CDA;VVD\n"
        "1;School;100;50;20;10;20\n2;Kerk;100;60;30;15;15\n",
    )
    with pytest.raises(DuplicateValue) as caught:
        run(path)
    assert caught.value.code == "duplicate-value"
    assert caught.value.location == {"line": 1, "column": 7}
    assert caught.value.extra["first"] == {"line": 1, "column": 5}
    assert "column 5" in caught.value.message and "column 7" in caught.value.message


@pytest.mark.parametrize(
    ("first", "second", "with_candidates"),
    [("VVD", "vvd", False), ("VVD", "Volkspartij voor Vrijheid en Democratie", True)],
)
def test_family_a_two_headers_resolving_to_one_list(
    tmp_path: Path, first: str, second: str, with_candidates: bool
) -> None:
    path = table(tmp_path, f"Nr;Stembureau;Geldige stemmen;{first};{second}\n1;School;10;5;5\n")
    context = {"candidate_list": CANDIDATES} if with_candidates else None
    with pytest.raises(DuplicateValue) as caught:
        run(path, context=context)
    assert caught.value.location == {"line": 1, "column": 5}


def test_family_c_repeated_station_list_row_is_duplicate_value(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Stembureau;Partij;Stemmen\nSB1 School;VVD;20\nSB1 School;CDA;30\n"
        "SB2 Kerk;VVD;30\nSB2 Kerk;CDA;30\nSB2 Kerk;VVD;5\n",
    )
    with pytest.raises(DuplicateValue) as caught:
        run(path)
    assert caught.value.location == {"line": 6, "column": 3}
    assert caught.value.extra["first"] == {"line": 4, "column": 3}
    assert "30" in caught.value.message and "5 at line 6" in caught.value.message


def test_family_c_repeated_candidate_row_is_duplicate_value(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Stembureau;Lijstnummer;Partij;Volgnummer;Kandidaat;Stemmen\n"
        "SB1;1;VVD;1;Jansen;10\nSB1;1;VVD;2;Bakker;5\nSB1;1;VVD;1;Jansen;7\n",
    )
    with pytest.raises(DuplicateValue) as caught:
        run(path)
    assert caught.value.location == {"line": 4, "column": 6}
    assert caught.value.extra["first"] == {"line": 2, "column": 6}


def test_family_b_two_rows_of_one_list_is_duplicate_value(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Omschrijving;Stembureau 1;Stembureau 2\nKiesgerechtigden;100;100\nBlanco;1;1\n"
        "Ongeldig;1;1\nGeldige stemmen;50;60\nVVD;20;30\nCDA;30;30\nvvd;1;2\n",
    )
    with pytest.raises(DuplicateValue) as caught:
        run(path)
    assert caught.value.location == {"line": 8, "column": 2}
    assert caught.value.extra["first"] == {"line": 6, "column": 2}


@pytest.mark.parametrize("locations", [False, True])
def test_osv4_3_repeated_candidate_row_is_duplicate_value(tmp_path: Path, locations: bool) -> None:
    path = table(
        tmp_path,
        OSV_HEADER + ";opgeroepenen;;;200;100;100\n1;VVD;;;50;20;30\n;;1;Jansen;30;10;20\n"
        ";;2;Bakker;20;10;10\n;;1;Jansen;5;2;3\n",
    )
    with pytest.raises(DuplicateValue) as caught:
        run(path, fmt="osv4-3", locations=locations)
    assert caught.value.location == {"line": 6, "column": 6}
    assert caught.value.extra["first"] == {"line": 4, "column": 6}


def test_osv4_3_repeated_list_row_is_duplicate_value(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        OSV_HEADER + ";opgeroepenen;;;200;100;100\n1;VVD;;;50;20;30\n2;CDA;;;50;25;25\n"
        "1;VVD;;;40;20;20\n",
    )
    with pytest.raises(DuplicateValue) as caught:
        run(path, fmt="osv4-3")
    assert caught.value.extra["first"] == {"line": 3, "column": 6}


# --- 2: lists numbered by order never mix with list numbers; 50 PLUS is a name ------------


def test_order_numbering_never_collides_with_a_header_number(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Nr;Stembureau;Kiesgerechtigden;Geldige stemmen;VVD;50 PLUS;1. Lindehoven\n"
        "1;School;100;60;20;30;10\n",
    )
    with pytest.raises(ListNumberConflict) as caught:
        run(path)
    assert caught.value.location == {"line": 1, "column": 7}
    assert "candidate list" in caught.value.message and "[lists]" in caught.value.message


def test_number_column_then_unnumbered_list_row_is_refused(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Stembureau;Lijstnummer;Partij;Stemmen\nSB1;1;Lokaal;20\nSB1;;VVD;30\n",
    )
    with pytest.raises(ListNumberConflict) as caught:
        run(path)
    assert caught.value.location == {"line": 3, "column": 3}


def test_without_separator_a_leading_number_is_part_of_the_name(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Nr;Stembureau;Kiesgerechtigden;Geldige stemmen;VVD;50 PLUS;1 Lindehoven\n"
        "1;School;100;60;20;30;10\n",
    )
    document = run(path)
    assert lists_of(document["total_votes"]) == {"1": 20, "2": 30, "3": 10}
    names = {a["id"]: a["name"] for a in document["affiliations"]}
    assert names == {"1": "VVD", "2": "50 PLUS", "3": "1 Lindehoven"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1. VVD", (1, "VVD")),
        ("1) VVD", (1, "VVD")),
        ("1 - VVD", (1, "VVD")),
        ("1: VVD", (1, "VVD")),
        ("Lijst 1", (1, "")),
        ("Lijst 12 VVD", (12, "VVD")),
        ("7", (7, "")),
        ("50 PLUS", None),
        ("50PLUS", None),
        ("50. PLUS", None),  # the alias table knows 50PLUS
        ("1 Lindehoven", None),
        ("1.5", None),
        ("0. Niemand", None),
    ],
)
def test_header_number_needs_a_separator(header: str, expected: tuple[int, str] | None) -> None:
    assert ListResolver(None).header_number(header) == expected


# --- 3: a header number must agree with the candidate list -----------------------------------


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("5. VVD", "VVD is list 2 on the candidate list"),
        ("3. VVD", "VVD is list 2 on the candidate list"),
        ("Lijst 7", "has no list 7"),
        ("2: Onbekend", "not a name of list 2"),
    ],
)
def test_header_number_contradicting_the_candidate_list(
    tmp_path: Path, header: str, says: str
) -> None:
    path = table(tmp_path, f"Nr;Stembureau;Geldige stemmen;{header}\n1;School;10;5\n")
    with pytest.raises(ListNumberConflict) as caught:
        run(path, context={"candidate_list": CANDIDATES})
    assert caught.value.location == {"line": 1, "column": 4}
    assert says in caught.value.message
    assert caught.value.code == "list-number-conflict"


def test_list_number_column_contradicting_the_candidate_list(tmp_path: Path) -> None:
    path = table(tmp_path, "Stembureau;Lijstnummer;Partij;Stemmen\nSB1;1;VVD;20\n")
    with pytest.raises(ListNumberConflict) as caught:
        run(path, context={"candidate_list": CANDIDATES})
    assert caught.value.location == {"line": 2, "column": 2}
    assert "VVD is list 2" in caught.value.message


def test_header_number_agreeing_with_the_candidate_list(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Nr;Stembureau;Geldige stemmen;2. Volkspartij voor Vrijheid en Democratie;Lijst 1\n"
        "1;School;10;6;4\n",
    )
    document = run(path, context={"candidate_list": CANDIDATES})
    assert lists_of(document["total_votes"]) == {"1": 4, "2": 6}


# --- 4: total and subtotal labels ------------------------------------------------------------


@pytest.mark.parametrize(
    "label", ["Totalen", "Totaal gemeente Lindehoven", "Totaal stembureaus", "Gemeente", "TOTAAL:"]
)
def test_family_a_total_row_labels(tmp_path: Path, label: str) -> None:
    path = table(
        tmp_path,
        "Nr;Stembureau;Kiesgerechtigden;Blanco;Ongeldig;Geldige stemmen;VVD;CDA\n"
        f";{label};200;2;4;110;50;60\n1;School;100;1;2;50;20;30\n2;Kerk;100;1;2;60;30;30\n",
    )
    document = run(path)
    assert [u["name"] for u in document["reporting_unit_votes"]] == ["School", "Kerk"]
    assert document["total_votes"]["total_counted"] == 110
    assert lists_of(document["total_votes"]) == {"1": 50, "2": 60}
    assert "total-from-file" in codes(document)


def test_family_a_subtotal_row_is_left_over(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Nr;Stembureau;Kiesgerechtigden;Geldige stemmen;VVD;CDA\n"
        "1;School;100;50;20;30\n2;Kerk;100;60;30;30\n;Subtotaal;200;110;50;60\n"
        "3;Hal;100;40;10;30\n",
    )
    document = run(path)
    assert [u["name"] for u in document["reporting_unit_votes"]] == ["School", "Kerk", "Hal"]
    assert lists_of(document["total_votes"]) == {"1": 60, "2": 90}
    assert "subtotal-left-over" in codes(document)
    assert document["source"]["cells"]["left_over"] == 4


def test_family_b_subtotal_column_is_left_over(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Omschrijving;Stembureau 1;Stembureau 2;Subtotaal;Totaal gemeente Lindehoven\n"
        "Kiesgerechtigden;100;100;200;200\nBlanco;1;1;2;2\nOngeldig;1;1;2;2\n"
        "Geldige stemmen;50;60;110;110\nVVD;20;30;50;50\nCDA;30;30;60;60\n",
    )
    document = run(path)
    assert len(document["reporting_unit_votes"]) == 2
    assert "total-from-file" in codes(document) and "subtotal-left-over" in codes(document)
    assert lists_of(document["total_votes"]) == {"1": 50, "2": 60}


def test_family_c_total_label_in_the_list_column_is_never_a_list(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Stembureau;Partij;Stemmen\nSB1 School;VVD;20\nSB1 School;CDA;30\nSB1 School;Totaal;50\n"
        "SB2 Kerk;VVD;30\nSB2 Kerk;CDA;30\nSB2 Kerk;Totaal;60\nTotalen;VVD;50\nTotalen;CDA;60\n",
    )
    document = run(path)
    assert [a["name"] for a in document["affiliations"]] == ["VVD", "CDA"]
    assert len(document["reporting_unit_votes"]) == 2
    assert lists_of(document["total_votes"]) == {"1": 50, "2": 60}
    assert "total-row-left-over" in codes(document)


# --- 5: family d: a Totaal sheet is the total, hidden sheets are left out ------------------


def form_book(tmp_path: Path, sheets: list[tuple[str, list[int], bool]]) -> Path:
    """One paper-form sheet per (name, [cast, blanco, ongeldig, valid, A, B], hidden)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (cast, blank, invalid, valid, a, b), hidden in sheets:
        sheet = book.create_sheet(name)
        for row in (
            ["Gemeente", "Lindehoven"],
            ["Stembureau", name],
            [],
            ["Kiesgerechtigden", cast],
            ["Blanco stemmen", blank],
            ["Ongeldige stemmen", invalid],
            ["Geldige stemmen", valid],
            [],
            ["Lijstnummer", "Partij", "Stemmen"],
            [1, "A", a],
            [2, "B", b],
        ):
            sheet.append(row)
        if hidden:
            sheet.sheet_state = "hidden"
    path = tmp_path / "forms.xlsx"
    book.save(path)
    return path


def test_family_d_totaal_sheet_is_the_stated_total(tmp_path: Path) -> None:
    path = form_book(
        tmp_path,
        [
            ("SB1", [100, 1, 1, 50, 20, 30], False),
            ("SB2", [100, 1, 1, 60, 30, 30], False),
            ("Totaal", [200, 2, 2, 110, 50, 60], False),
        ],
    )
    document = run(path)
    assert [u["name"] for u in document["reporting_unit_votes"]] == ["SB1", "SB2"]
    assert document["total_votes"]["cast"] == 200
    assert lists_of(document["total_votes"]) == {"1": 50, "2": 60}
    assert "total-from-file" in codes(document)


def test_family_d_hidden_sheet_is_left_out_unless_named(tmp_path: Path) -> None:
    path = form_book(
        tmp_path,
        [
            ("SB1", [100, 1, 1, 50, 20, 30], False),
            ("SB2", [100, 1, 1, 60, 30, 30], False),
            ("SB2 oud", [100, 1, 1, 60, 30, 30], True),
        ],
    )
    document = run(path)
    assert [u["name"] for u in document["reporting_unit_votes"]] == ["SB1", "SB2"]
    assert lists_of(document["total_votes"]) == {"1": 50, "2": 60}
    hidden = [n for n in document["notes"] if n["code"] == "hidden-sheet"]
    assert hidden and hidden[0]["location"] == {"sheet": "SB2 oud"}
    named = run(path, sheet="SB2 oud")
    assert [u["name"] for u in named["reporting_unit_votes"]] == ["SB2 oud"]
    assert "hidden-sheet" in codes(named)


def test_hidden_sheet_does_not_make_the_layout_ambiguous(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Uitslag"
    for row in (["Nr", "Stembureau", "Geldige stemmen", "VVD"], [1, "School", 10, 10]):
        sheet.append(row)
    old = book.create_sheet("Oud")
    for row in (["Nr", "Stembureau", "Geldige stemmen", "VVD"], [1, "School", 9, 9]):
        old.append(row)
    old.sheet_state = "hidden"
    path = tmp_path / "two.xlsx"
    book.save(path)
    document = run(path)
    assert lists_of(document["total_votes"]) == {"1": 10}


# --- 6: a duplicate unit keeps its id, so validation reports S.101 ------------------------


def test_duplicate_unit_id_is_kept_and_validation_reports_s101(tmp_path: Path) -> None:
    from telnorm.service.validation import validate

    path = table(
        tmp_path,
        "Omschrijving;Totaal;Stembureau 1;Stembureau 2;Stembureau 2\n"
        "Kiesgerechtigden;300;100;100;100\nBlanco;3;1;1;1\nOngeldig;3;1;1;1\n"
        "Geldige stemmen;170;50;60;60\nVVD;80;20;30;30\nCDA;90;30;30;30\n",
    )
    document = run(path)
    assert [u["id"] for u in document["reporting_unit_votes"]] == ["SB1", "SB2", "SB2"]
    assert "duplicate-unit" in codes(document)
    report = validate(document)
    s101 = [f for f in report["findings"] if f["code"] == "S.101"]
    assert s101 and s101[0]["severity"] == "error"


# --- 7: a trailing separator is not a polling station --------------------------------------


def test_osv4_3_trailing_separator_makes_no_phantom_station(tmp_path: Path) -> None:
    lines = [
        OSV_HEADER.rstrip("\n"),
        ";opgeroepenen;;;200;100;100",
        ";geldige stembiljetten;;;110;50;60",
        "1;VVD;;;50;20;30",
        ";;1;Jansen;50;20;30",
        "2;CDA;;;60;30;30",
    ]
    plain = run(table(tmp_path, "\n".join(lines) + "\n", "plain.csv"), fmt="osv4-3")
    trailing = run(
        table(tmp_path, "\n".join(line + ";" for line in lines) + "\n", "trail.csv"),
        fmt="osv4-3",
    )
    assert len(trailing["reporting_unit_votes"]) == 2
    assert trailing["reporting_unit_votes"] == plain["reporting_unit_votes"]
    assert trailing["total_votes"] == plain["total_votes"]
    dropped = [n for n in trailing["notes"] if n["code"] == "empty-column-dropped"]
    assert dropped and dropped[0]["location"] == {"line": 1, "column": 8}


# --- 8: turnout and percentage columns are not lists -----------------------------------------


@pytest.mark.parametrize(
    ("header", "cells"),
    [
        ("Opkomst", ("50,0", "60,5")),
        ("Opkomstpercentage", ("50", "60")),
        ("Opkomst %", ("50", "60")),
        ("%", ("50", "60")),
        ("Aandeel", ("50,0", "60,5")),
        ("Aandeel", ("50%", "60%")),
    ],
)
def test_percentage_column_is_not_a_list(
    tmp_path: Path, header: str, cells: tuple[str, str]
) -> None:
    path = table(
        tmp_path,
        f"Nr;Stembureau;Kiesgerechtigden;Geldige stemmen;VVD;CDA;{header}\n"
        f"1;School;100;50;20;30;{cells[0]}\n2;Kerk;100;60;30;30;{cells[1]}\n",
    )
    document = run(path)
    assert [a["name"] for a in document["affiliations"]] == ["VVD", "CDA"]
    assert lists_of(document["total_votes"]) == {"1": 50, "2": 60}
    assert "column-not-used" in codes(document)
    # '50%' is not a numeric cell for the cell accounting; the others are left over.
    assert document["source"]["cells"]["left_over"] == (0 if "%" in cells[0] else 2)


def test_count_column_with_one_stray_fraction_stays_a_count_column(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Nr;Stembureau;Geldige stemmen;VVD;CDA\n1;School;50;20;30\n2;Kerk;60;30;12,5\n",
    )
    with pytest.raises(InvalidCount) as caught:
        run(path)
    assert caught.value.location == {"line": 3, "column": 5}


# --- 9: a family-c mapping on a table without a votes column ---------------------------------


def test_family_c_mapping_without_votes_column_is_no_header(tmp_path: Path) -> None:
    path = table(tmp_path, "Nr;Stembureau;Blanco;Ongeldig\n1;x;1;2\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text('id = "x"\nfamily = "c"\n', encoding="utf-8")
    with pytest.raises(NoHeader) as caught:
        run(path, mapping_file=str(mapping))
    assert "votes column" in caught.value.message and "[labels]" in caught.value.message
    assert caught.value.location == {"line": 1, "column": 1}


# --- 10: list numbers and candidate positions are capped ------------------------------------


@pytest.mark.parametrize("number", ["12345678901234567890", "1000", "0"])
def test_family_b_absurd_list_number_is_refused(tmp_path: Path, number: str) -> None:
    path = table(
        tmp_path,
        "Lijst;Omschrijving;Stembureau 1;Stembureau 2\n;Kiesgerechtigden;100;100\n"
        f";Blanco;1;1\n;Ongeldig;1;1\n;Geldige stemmen;50;60\n{number};VVD;20;30\n"
        "2;CDA;30;30\n",
    )
    with pytest.raises(InvalidValue) as caught:
        run(path)
    assert caught.value.location == {"line": 6, "column": 1}
    assert "1 to 999" in caught.value.message


def test_osv4_3_absurd_candidate_position_is_refused(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        OSV_HEADER + ";opgeroepenen;;;200;100;100\n1;VVD;;;50;20;30\n"
        ";;12345678901234567890;Jansen;50;20;30\n",
    )
    with pytest.raises(InvalidValue) as caught:
        run(path, fmt="osv4-3")
    assert caught.value.location == {"line": 4, "column": 3}


# --- found by the fuzz test while checking these fixes -----------------------------------


def test_zip_member_whose_header_contradicts_the_directory_is_malformed(tmp_path: Path) -> None:
    import io
    import zipfile

    from telnorm.parsers.errors import MalformedInput

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/x")
        archive.writestr("a.csv", b"Nr;Stembureau;Geldige stemmen;VVD\n1;A;1;1\n")
    data = bytearray(buffer.getvalue())
    data[data.index(b"mimetype")] = ord("l")  # the local header now says 'limetype'
    path = tmp_path / "bundle.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(MalformedInput) as caught:
        run(path)
    assert caught.value.location == {"member": "mimetype"}


# --- a statistic stated twice ----------------------------------------------------------------


def test_statistic_stated_twice_differently_is_duplicate_value(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Nr;Stembureau;Blanco;Geldige stemmen;Blanco;VVD\n1;School;3;50;4;50\n",
    )
    with pytest.raises(DuplicateValue) as caught:
        run(path)
    assert caught.value.extra["field"] == "rejected:blanco"
    assert "3" in caught.value.message and "4" in caught.value.message


def test_statistic_stated_twice_alike_is_read_once_and_noted(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        "Nr;Stembureau;Blanco;Geldige stemmen;Blanco;VVD\n1;School;3;50;3;50\n",
    )
    document = run(path)
    assert document["reporting_unit_votes"][0]["rejected_votes"]["blanco"] == 3
    assert "duplicate-value" in codes(document)
