"""Format fidelity (issue 12): identities that agree between EML and osv4-3, counts stated
twice, the cost of unknown elements, UTF-16 XML, election ids from the Verkiezing line."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from telnorm.parsers.api import Limits
from telnorm.parsers.canonical import eml_unit_name, eml_unit_text
from telnorm.parsers.errors import DuplicateValue, LimitExceeded
from telnorm.parsers.osv4_3.election import read_election_name
from telnorm.service.pipeline import InputFile, normalise
from telnorm.service.problems import problem_document
from tests.conftest import assert_canonical, corpus_path
from tests.eml.test_reader import UNIT, _count, _selections

#: Counts published both as EML and as the municipality's osv4-3 CSV.
TWINS = [
    (
        ("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml"),
        ("csv", "osv4-3", "osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv"),
    ),
    (
        ("eml", "510b", "Telling_GR2022_WestMaasenWaal.eml.xml"),
        ("csv", "osv4-3", "osv4-3_telling_gr2022_westmaasenwaal.csv"),
    ),
]


def _run(path: Path, **context: Path) -> dict[str, Any]:
    files = {role: InputFile(p, p.name) for role, p in context.items()}
    document = normalise(InputFile(path, path.name), files)
    assert_canonical(document)
    return document


def _write(tmp_path: Path, text: str | bytes, name: str = "count.eml.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# --- identities agree across formats -----------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize(("eml", "csv"), TWINS, ids=["TK2025", "GR2022"])
def test_twins_give_the_same_units_names_and_election(
    eml: tuple[str, ...], csv: tuple[str, ...]
) -> None:
    from_eml = _run(corpus_path(*eml))
    from_csv = _run(corpus_path(*csv))

    def units(document: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (u["id"], u["number"], u["name"], u["postal_code"], u["kind"])
            for u in document["reporting_unit_votes"]
        ]

    assert units(from_csv) == units(from_eml)
    # the file's own text is kept where it differs from the canonical name
    for unit in from_eml["reporting_unit_votes"]:
        assert unit["raw_name"].startswith("Stembureau " + unit["name"])
    for key in ("level",):
        assert from_csv["document"][key] == from_eml["document"][key] == "municipality"
    assert from_csv["managing_authority"] == from_eml["managing_authority"]
    for key in ("id", "name", "category", "date"):
        assert from_csv["election"][key] == from_eml["election"][key], key
    if from_eml["election"]["domain"]:
        assert from_csv["election"]["domain"] == from_eml["election"]["domain"]


def test_station_name_rule() -> None:
    """EML writes ``Stembureau `` + the municipality's own name: exactly one is removed."""
    assert eml_unit_name("Stembureau Gemeentehuis (postcode: 6658 AG)") == (
        "Gemeentehuis",
        "6658 AG",
    )
    assert eml_unit_name("Stembureau Stembureau Stadhuis") == ("Stembureau Stadhuis", None)
    assert eml_unit_name('Stembureau "De Waarschuwing"') == ("De Waarschuwing", None)
    assert eml_unit_name("Almere") == ("Almere", None)
    assert eml_unit_name("Stembureau") == ("Stembureau", None)
    assert eml_unit_text("Stembureau Stadhuis", "1234 AB", "polling_station") == (
        "Stembureau Stembureau Stadhuis (postcode: 1234 AB)"
    )
    assert eml_unit_text("Almere", None, "municipality") == "Almere"


# --- a count stated twice ----------------------------------------------------------------

_LIST = _selections(10, [6, 4])
_FIRST_LIST_END = _LIST.index("</Selection>")
_FIRST_CANDIDATE_END = _LIST.index("</Selection>", _FIRST_LIST_END + 1)


@pytest.mark.parametrize(
    ("unit", "name"),
    [
        (UNIT.replace("<Cast>0</Cast>", "<Cast>0</Cast><Cast>7</Cast>"), "Cast"),
        (
            UNIT.replace("<TotalCounted>10</TotalCounted>", "<TotalCounted>10</TotalCounted>" * 2),
            "TotalCounted",
        ),
        (
            UNIT.replace(
                _LIST,
                _LIST[:_FIRST_LIST_END] + "<ValidVotes>11</ValidVotes>" + _LIST[_FIRST_LIST_END:],
            ),
            "ValidVotes",
        ),
        (
            UNIT.replace(
                _LIST,
                _LIST[:_FIRST_CANDIDATE_END]
                + "<ValidVotes>6</ValidVotes>"
                + _LIST[_FIRST_CANDIDATE_END:],
            ),
            "ValidVotes",
        ),
        (
            UNIT.replace(
                "</ReportingUnitVotes>",
                '<RejectedVotes ReasonCode="blanco">1</RejectedVotes></ReportingUnitVotes>',
            ),
            "RejectedVotes with ReasonCode 'blanco'",
        ),
    ],
    ids=["cast", "total-counted", "list-votes", "candidate-votes", "reason-code"],
)
def test_a_count_stated_twice_is_refused(tmp_path: Path, unit: str, name: str) -> None:
    """Never last-one-wins, even with the same number: EML allows each once."""
    with pytest.raises(DuplicateValue) as caught:
        _run(_write(tmp_path, _count(unit)))
    error = caught.value
    assert f"{name} is stated twice" in error.message
    assert problem_document(error)["type"].endswith("/duplicate-value")
    assert error.location and error.location["xpath"].startswith("/EML/Count/")
    first = error.extra["first"]
    assert first["line"] is not None and first["xpath"] == error.location["xpath"]


def test_a_total_stated_twice_names_the_total(tmp_path: Path) -> None:
    text = _count(UNIT).replace("<Cast>20</Cast>", "<Cast>20</Cast><Cast>20</Cast>")
    with pytest.raises(DuplicateValue, match="Cast is stated twice in the total"):
        _run(_write(tmp_path, text))


# --- unknown extension elements cost linear time --------------------------------------------

_EXTENSION = '<x:Extra xmlns:x="urn:example:extension">1</x:Extra>'


def _with_unknown(count: int, where: str) -> str:
    junk = _EXTENSION * count
    if where == "selection":
        unit = UNIT.replace(_LIST, _LIST[:_FIRST_LIST_END] + junk + _LIST[_FIRST_LIST_END:])
    else:
        unit = UNIT.replace("<Cast>0</Cast>", junk + "<Cast>0</Cast>")
    return _count(unit)


def _seconds(tmp_path: Path, text: str) -> float:
    path = _write(tmp_path, text, f"n{len(text)}.eml.xml")
    started = time.perf_counter()
    document = normalise(InputFile(path, path.name))
    elapsed = time.perf_counter() - started
    notes = [n for n in document["notes"] if n["code"] == "unknown-element"]
    assert len(notes) == 1 and "Extra" in notes[0]["message"]
    return elapsed


@pytest.mark.parametrize("where", ["selection", "reporting-unit"])
def test_unknown_elements_cost_linear_time(tmp_path: Path, where: str) -> None:
    """Four times the unknown elements cost about four times as long (a quadratic step costs
    sixteen); and 200,000 of them parse in seconds."""
    small = min(_seconds(tmp_path, _with_unknown(25_000, where)) for _ in range(2))
    large = _seconds(tmp_path, _with_unknown(100_000, where))
    assert large < 8 * small + 0.5, (small, large)
    assert _seconds(tmp_path, _with_unknown(200_000, where)) < 20


def test_unknown_elements_count_against_the_element_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, _with_unknown(5_000, "reporting-unit"))
    with pytest.raises(LimitExceeded, match="elements"):
        normalise(InputFile(path, path.name), limits=Limits(max_xml_elements=1_000))


# --- UTF-16 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "bom", "declared"),
    [
        ("utf-16-le", b"\xff\xfe", "UTF-16"),
        ("utf-16-be", b"\xfe\xff", "UTF-16"),
        ("utf-16-le", b"", "UTF-16LE"),
        ("utf-16-be", b"", "UTF-16BE"),
        ("utf-16-le", b"", "UTF-16"),
        ("utf-16-be", b"", "UTF-16"),
    ],
    ids=["le-bom", "be-bom", "le-declared", "be-declared", "le-utf16", "be-utf16"],
)
def test_utf16_xml_is_read(tmp_path: Path, codec: str, bom: bytes, declared: str) -> None:
    text = f'<?xml version="1.0" encoding="{declared}"?>' + _count(UNIT)
    expected = _run(_write(tmp_path, _count(UNIT), "utf8.eml.xml"))
    document = _run(_write(tmp_path, bom + text.encode(codec)))
    assert document["total_votes"] == expected["total_votes"]
    assert document["reporting_unit_votes"] == expected["reporting_unit_votes"]


# --- the election of an osv4-3 CSV -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "category", "year", "domain", "election_id"),
    [
        ("Provinciale Staten Fryslân 2019", "PS", "2019", "Fryslân", "PS2019_Fryslan"),
        ("Tweede Kamer der Staten-Generaal 2025", "TK", "2025", None, "TK2025"),
        (
            "Algemeen bestuur van het waterschap Scheldestromen 2023",
            "AB",
            "2023",
            "Scheldestromen",
            "AB2023_Scheldestromen",
        ),
        (
            "Gemeenteraad Midden-Delfland 2022",
            "GR",
            "2022",
            "Midden-Delfland",
            "GR2022_MiddenDelfland",
        ),
        ("Gemeenteraad 2025 Juinen", "GR", "2025", "Juinen", "GR2025_Juinen"),
        ("Europees Parlement 2024", "EP", "2024", None, "EP2024"),
    ],
)
def test_election_name(
    name: str, category: str, year: str, domain: str | None, election_id: str
) -> None:
    found = read_election_name(name)
    assert (found.category, found.year, found.domain, found.id) == (
        category,
        year,
        domain,
        election_id,
    )


_PS_CSV = (
    '\ufeff"Verkiezing";;"Provinciale Staten Fryslân 2019"\n"Datum";;"2019-03-20"\n'
    '"Gebied";;"Gemeente Leeuwarden"\n"Nummer";;"0080"\n\n'
    '"Lijstnummer";"Aanduiding";"Volgnummer";"Naam kandidaat";"Totaal";"Stadhuis"\n'
    '"Gebiednummer";;;;;"1"\n"Postcode";;;;;"8911 BK"\n'
    ';"opgeroepenen";;;"900";"900"\n'
    '"1";"Lijst A";;;"400";"400"\n'
    ';;"1";"Jansen, A.";"400";"400"'
)


def test_osv_election_comes_from_verkiezing_never_from_gebied(tmp_path: Path) -> None:
    document = _run(_write(tmp_path, _PS_CSV, "osv4-3_telling.csv"))
    election = document["election"]
    assert election["id"] == "PS2019_Fryslan"
    assert election["category"] == "PS"
    assert election["date"] == "2019-03-20"
    assert election["domain"] == {"id": None, "name": "Fryslân"}
    assert document["contest"]["name"] == "Fryslân"
    assert document["managing_authority"] == {"id": "0080", "name": "Leeuwarden"}
    assert document["reporting_unit_votes"][0]["id"] == "0080::SB1"


@pytest.mark.corpus
def test_candidate_list_wins_and_a_contradiction_is_noted(tmp_path: Path) -> None:
    candidate_list = corpus_path("eml", "230b", "Kandidatenlijsten_PS2023_Drenthe.eml.xml")
    text = _PS_CSV.replace("Provinciale Staten Fryslân 2019", "Provinciale Staten Drenthe 2023")
    agreeing = _run(_write(tmp_path, text, "a.csv"), candidate_list=candidate_list)
    assert agreeing["election"]["id"] == "PS2023_Drenthe"
    assert "election-mismatch" not in [n["code"] for n in agreeing["notes"]]
    other = _run(_write(tmp_path, _PS_CSV, "b.csv"), candidate_list=candidate_list)
    assert other["election"]["id"] == "PS2023_Drenthe"
    notes = [n for n in other["notes"] if n["code"] == "election-mismatch"]
    assert len(notes) == 1 and "PS2019_Fryslan" in notes[0]["message"]


@pytest.mark.corpus
def test_district_osv_csv_is_a_district_document() -> None:
    path = corpus_path("csv", "osv4-3", "district", "osv4-3_telling_tk2023_kieskring_lelystad.csv")
    document = _run(path)
    assert document["document"]["level"] == "district"
    assert document["managing_authority"] == {"id": "HSB5", "name": "Lelystad"}
    assert document["contest"] == {"id": "5", "name": "Lelystad"}
    assert document["election"]["id"] == "TK2023"
    units = document["reporting_unit_votes"]
    assert [u["id"] for u in units] == [
        "HSB5::0034",
        "HSB5::0050",
        "HSB5::0171",
        "HSB5::0184",
        "HSB5::0303",
        "HSB5::0995",
    ]
    assert {u["kind"] for u in units} == {"municipality"}
    assert units[0]["name"] == "Almere" and units[0]["postal_code"] is None
    assert document["source"]["cells"]["left_over"] == 0
    # every number of the file is in the document: the total is the sum of the units here
    assert document["total_votes"]["cast"] == sum(u["cast"] for u in units) == 315742


@pytest.mark.corpus
def test_district_codes_that_lost_their_zeros_are_padded(tmp_path: Path) -> None:
    path = corpus_path("csv", "osv4-3", "district", "osv4-3_telling_tk2023_kieskring_lelystad.csv")
    data = path.read_bytes().replace(b'"0034";"0050"', b'"34";"50"', 1)
    document = _run(_write(tmp_path, data, "district.csv"))
    assert [u["id"] for u in document["reporting_unit_votes"]][:2] == ["HSB5::0034", "HSB5::0050"]
    notes = [n for n in document["notes"] if n["code"] == "cbs-code-padded"]
    assert len(notes) == 1 and "0034, 0050" in notes[0]["message"]
