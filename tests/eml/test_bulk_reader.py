"""The bulk reading of plain vote groups (``parsers/eml/bulk.py``) and the deferred locations
(``parsers/eml/locations.py``) give exactly what the one-by-one reading and the full location
map give: the same bytes, the same refusal, the same location for every pointer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from lxml import etree

from telnorm.parsers.eml import bulk
from telnorm.parsers.errors import TelnormError
from telnorm.parsers.packed_selections import PackedSelections
from telnorm.service.jsonsafe import iter_dumps
from telnorm.service.pipeline import InputFile, NormaliseOptions, dumps, normalise
from tests.conftest import corpus_files

NS = 'xmlns="urn:oasis:names:tc:evs:schema:eml" xmlns:kr="http://www.kiesraad.nl/extensions"'


def _list(list_id: str, votes: str, name: str = "<RegisteredName>Lijst</RegisteredName>") -> str:
    return (
        f'<Selection><AffiliationIdentifier Id="{list_id}">{name}</AffiliationIdentifier>'
        f"<ValidVotes>{votes}</ValidVotes></Selection>"
    )


def _candidate(candidate_id: str, votes: str, inner: str = "") -> str:
    return (
        f'<Selection><Candidate><CandidateIdentifier Id="{candidate_id}"/>{inner}</Candidate>'
        f"<ValidVotes>{votes}</ValidVotes></Selection>"
    )


PLAIN = (
    _list("1", "10")
    + _candidate("1", "6")
    + _candidate("2", "4")
    + _list("2", "5", "")
    + _candidate("1", "5")
    + _candidate("2", "0")
)


def _count(unit_selections: str, *, pretty: bool = False) -> bytes:
    def unit(number: int, selections: str) -> str:
        return (
            f'<ReportingUnitVotes><ReportingUnitIdentifier Id="0999::SB{number}">Stembureau '
            f"{number} (postcode: 9999 ZZ)</ReportingUnitIdentifier>{selections}<Cast>0</Cast>"
            "<TotalCounted>15</TotalCounted>"
            '<RejectedVotes ReasonCode="blanco">1</RejectedVotes>'
            '<UncountedVotes ReasonCode="toegelaten kiezers">16</UncountedVotes>'
            "</ReportingUnitVotes>"
        )

    text = (
        f'<EML {NS} Id="510b"><TransactionId>1</TransactionId><ManagingAuthority>'
        '<AuthorityIdentifier Id="0999">Testdorp</AuthorityIdentifier></ManagingAuthority>'
        '<Count><Election><ElectionIdentifier Id="GR2026"><ElectionName>GR</ElectionName>'
        "<ElectionCategory>GR</ElectionCategory><kr:ElectionDate>2026-03-18</kr:ElectionDate>"
        '</ElectionIdentifier><Contests><Contest><ContestIdentifier Id="geen"/>'
        f"<TotalVotes>{PLAIN}<Cast>40</Cast><TotalCounted>30</TotalCounted>"
        '<RejectedVotes ReasonCode="blanco">2</RejectedVotes></TotalVotes>'
        f"{unit(1, PLAIN)}{unit(2, unit_selections)}"
        "</Contest></Contests></Election></Count></EML>"
    )
    if pretty:  # one element per line, so every location has its own line
        text = text.replace("><", ">\n<")
    return text.encode()


#: Second units the bulk reader must decline: the one-by-one reading decides.
NOT_PLAIN = {
    "candidate name": PLAIN.replace(
        '<CandidateIdentifier Id="2"/>',
        '<CandidateIdentifier Id="2"/><CandidateFullName><PersonName xmlns='
        '"urn:oasis:names:tc:ciq:xsdschema:xNL:2.0"><LastName>Jansen</LastName></PersonName>'
        "</CandidateFullName>",
        1,
    ),
    "spaces around a number": PLAIN.replace("<ValidVotes>6<", "<ValidVotes> 6 <", 1),
    "thousands separator": PLAIN.replace("<ValidVotes>10<", "<ValidVotes>1.000<", 1),
    "sign": PLAIN.replace("<ValidVotes>6<", "<ValidVotes>+6<", 1),
    "sixteen digits": PLAIN.replace("<ValidVotes>6<", "<ValidVotes>1234567890123456<", 1),
    "empty votes": PLAIN.replace("<ValidVotes>6</ValidVotes>", "<ValidVotes/>", 1),
    "votes twice": PLAIN.replace("<ValidVotes>6</ValidVotes>", "<ValidVotes>6</ValidVotes>" * 2),
    "no votes": PLAIN.replace("<ValidVotes>6</ValidVotes>", "", 1),
    "CDATA split number": PLAIN.replace("<ValidVotes>6<", "<ValidVotes><![CDATA[1]]>6<", 1),
    "empty candidate id": PLAIN.replace('CandidateIdentifier Id="2"', 'CandidateIdentifier Id=""'),
    "candidate id with space": PLAIN.replace('Identifier Id="2"', 'Identifier Id=" 2"', 1),
    "candidate without id": PLAIN.replace('CandidateIdentifier Id="2"', "CandidateIdentifier", 1),
    "candidate twice": PLAIN.replace('Id="2"/>', 'Id="1"/>', 1),
    "list twice": PLAIN.replace('AffiliationIdentifier Id="2"', 'AffiliationIdentifier Id="1"'),
    "empty list id": PLAIN.replace('AffiliationIdentifier Id="2"', 'AffiliationIdentifier Id=""'),
    "candidate first": _candidate("9", "1") + PLAIN,
    "registered name twice": PLAIN.replace(
        "<RegisteredName>Lijst</RegisteredName>", "<RegisteredName>A</RegisteredName>" * 2, 1
    ),
    "previous votes": PLAIN.replace(
        "<ValidVotes>6</ValidVotes>",
        "<ValidVotes>6</ValidVotes><kr:PreviousValidVotes>5</kr:PreviousValidVotes>",
        1,
    ),
    "foreign element": PLAIN.replace(
        "<ValidVotes>4</ValidVotes>", '<ValidVotes>4</ValidVotes><x:y xmlns:x="urn:x">9</x:y>', 1
    ),
    "no selections": "",
    "selection of neither kind": PLAIN + "<Selection><ValidVotes>1</ValidVotes></Selection>",
}


#: libxml2 merges CDATA into the text and an empty unit has nothing to read in bulk.
PLAIN_AFTER_PARSING = {"CDATA split number", "no selections"}


def _outcome(path: Path, **options: Any) -> bytes | tuple[str, str, Any]:
    try:
        return dumps(normalise(InputFile(path), options=NormaliseOptions(**options)))
    except TelnormError as error:
        return (error.code, error.message, error.location)


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    bulk_outcome = _outcome(path)
    with monkeypatch.context() as patch:
        patch.setattr("telnorm.parsers.eml.count.read_plain", lambda element, seen: None)
        return bulk_outcome, _outcome(path)


def test_a_plain_group_is_read_in_bulk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plain.eml.xml"
    path.write_bytes(_count(PLAIN))
    read: list[bool] = []
    real = bulk.read_plain

    def spy(element: Any, seen: int) -> Any:
        found = real(element, seen)
        read.append(found is not None)
        return found

    monkeypatch.setattr("telnorm.parsers.eml.count.read_plain", spy)
    document = normalise(InputFile(path))
    assert read == [True, True, True]  # the total and both units
    unit = document["reporting_unit_votes"][1]
    assert isinstance(unit["selections"], PackedSelections)
    assert unit["selections"] == [
        {
            "affiliation_id": "1",
            "valid_votes": 10,
            "candidates": [
                {"candidate_id": "1", "valid_votes": 6},
                {"candidate_id": "2", "valid_votes": 4},
            ],
        },
        {
            "affiliation_id": "2",
            "valid_votes": 5,
            "candidates": [
                {"candidate_id": "1", "valid_votes": 5},
                {"candidate_id": "2", "valid_votes": 0},
            ],
        },
    ]
    assert [a["name"] for a in document["affiliations"]] == ["Lijst", None]


@pytest.mark.parametrize("case", sorted(NOT_PLAIN))
def test_what_is_not_plain_is_read_one_by_one(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "count.eml.xml"
    path.write_bytes(_count(NOT_PLAIN[case]))
    declined: list[bool] = []
    real = bulk.read_plain

    def spy(element: Any, seen: int) -> Any:
        found = real(element, seen)
        declined.append(found is None)
        return found

    monkeypatch.setattr("telnorm.parsers.eml.count.read_plain", spy)
    bulk_outcome = _outcome(path)
    if declined and case not in PLAIN_AFTER_PARSING:  # (a refusal may come before)
        assert declined[-1]
    monkeypatch.setattr("telnorm.parsers.eml.count.read_plain", lambda element, seen: None)
    assert bulk_outcome == _outcome(path)


@pytest.mark.parametrize(
    "path", corpus_files("eml/510*/*.xml"), ids=lambda p: p.name if isinstance(p, Path) else p
)
def test_corpus_counts_read_the_same_in_bulk(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bulk_outcome, one_by_one_outcome = _both(path, monkeypatch)
    assert bulk_outcome == one_by_one_outcome


# --- deferred locations ----------------------------------------------------------------------


EML = "{urn:oasis:names:tc:evs:schema:eml}"
GROUPS = "/EML/Count/Election/Contests/Contest/"


def _expected_locations(path: Path) -> dict[str, Any]:
    """The location map, worked out independently from the whole tree (fine in a test): each
    Selection by position, each scalar by name and reason code, in document order."""
    tree = etree.parse(str(path))
    contest = tree.find(f".//{EML}Contest")
    assert contest is not None
    groups = [(-1, contest.find(f"{EML}TotalVotes"), "/total_votes", GROUPS + "TotalVotes")]
    groups += [
        (i, unit, f"/reporting_unit_votes/{i}", GROUPS + f"ReportingUnitVotes[{i + 1}]")
        for i, unit in enumerate(contest.findall(f"{EML}ReportingUnitVotes"))
    ]
    expected: dict[str, Any] = {}
    for _index, group, prefix, xpath in groups:
        s, c = -1, 0
        for position, selection in enumerate(group.iter(f"{EML}Selection"), 1):
            if selection.find(f"{EML}AffiliationIdentifier") is not None:
                s, c, key = s + 1, 0, f"{prefix}/selections/{s + 1}/valid_votes"
            else:
                key, c = f"{prefix}/selections/{s}/candidates/{c}/valid_votes", c + 1
            where = f"{xpath}/Selection[{position}]/ValidVotes"
            expected[key] = {"line": selection.sourceline, "xpath": where}
        for child in group:
            name = etree.QName(child).localname
            line = child.sourceline
            if name in ("Cast", "TotalCounted"):
                field = "cast" if name == "Cast" else "total_counted"
                expected[f"{prefix}/{field}"] = {"line": line, "xpath": f"{xpath}/{name}"}
            elif name in ("RejectedVotes", "UncountedVotes"):
                code = child.get("ReasonCode")
                field = "rejected_votes" if name == "RejectedVotes" else "uncounted_votes"
                expected[f"{prefix}/{field}/{code}"] = {
                    "line": line,
                    "xpath": f"{xpath}/{name}[@ReasonCode='{code}']",
                }
    return expected


def _check_map(path: Path, expected: dict[str, Any]) -> None:
    for options in (NormaliseOptions(locations=True), NormaliseOptions(defer_locations=True)):
        document = normalise(InputFile(path), options=options)
        located = document["locations"]
        assert list(located) == list(expected) and len(located) == len(expected)
        for pointer, where in expected.items():
            assert located.get(pointer) == where, pointer
            assert located[pointer] == where
        assert b"".join(located.iter_json()) == orjson.dumps(expected)
        # what the locator asks when a finding names a value the file does not state
        for pointer in list(expected)[:50]:
            prefix = pointer.rpartition("/")[0]
            first = next(key for key in expected if key.startswith(prefix + "/"))
            assert located.first_below(prefix) == first
    # the streamed CLI output is the document written whole
    whole = normalise(InputFile(path), options=NormaliseOptions(locations=True))
    assert b"".join(iter_dumps(whole)) == dumps(whole)
    assert orjson.loads(dumps(whole))["locations"] == expected


@pytest.mark.parametrize("pretty", [False, True], ids=["one line", "one element per line"])
@pytest.mark.parametrize("case", ["plain", "candidate name", "spaces around a number"])
def test_deferred_locations_equal_the_full_map(tmp_path: Path, case: str, pretty: bool) -> None:
    path = tmp_path / "count.eml.xml"
    path.write_bytes(_count(PLAIN if case == "plain" else NOT_PLAIN[case], pretty=pretty))
    _check_map(path, _expected_locations(path))
    deferred = normalise(InputFile(path), options=NormaliseOptions(locations=True))["locations"]
    assert deferred.get("/reporting_unit_votes/1/selections/9/valid_votes") is None
    assert deferred.get("/reporting_unit_votes/7/cast") is None
    assert deferred.get("/election/id") is None
    assert "/total_votes/cast" in deferred


@pytest.mark.parametrize(
    "path", corpus_files("eml/510*/*.xml"), ids=lambda p: p.name if isinstance(p, Path) else p
)
def test_deferred_locations_of_corpus_counts(path: Path) -> None:
    try:
        normalise(InputFile(path))
    except TelnormError:
        pytest.skip("not a count telnorm reads")
    _check_map(path, _expected_locations(path))


def test_validation_locates_findings_without_a_second_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telnorm.service.validation import inputs

    path = tmp_path / "count.eml.xml"
    # the second unit's list total disagrees with its candidates: a finding with a place
    path.write_bytes(_count(PLAIN.replace("<ValidVotes>10<", "<ValidVotes>11<", 1), pretty=True))
    reads: list[dict[str, Any]] = []
    real = inputs.normalise

    def counting(*args: Any, **kwargs: Any) -> Any:
        reads.append({"locations": kwargs["options"].locations})
        return real(*args, **kwargs)

    monkeypatch.setattr(inputs, "normalise", counting)
    document, report = inputs.validate_document(inputs.ValidateRequest(main=InputFile(path)))
    assert len(reads) == 1
    assert "locations" not in document
    located = [f["location"]["source"] for f in report["findings"] if f["location"]["source"]]
    assert located and all("xpath" in where for where in located)
    unit_finding = next(
        f for f in report["findings"] if f["location"]["pointer"].startswith("/reporting_unit")
    )
    expected = _expected_locations(path)
    pointer = unit_finding["location"]["pointer"]
    if pointer in expected:
        assert unit_finding["location"]["source"] == expected[pointer]
