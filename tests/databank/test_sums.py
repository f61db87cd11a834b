"""A whole election's databank file read back: the districts', provinces' and country's rows
are checked against the regions under them (the Boxmeer case: a district that keyed only
some lists), and the rows the document does not repeat are said in a note."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from telnorm.parsers.databank import HEADER
from telnorm.parsers.databank.sums import NAMED_DIFFERENCES, check_sums
from telnorm.parsers.errors import DuplicateValue
from telnorm.service.pipeline import InputFile, normalise

#: Two municipalities of K6 (Gelderland, P25), one of K5 (Flevoland, P24), two lists.
MUNICIPALITIES = {
    "G0999": ("Lindehoven", "K6", "P25", {"1": 300, "2": 20}),
    "G0998": ("Beekdorp", "K6", "P25", {"1": 100, "2": 80}),
    "G0997": ("Polderstad", "K5", "P24", {"1": 50, "2": 50}),
}


def _region_rows(name: str, code: str, parent: str, grand: str, lists: dict[str, int]) -> list[str]:
    place = f"{name};{code};{parent};{grand};"
    valid = sum(lists.values())
    statistic = place + ";" * 10  # Partij to KandidaatGeslacht empty
    rows = [
        f"{statistic}Kiesgerechtigden;{valid * 2}",
        f"{statistic}Opkomst;{valid + 3}",
        f"{statistic}AantalGeldigeStemmen;{valid}",
        f"{statistic}AantalBlancoStemmen;2",
        f"{statistic}AantalOngeldigeStemmen;1",
    ]
    rows += [
        f"{place};{n};Lijst {n}" + ";" * 8 + f"LijstAantalStemmen;{v}" for n, v in lists.items()
    ]
    return rows


def _sum(codes: list[str]) -> dict[str, int]:
    total: dict[str, int] = {}
    for code in codes:
        for number, votes in MUNICIPALITIES[code][3].items():
            total[number] = total.get(number, 0) + votes
    return total


def _district_rows(
    name: str, code: str, parent: str, grand: str, lists: dict[str, int]
) -> list[str]:
    """A region over two municipalities: blank, invalid and Opkomst add up over both."""
    rows = _region_rows(name, code, parent, grand, lists)
    valid = sum(lists.values())
    rows = [r.replace("AantalBlancoStemmen;2", "AantalBlancoStemmen;4") for r in rows]
    rows = [r.replace("AantalOngeldigeStemmen;1", "AantalOngeldigeStemmen;2") for r in rows]
    return [r.replace(f"Opkomst;{valid + 3}", f"Opkomst;{valid + 6}") for r in rows]


def _whole_election(k6_list_2: int | None = None, country: bool = False) -> list[str]:
    rows: list[str] = []
    for code, (name, parent, grand, lists) in MUNICIPALITIES.items():
        rows += _region_rows(name, code, parent, grand, lists)
    k6 = _sum(["G0999", "G0998"])
    district = _district_rows("Nijmegen", "K6", "P25", "L528", k6)
    if k6_list_2 is not None:  # the district keyed another total for list 2, nothing else
        wrong = f";2;Lijst 2;;;;;;;;LijstAantalStemmen;{k6['2']}"
        district = [r.replace(wrong, wrong.rsplit(";", 1)[0] + f";{k6_list_2}") for r in district]
    rows += district
    rows.append(
        "Nijmegen;K6;P25;L528;;1;Lijst 1;1;A.;Anna;;Aal;Wijchen;v;KandidaatAantalStemmen;400"
    )
    rows += _region_rows("Lelystad", "K5", "P24", "L528", _sum(["G0997"]))
    # the province holds the municipalities' true total, whatever its district says
    rows += _district_rows("Gelderland", "P25", "L528", "", k6)
    rows += _region_rows("Flevoland", "P24", "L528", "", _sum(["G0997"]))
    if country:
        everything = _sum(list(MUNICIPALITIES))
        rows += _region_rows("Nederland", "L528", "", "", everything)
    return rows


def _read(tmp_path: Path, rows: list[str]) -> dict[str, Any]:
    path = tmp_path / "TK2026_uitslag.csv"
    path.write_text(";".join(HEADER) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return normalise(InputFile(path, path.name))


def _notes(document: dict[str, Any], code: str) -> list[str]:
    return [n["message"] for n in document["notes"] if n["code"] == code]


def test_a_consistent_file_says_what_it_checked(tmp_path: Path) -> None:
    document = _read(tmp_path, _whole_election())
    # no L528 rows, two provinces: the document is central, with no total of its own
    assert document["document"]["level"] == "central"
    assert document["total_votes"]["selections"] == []
    assert len(document["reporting_unit_votes"]) == 3
    assert not _notes(document, "databank-sum-differs")
    (checked,) = _notes(document, "databank-sums-checked")
    # K6 and K5 against their municipalities, P25 and P24 against their districts: 7 numbers
    # each (five statistics, two lists)
    assert checked.startswith("The statistics and list totals of 2 district(s), 2 province(s)")
    assert "28 equal, 0 different" in checked
    (between,) = _notes(document, "databank-levels-between")
    assert "4 region(s)" in between and "1 KandidaatAantalStemmen row(s)" in between


def test_a_district_that_lost_a_list_is_named(tmp_path: Path) -> None:
    # The Boxmeer case: the district's total of list 2 is not its municipalities' sum.
    rows = _whole_election(k6_list_2=1)
    document = _read(tmp_path, rows)
    differs = _notes(document, "databank-sum-differs")
    line = 1 + next(i for i, r in enumerate(rows, 1) if r.startswith("Nijmegen;K6") and ";2;" in r)
    expected = (
        f"K6 (Nijmegen) states LijstAantalStemmen of list 2 as 1 (line {line}), but the 2 "
        "region(s) under it add up to 100 (G0999 Lindehoven, G0998 Beekdorp)"
    )
    assert any(m.startswith(expected) for m in differs)
    # and the province, whose rows still hold the right total, disagrees with its district
    assert any(
        m.startswith("P25 (Gelderland) states LijstAantalStemmen of list 2 as 100") for m in differs
    )
    first = next(n for n in document["notes"] if n["code"] == "databank-sum-differs")
    assert first["location"] == {"line": line}


def test_the_country_is_the_top_and_checked_against_its_provinces(tmp_path: Path) -> None:
    document = _read(tmp_path, _whole_election(country=True))
    assert document["managing_authority"]["id"] == "CSB"
    assert document["total_votes"]["total_counted"] == 600
    (checked,) = _notes(document, "databank-sums-checked")
    # the made-up country rows state 2 blank and 1 invalid ballots, as every region's do, so
    # its Opkomst, blank and invalid differ from its provinces' sums; the rest is equal
    assert "of 2 district(s), 1 country, 2 province(s) were checked" in checked
    assert "32 equal, 3 different" in checked


def test_a_number_some_region_below_lacks_is_not_checked(tmp_path: Path) -> None:
    rows = [
        r for r in _whole_election() if not r.startswith("Beekdorp;G0998;K6;P25;;;;;;;;;;;Kies")
    ]
    checked = _notes(_read(tmp_path, rows), "databank-sums-checked")[0]
    assert "27 equal, 0 different; 1 could not be checked" in checked


def test_many_differences_are_counted_after_the_named_ones() -> None:
    class Region:
        def __init__(self, code: str, parent: str, value: int) -> None:
            self.code, self.name, self.parent = code, "", parent
            self.totals = {("LijstAantalStemmen", str(n)): (value, n) for n in range(1, 31)}

    check = check_sums([Region("K1", "P20", 5), Region("G0001", "K1", 4)])
    assert len(check.differences) == 30 > NAMED_DIFFERENCES
    notes: list[tuple[str, str]] = []
    from telnorm.parsers.databank.sums import report

    report(check, lambda code, message, location: notes.append((code, message)))
    assert [code for code, _ in notes].count("databank-sum-differs") == NAMED_DIFFERENCES + 1
    assert notes[NAMED_DIFFERENCES][1] == "10 more number(s) differ from their sums."


def test_a_single_municipality_has_nothing_to_check(tmp_path: Path) -> None:
    name, parent, grand, lists = MUNICIPALITIES["G0999"]
    document = _read(tmp_path, _region_rows(name, "G0999", parent, grand, lists))
    assert not [n for n in document["notes"] if n["code"].startswith("databank-s")]
    assert not _notes(document, "databank-levels-between")


# --- the samples read back and written again -------------------------------------------------

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "databank"


def _again(path: Path) -> tuple[bytes, tuple[str, ...]]:
    from telnorm.service.export import export

    exported = export(normalise(InputFile(path, path.name)), "databank")
    return exported.content, exported.notes


def test_a_municipalitys_file_is_written_back_byte_for_byte() -> None:
    path = SAMPLES / "TK2026_gemeente_Lindehoven_uitslag.csv"
    content, notes = _again(path)
    assert content == path.read_bytes()
    assert notes == ()


def test_a_districts_file_is_written_back_but_for_what_only_a_candidate_list_gives() -> None:
    path = SAMPLES / "TK2026_kieskring_Nijmegen_uitslag.csv"
    content, notes = _again(path)
    columns = HEADER.index("KandidaatVoornaam"), HEADER.index("KandidaatWoonplaats")
    gender = HEADER.index("KandidaatGeslacht")

    def without_list_details(data: bytes) -> list[list[str]]:
        rows = [line.split(";") for line in data.decode("utf-8").splitlines()]
        for row in rows[1:]:
            for index in (*columns, gender):
                row[index] = ""
        return rows

    assert without_list_details(content) == without_list_details(path.read_bytes())
    assert any("KandidaatVoornaam, KandidaatWoonplaats and KandidaatGeslacht" in n for n in notes)


def test_a_whole_elections_file_keeps_every_municipalitys_rows_and_place() -> None:
    path = SAMPLES / "TK2026_uitslag.csv"
    content, notes = _again(path)

    def municipal(data: bytes) -> list[str]:
        return [line for line in data.decode("utf-8").splitlines() if line.split(";")[1][:1] == "G"]

    assert municipal(content) == municipal(path.read_bytes())
    assert any(n.startswith("The document holds the country's municipalities") for n in notes)


def test_two_people_under_one_number_leave_that_lists_candidates_out(tmp_path: Path) -> None:
    # Above a district a party's lists may differ per district: the country's rows could
    # name two people with one number. Not a value stated twice (refused), but not keyable.
    rows = _region_rows("Nederland", "L528", "", "", {"1": 400, "2": 200})
    head = "Nederland;L528;;;;1;Lijst 1;2;"
    rows += [
        head + "A.;Anna;van;Dijk;Arnhem;v;KandidaatAantalStemmen;150",
        "Nederland;L528;;;;1;Lijst 1;1;B.;Bert;;Bos;Ede;m;KandidaatAantalStemmen;250",
        head + "C.;Cor;;Jansen;Tiel;m;KandidaatAantalStemmen;90",
        "Nederland;L528;;;;2;Lijst 2;1;D.;Dirk;;Dam;Epe;m;KandidaatAantalStemmen;200",
    ]
    document = _read(tmp_path, rows)
    selections = {s["affiliation_id"]: s for s in document["total_votes"]["selections"]}
    assert selections["1"]["valid_votes"] == 400 and selections["1"]["candidates"] == []
    assert [c["valid_votes"] for c in selections["2"]["candidates"]] == [200]
    (clash,) = _notes(document, "databank-candidate-number-clash")
    assert clash.startswith(
        "L528 names two candidates with one number on list 1: van Dijk, A. (line 9) and "
        "Jansen, C. (line 11)."
    )
    assert "the 3 candidate row(s) of list 1" in clash
    # the same person twice is one value stated twice: refused
    rows[-2] = head + "A.;Anna;van;Dijk;Arnhem;v;KandidaatAantalStemmen;90"
    with pytest.raises(DuplicateValue):
        _read(tmp_path, rows)


def test_a_parent_that_is_no_tk_kieskring_is_not_kept_as_one(tmp_path: Path) -> None:
    # A file whose municipality lies in "K2" of Gelderland (P25) names a district of another
    # election (the Tweede Kamer's K2 lies in Fryslan, P21): not read as kieskring 2.
    name, _, _, lists = MUNICIPALITIES["G0999"]
    document = _read(tmp_path, _region_rows(name, "G0999", "K2", "P25", lists))
    assert document["contest"]["id"] is None
    # the Tweede Kamer's own pair is
    document = _read(tmp_path, _region_rows(name, "G0999", "K2", "P21", lists))
    assert document["contest"]["id"] == "2"
