"""Validation of real corpus files, the Boxmeer reconciliation and seeded faults.

Faults are seeded into copies (in tmp_path) of the corpus TK2025 West Maas en Waal count: as
EML (locations are XPaths) and as a spreadsheet built from the osv4-3 CSV of the same count
(locations are cells). Expected numbers are computed from the unmodified document, never
typed in.
"""

from __future__ import annotations

import copy
import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from lxml import etree
from openpyxl import Workbook

from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise
from telnorm.service.validation import validate
from telnorm.service.validation.inputs import ValidateRequest, run_request
from tests.conftest import corpus_path

pytestmark = pytest.mark.corpus

NS = "urn:oasis:names:tc:evs:schema:eml"
E = f"{{{NS}}}"
TK2025 = ("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
TK2025_CSV = ("csv", "osv4-3", "osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv")
UNIT_XPATH = "/EML/Count/Election/Contests/Contest/ReportingUnitVotes"


def normalised(path: Path) -> dict[str, Any]:
    return normalise(InputFile(path, path.name), options=NormaliseOptions(locations=True))


def codes(report: dict[str, Any], severity: str | None = None) -> Counter[str]:
    return Counter(
        f["code"] for f in report["findings"] if severity is None or f["severity"] == severity
    )


def only(report: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["code"] == code]


# --- real files ------------------------------------------------------------------------

COMPLETE_REAL = [
    TK2025,
    ("eml", "510b", "Telling_GR2022_WestMaasenWaal.eml.xml"),
    TK2025_CSV,
    ("csv", "osv4-3", "osv4-3_telling_gr2022_westmaasenwaal.csv"),
]


@pytest.mark.parametrize("parts", COMPLETE_REAL, ids=[p[-1] for p in COMPLETE_REAL])
def test_real_counts_have_no_errors(parts: tuple[str, ...]) -> None:
    report = validate(normalised(corpus_path(*parts)), plausibility=True)
    assert report["valid"], [f["message"] for f in report["findings"] if f["severity"] == "error"]
    assert report["summary"]["errors"] == 0


def test_trimmed_fixtures_fail_only_by_construction() -> None:
    # Both are real totals over ONE kept polling station (see the corpus README): the total
    # cannot be the sum of the units, and Borsele keeps 2 candidates per list.
    aa = validate(
        normalised(
            corpus_path("eml", "510b", "Telling_PS2023_Drenthe_gemeente_Aa_en_Hunze.eml.xml")
        )
    )
    assert set(codes(aa, "error")) == {"A.101"}
    borsele = validate(
        normalised(
            corpus_path("eml", "510b", "Telling_AB2023_Scheldestromen_gemeente_Borsele.eml.xml")
        )
    )
    assert {"F.402", "A.101"} <= set(codes(borsele, "error"))


def test_tk2025_cast_is_informational() -> None:
    report = validate(normalised(corpus_path(*TK2025)))
    assert codes(report) == Counter({"A.102": 1})
    (finding,) = report["findings"]
    assert finding["expected"] == 0 and finding["actual"] == 16290


# --- Boxmeer: a district reference in which only lists 1-4 were keyed -------------------


def district_510c(document: dict[str, Any], keep_lists: set[str]) -> bytes:
    """A 510c of kieskring 6 with this municipality's total, keeping only some lists."""
    total = document["total_votes"]
    names = {a["id"]: a["name"] for a in document["affiliations"]}

    def group(tag: str, unit_id: str, name: str, data: dict[str, Any]) -> str:
        parts = [f"<{tag}>"]
        if tag == "ReportingUnitVotes":
            parts.append(
                f'<ReportingUnitIdentifier Id="{unit_id}">{name}</ReportingUnitIdentifier>'
            )
        for selection in data["selections"]:
            if selection["affiliation_id"] not in keep_lists:
                continue
            parts.append(
                f'<Selection><AffiliationIdentifier Id="{selection["affiliation_id"]}">'
                f"<RegisteredName>{names[selection['affiliation_id']]}</RegisteredName>"
                f"</AffiliationIdentifier><ValidVotes>{selection['valid_votes']}</ValidVotes>"
                "</Selection>"
            )
            for candidate in selection["candidates"]:
                parts.append(
                    f'<Selection><Candidate><CandidateIdentifier Id="{candidate["candidate_id"]}"/>'
                    f"</Candidate><ValidVotes>{candidate['valid_votes']}</ValidVotes></Selection>"
                )
        parts.append(
            f"<Cast>{data['cast']}</Cast><TotalCounted>{data['total_counted']}</TotalCounted>"
        )
        for code, value in data["rejected_votes"].items():
            parts.append(f'<RejectedVotes ReasonCode="{code}">{value}</RejectedVotes>')
        for code, value in data["uncounted_votes"].items():
            parts.append(f'<UncountedVotes ReasonCode="{code}">{value}</UncountedVotes>')
        parts.append(f"</{tag}>")
        return "".join(parts)

    election = document["election"]
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<EML xmlns="{NS}" xmlns:kr="http://www.kiesraad.nl/extensions" Id="510c" '
        'SchemaVersion="5"><TransactionId>1</TransactionId>'
        '<ManagingAuthority><AuthorityIdentifier Id="HSB6">Nijmegen</AuthorityIdentifier>'
        "<AuthorityAddress/></ManagingAuthority>"
        "<kr:CreationDateTime>2025-10-31T10:00:00</kr:CreationDateTime>"
        f'<Count><EventIdentifier/><Election><ElectionIdentifier Id="{election["id"]}">'
        f"<ElectionName>{election['name']}</ElectionName>"
        f"<ElectionCategory>{election['category']}</ElectionCategory>"
        f"<kr:ElectionSubcategory>{election['subcategory']}</kr:ElectionSubcategory>"
        f"<kr:ElectionDate>{election['date']}</kr:ElectionDate></ElectionIdentifier>"
        f'<Contests><Contest><ContestIdentifier Id="{document["contest"]["id"]}"/>'
        + group("TotalVotes", "", "", total)
        + group("ReportingUnitVotes", "HSB6::0668", "West Maas en Waal", total)
        + "</Contest></Contests></Election></Count></EML>"
    )
    return body.encode()


def test_boxmeer_district_keyed_lists_1_to_4(tmp_path: Path) -> None:
    source = corpus_path(*TK2025)
    document = normalised(source)
    reference = tmp_path / "Telling_TK2025_kieskring_Nijmegen.eml.xml"
    reference.write_bytes(district_510c(document, {"1", "2", "3", "4"}))

    report = run_request(
        ValidateRequest(
            main=InputFile(source, source.name), reference=InputFile(reference, reference.name)
        )
    )
    later = {
        s["affiliation_id"]: s["valid_votes"]
        for s in document["total_votes"]["selections"]
        if int(s["affiliation_id"]) >= 5
    }
    missing_with_votes = {aff: votes for aff, votes in later.items() if votes}
    r201 = only(report, "R.201")
    assert [f["location"]["affiliation"] for f in r201] == sorted(missing_with_votes, key=int)
    for finding in r201:
        aff = finding["location"]["affiliation"]
        assert finding["expected"] == 0
        assert finding["actual"] == finding["difference"] == missing_with_votes[aff]
        assert finding["location"]["source"]["xpath"].startswith(
            "/EML/Count/Election/Contests/Contest/TotalVotes/Selection["
        )
    assert not only(report, "R.202") and not only(report, "R.203") and not only(report, "R.101")
    assert report["summary"]["reconciliation_difference"] == sum(later.values())
    # The same number seen from the other side: E minus what the district keyed.
    keyed = sum(
        s["valid_votes"]
        for s in document["total_votes"]["selections"]
        if s["affiliation_id"] in {"1", "2", "3", "4"}
    )
    assert report["summary"]["reconciliation_difference"] == (
        document["total_votes"]["total_counted"] - keyed
    )
    assert report["summary"]["reconciliation"]["matched_by"] == "id"
    assert report["summary"]["reconciliation"]["unit"] == "HSB6::0668"
    assert report["valid"] is False


def test_boxmeer_with_municipal_totals_json(tmp_path: Path) -> None:
    document = normalised(corpus_path(*TK2025))
    lists = {s["affiliation_id"]: s["valid_votes"] for s in document["total_votes"]["selections"]}
    reference = tmp_path / "hsb6.json"
    reference.write_bytes(
        orjson.dumps(
            {
                "kind": "municipal-totals",
                "election_id": "TK2025",
                "municipalities": [
                    {
                        "id": "0668",
                        "name": "West Maas en Waal",
                        "lists": {k: v for k, v in lists.items() if int(k) <= 4},
                    }
                ],
            }
        )
    )
    from telnorm.service.validation.reference import load_reference

    report = validate(document, reference=load_reference(reference))
    assert report["summary"]["reconciliation_difference"] == sum(
        v for k, v in lists.items() if int(k) >= 5
    )


def test_reference_without_the_municipality(tmp_path: Path) -> None:
    document = normalised(corpus_path(*TK2025))
    other = copy.deepcopy(document)
    other["managing_authority"] = {"id": "0518", "name": "'s-Gravenhage"}
    report = validate(document, reference=other)
    assert codes(report, "error") == Counter({"R.101": 1})
    assert report["summary"]["reconciliation_difference"] is None


# --- seeded faults in EML ---------------------------------------------------------------


def _unit(root: Any, index: int) -> Any:
    return root.findall(f"{E}Count/{E}Election/{E}Contests/{E}Contest/{E}ReportingUnitVotes")[index]


def _list_selection(unit: Any, list_id: str) -> tuple[int, Any]:
    for position, selection in enumerate(unit.findall(f"{E}Selection"), 1):
        aff = selection.find(f"{E}AffiliationIdentifier")
        if aff is not None and aff.get("Id") == list_id:
            return position, selection
    raise AssertionError(list_id)


def _bump(element: Any, by: int) -> None:
    votes = element.find(f"{E}ValidVotes") if element.tag == f"{E}Selection" else element
    votes.text = str(int(votes.text) + by)


def _seed(tmp_path: Path, change: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    tree = etree.parse(str(corpus_path(*TK2025)))
    change(tree.getroot())
    path = tmp_path / "seeded.eml.xml"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    document = normalised(path)
    return document, validate(document)


def test_seeded_candidate_votes_f402(tmp_path: Path) -> None:
    def change(root: Any) -> None:
        _, selection = _list_selection(_unit(root, 2), "1")
        _bump(selection.getnext(), 7)  # candidate 1 of list 1 at SB3

    document, report = _seed(tmp_path, change)
    (finding,) = only(report, "F.402")
    position, _ = _list_selection(_unit(etree.parse(str(corpus_path(*TK2025))).getroot(), 2), "1")
    assert finding["location"]["reporting_unit"] == "0668::SB3"
    assert finding["location"]["affiliation"] == "1"
    assert finding["location"]["pointer"] == "/reporting_unit_votes/2/selections/0/valid_votes"
    assert (
        finding["location"]["source"]["xpath"]
        == f"{UNIT_XPATH}[3]/Selection[{position}]/ValidVotes"
    )
    assert finding["difference"] == -7
    assert finding["actual"] == document["reporting_unit_votes"][2]["selections"][0]["valid_votes"]


def test_seeded_list_total_f202_a101(tmp_path: Path) -> None:
    def change(root: Any) -> None:
        _, selection = _list_selection(_unit(root, 2), "2")
        _bump(selection, 5)

    _, report = _seed(tmp_path, change)
    (f202,) = only(report, "F.202")
    assert f202["location"]["reporting_unit"] == "0668::SB3"
    assert f202["location"]["source"]["xpath"] == f"{UNIT_XPATH}[3]/TotalCounted"
    assert f202["difference"] == -5
    (a101,) = only(report, "A.101")
    assert a101["location"]["affiliation"] == "2"
    assert a101["location"]["pointer"] == "/total_votes/selections/1/valid_votes"
    assert a101["difference"] == -5
    assert "/TotalVotes/Selection[" in a101["location"]["source"]["xpath"]
    assert set(codes(report, "error")) == {"F.202", "A.101", "F.402"}


def test_seeded_duplicate_unit_s101_s105(tmp_path: Path) -> None:
    def change(root: Any) -> None:
        unit = _unit(root, 1)
        unit.addnext(copy.deepcopy(unit))

    _, report = _seed(tmp_path, change)
    (s101,) = only(report, "S.101")
    (s105,) = only(report, "S.105")
    for finding in (s101, s105):
        assert finding["location"]["reporting_unit"] == "0668::SB2"
        assert finding["location"]["pointer"].startswith("/reporting_unit_votes/2")
        # The whole unit: its own ReportingUnitVotes element (EML states no id element path).
        assert finding["location"]["source"]["xpath"] == f"{UNIT_XPATH}[3]"
    assert "A.101" in codes(report)


def test_seeded_admitted_voters_f201(tmp_path: Path) -> None:
    def change(root: Any) -> None:
        for element in _unit(root, 3).findall(f"{E}UncountedVotes"):
            if element.get("ReasonCode") == "geldige stempassen":
                _bump(element, 3)

    _, report = _seed(tmp_path, change)
    (finding,) = only(report, "F.201")
    assert finding["location"]["reporting_unit"] == "0668::SB4"
    assert finding["location"]["source"]["xpath"] == (
        f"{UNIT_XPATH}[4]/UncountedVotes[@ReasonCode='toegelaten kiezers']"
    )
    assert finding["difference"] == -3


# --- seeded faults in a spreadsheet (locations are cells) -------------------------------


def _sheet_rows() -> list[list[Any]]:
    text = corpus_path(*TK2025_CSV).read_text(encoding="utf-8-sig")
    return [
        [int(c) if c.isdigit() and i >= 4 else c for i, c in enumerate(row)]
        for row in csv.reader(io.StringIO(text), delimiter=";")
    ]


def _row(rows: list[list[Any]], label: str) -> int:
    """The 0-based row whose second cell is ``label``."""
    return next(i for i, row in enumerate(rows) if len(row) > 1 and row[1] == label)


def _spreadsheet(tmp_path: Path, rows: list[list[Any]]) -> dict[str, Any]:
    book = Workbook()
    sheet = book.active
    sheet.title = "Blad1"
    for row in rows:
        sheet.append(row)
    path = tmp_path / "telling.xlsx"
    book.save(path)
    return validate(normalised(path))


STATION1 = 5  # column F: the first polling station (E is the total)


def test_spreadsheet_unmodified_is_valid(tmp_path: Path) -> None:
    report = _spreadsheet(tmp_path, _sheet_rows())
    assert report["summary"]["errors"] == 0


@pytest.mark.parametrize(
    ("label", "offset", "code", "cell", "pointer"),
    [
        ("aangetroffen stembiljetten", 0, "F.203", "F17", "/reporting_unit_votes/0/votes_cast"),
        (
            "geldige stempas",
            0,
            "F.201",
            "F13",
            "/reporting_unit_votes/0/uncounted_votes/toegelaten kiezers",
        ),
        (
            "PVV (Partij voor de Vrijheid)",
            1,
            "F.402",
            "F25",
            "/reporting_unit_votes/0/selections/0/valid_votes",
        ),
        (
            "PVV (Partij voor de Vrijheid)",
            0,
            "F.202",
            "F14",
            "/reporting_unit_votes/0/total_counted",
        ),
    ],
)
def test_spreadsheet_seeded_faults(
    tmp_path: Path, label: str, offset: int, code: str, cell: str, pointer: str
) -> None:
    rows = _sheet_rows()
    row = _row(rows, label) + offset
    if offset:  # a candidate row: label in column B of the list row, candidate one below
        assert rows[row][2] == "1"
    rows[row][STATION1] += 4
    report = _spreadsheet(tmp_path, rows)
    (finding,) = only(report, code)
    assert finding["location"]["reporting_unit"] == "0668::SB1"
    assert finding["location"]["pointer"] == pointer
    assert finding["location"]["source"] == {"sheet": "Blad1", "cell": cell}
    assert abs(finding["difference"]) == 4
    if code == "F.202":
        assert "A.101" in codes(report)


def test_spreadsheet_duplicated_column(tmp_path: Path) -> None:
    rows = _sheet_rows()
    # Column G (station 2) becomes a copy of column F (station 1), number included.
    for row in rows[6:]:
        if len(row) > STATION1 + 1:
            row[STATION1 + 1] = row[STATION1]
    report = _spreadsheet(tmp_path, rows)
    # The tabular parser keeps the copy's id (0668::SB1, with a duplicate-unit note), as the
    # EML parser does: the copy is caught by its id (S.101) and by its numbers (S.105).
    (s101,) = only(report, "S.101")
    assert s101["location"]["pointer"].startswith("/reporting_unit_votes/1")
    (s105,) = only(report, "S.105")
    assert s105["location"]["pointer"] == "/reporting_unit_votes/1"
    assert s105["location"]["reporting_unit"].startswith("0668::SB1")
    assert s105["location"]["source"]["sheet"] == "Blad1"
    assert s105["location"]["source"]["cell"].startswith("G")
    assert "0668::SB1 (position 1)" in s105["message"]
