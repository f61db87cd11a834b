"""The streaming EML reader on small synthetic documents: order, prefixes, extensions, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import LimitExceeded, StructureError
from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise
from tests.conftest import assert_canonical

NS = 'xmlns="urn:oasis:names:tc:evs:schema:eml" xmlns:kr="http://www.kiesraad.nl/extensions"'


def _selections(list_votes: int, candidates: list[int]) -> str:
    parts = [
        f'<Selection><AffiliationIdentifier Id="1"><RegisteredName>Lijst A</RegisteredName>'
        f"</AffiliationIdentifier><ValidVotes>{list_votes}</ValidVotes></Selection>"
    ]
    parts += [
        f'<Selection><Candidate><CandidateIdentifier Id="{i}"/></Candidate>'
        f"<ValidVotes>{v}</ValidVotes></Selection>"
        for i, v in enumerate(candidates, 1)
    ]
    return "".join(parts)


def _count(units: str, total: str | None = None, extra: str = "", root: str = NS) -> str:
    total = total or (
        "<TotalVotes>" + _selections(10, [6, 4]) + "<Cast>20</Cast><TotalCounted>10</TotalCounted>"
        '<RejectedVotes ReasonCode="blanco">1</RejectedVotes>'
        '<RejectedVotes ReasonCode="ongeldig">0</RejectedVotes></TotalVotes>'
    )
    return (
        f'<EML {root} Id="510b"><TransactionId>1</TransactionId><ManagingAuthority>'
        '<AuthorityIdentifier Id="0999">Testdorp</AuthorityIdentifier></ManagingAuthority>'
        f'{extra}<Count><Election><ElectionIdentifier Id="GR2026"><ElectionName>GR</ElectionName>'
        "<ElectionCategory>GR</ElectionCategory><kr:ElectionDate>2026-03-18</kr:ElectionDate>"
        '</ElectionIdentifier><Contests><Contest><ContestIdentifier Id="geen"/>'
        f"{total}{units}</Contest></Contests></Election></Count></EML>"
    )


def _candidate(candidate_id: int, votes: int) -> str:
    return (
        f'<Selection><Candidate><CandidateIdentifier Id="{candidate_id}"/></Candidate>'
        f"<ValidVotes>{votes}</ValidVotes></Selection>"
    )


UNIT = (
    '<ReportingUnitVotes><ReportingUnitIdentifier Id="0999::SB1">Stembureau Stembureau Dorpshuis '
    "(postcode: 9999 ZZ)</ReportingUnitIdentifier>"
    + _selections(10, [6, 4])
    + "<Cast>0</Cast><TotalCounted>10</TotalCounted>"
    '<RejectedVotes ReasonCode="blanco">1</RejectedVotes></ReportingUnitVotes>'
)


def _run(tmp_path: Path, text: str, limits: Limits | None = None) -> dict:  # type: ignore[type-arg]
    path = tmp_path / "count.xml"
    path.write_text(text, encoding="utf-8")
    document = normalise(InputFile(path, path.name), limits=limits)
    assert_canonical(document)
    return document


def test_minimal_count(tmp_path: Path) -> None:
    document = _run(tmp_path, _count(UNIT))
    unit = document["reporting_unit_votes"][0]
    assert unit["name"] == "Stembureau Dorpshuis"
    assert unit["postal_code"] == "9999 ZZ"
    assert unit["number"] == 1
    assert unit["selections"][0]["candidates"][1] == {"candidate_id": "2", "valid_votes": 4}
    assert document["total_votes"]["rejected_votes"] == {"blanco": 1, "ongeldig": 0}


def test_total_after_units_and_scalars_before_selections(tmp_path: Path) -> None:
    unit = (
        UNIT.replace(_selections(10, [6, 4]), "")
        .replace("</ReportingUnitIdentifier>", "</ReportingUnitIdentifier><Cast>5</Cast>")
        .replace("<Cast>0</Cast>", _selections(10, [6, 4]))
    )
    total = (
        "<TotalVotes><Cast>20</Cast>" + _selections(10, [6, 4]) + "<TotalCounted>10</TotalCounted>"
        "</TotalVotes>"
    )
    document = normalise_text(
        tmp_path, _count("", total=" ").replace("</Contest>", unit + total + "</Contest>")
    )
    assert document["total_votes"]["cast"] == 20
    assert document["reporting_unit_votes"][0]["cast"] == 5
    assert document["reporting_unit_votes"][0]["selections"][0]["valid_votes"] == 10


def normalise_text(tmp_path: Path, text: str) -> dict:  # type: ignore[type-arg]
    return _run(tmp_path, text)


def test_any_prefix_same_meaning(tmp_path: Path) -> None:
    plain = _run(tmp_path, _count(UNIT))
    prefixed_text = (
        _count(UNIT)
        .replace("<", "<e:")
        .replace("<e:/", "</e:")
        .replace("e:kr:", "kr:")
        .replace("</e:kr:", "</kr:")
    )
    prefixed_text = prefixed_text.replace(
        'xmlns="urn:oasis:names:tc:evs:schema:eml"', 'xmlns:e="urn:oasis:names:tc:evs:schema:eml"'
    )
    prefixed = _run(tmp_path, prefixed_text)
    for key in ("total_votes", "reporting_unit_votes", "affiliations", "managing_authority"):
        assert prefixed[key] == plain[key]


def test_indented_equals_minified(tmp_path: Path) -> None:
    minified = _run(tmp_path, _count(UNIT))
    indented = _run(tmp_path, _count(UNIT).replace("><", ">\n    <"))
    assert indented["reporting_unit_votes"] == minified["reporting_unit_votes"]


def test_unknown_extension_noted_once_and_not_counted(tmp_path: Path) -> None:
    ext = '<x:Extra xmlns:x="urn:example">7</x:Extra>'
    unit = UNIT.replace("<Cast>0</Cast>", ext + "<Cast>0</Cast>")
    text = _count(unit + unit.replace("SB1", "SB2"), extra=ext)
    document = _run(tmp_path, text)
    notes = [n for n in document["notes"] if n["code"] == "unknown-element"]
    assert len(notes) == 1
    assert "7" in notes[0]["message"]


def test_investigations_last_is_not_drift(tmp_path: Path) -> None:
    block = (
        '<kr:ReportingUnitInvestigations><kr:Investigation ReasonCode="stembiljetten deels '
        'herteld">true</kr:Investigation></kr:ReportingUnitInvestigations>'
    )
    last = _run(
        tmp_path, _count(UNIT.replace("</ReportingUnitVotes>", block + "</ReportingUnitVotes>"))
    )
    assert last["reporting_unit_votes"][0]["investigations"] == {
        "stembiljetten deels herteld": True
    }
    assert "schema-drift" not in [n["code"] for n in last["notes"]]
    early = _run(
        tmp_path,
        _count(UNIT.replace("</ReportingUnitIdentifier>", "</ReportingUnitIdentifier>" + block)),
    )
    assert "schema-drift" in [n["code"] for n in early["notes"]]


def test_two_contests_are_refused(tmp_path: Path) -> None:
    text = _count(UNIT).replace(
        "</Contest>", "</Contest><Contest><ContestIdentifier Id='2'/></Contest>", 1
    )
    with pytest.raises(StructureError, match="2 contests"):
        _run(tmp_path, text)


def test_missing_total_and_authority(tmp_path: Path) -> None:
    with pytest.raises(StructureError, match="TotalVotes"):
        _run(tmp_path, _count(UNIT, total="<!-- none -->"))


def test_element_limit(tmp_path: Path) -> None:
    with pytest.raises(LimitExceeded, match="elements"):
        _run(tmp_path, _count(UNIT), Limits(max_xml_elements=20))


def test_depth_limit_inside_an_extension(tmp_path: Path) -> None:
    deep = "<x:a xmlns:x='urn:example'>" * 30 + "</x:a>" * 30
    with pytest.raises(LimitExceeded, match="deep"):
        _run(tmp_path, _count(UNIT, extra=deep), Limits(max_xml_depth=20))


def test_locations_point_at_elements(tmp_path: Path) -> None:
    path = tmp_path / "count.xml"
    path.write_text(_count(UNIT).replace("><", ">\n<"), encoding="utf-8")
    document = normalise(InputFile(path, path.name), options=NormaliseOptions(locations=True))
    lines = path.read_text().splitlines()
    for pointer, location in document["locations"].items():
        assert location["xpath"].startswith("/EML/Count/")
        assert lines[location["line"] - 1].startswith("<"), pointer
    assert document["locations"]["/reporting_unit_votes/0/rejected_votes/blanco"]["xpath"].endswith(
        "RejectedVotes[@ReasonCode='blanco']"
    )


def test_polling_station_list_fills_names_and_postcodes(tmp_path: Path) -> None:
    """A 110b gives names and postcodes where the count lacks them (and never overrides)."""
    from tests.conftest import corpus_path

    stations = corpus_path("eml", "110b", "eml110b_stembureaulijst-juinen.eml.xml")
    unit = (
        '<ReportingUnitVotes><ReportingUnitIdentifier Id="0042::SB2"/>'
        + _selections(10, [6, 4])
        + "<TotalCounted>10</TotalCounted></ReportingUnitVotes>"
    )
    text = _count(unit).replace('Id="0999"', 'Id="0042"').replace("GR2026", "GR2025_Juinen")
    path = tmp_path / "count.xml"
    path.write_text(text, encoding="utf-8")
    document = normalise(
        InputFile(path, path.name), {"polling_stations": InputFile(stations, stations.name)}
    )
    assert_canonical(document)
    filled = document["reporting_unit_votes"][0]
    assert filled["name"] == "De Mattenklopper"
    assert filled["postal_code"] == "2541 BB"
    assert "names-from-context" in [n["code"] for n in document["notes"]]
    assert document["source"]["context"][0]["eml_id"] == "110b"


def test_candidate_list_mismatches_are_noted(tmp_path: Path) -> None:
    from tests.conftest import corpus_path

    names = corpus_path("eml", "230b", "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml")
    unit = UNIT.replace("0999::SB1", "0668::SB1")
    text = (
        _count(unit)
        .replace('Id="0999"', 'Id="0668"')
        .replace('ElectionIdentifier Id="GR2026"', 'ElectionIdentifier Id="GR2022_WestMaasenWaal"')
        .replace('CandidateIdentifier Id="2"', 'CandidateIdentifier Id="99"')
    )
    path = tmp_path / "count.xml"
    path.write_text(text, encoding="utf-8")
    document = normalise(
        InputFile(path, path.name), {"candidate_list": InputFile(names, names.name)}
    )
    assert_canonical(document)
    first = document["affiliations"][0]
    assert first["candidates"][0]["name"]  # position 1 of list 1 is on the candidate list
    mismatches = [n for n in document["notes"] if n["code"] == "candidate-list-mismatch"]
    assert len(mismatches) == 1
    assert "Candidate 99 of list 1" in mismatches[0]["message"]
    assert mismatches[0]["location"]["pointer"] == "/affiliations/0/candidates/1"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        # list 2's own Selection is missing: its candidate 1 follows list 1's candidates
        (lambda t: t.replace("<Cast>0</Cast>", _candidate(1, 5) + "<Cast>0</Cast>", 1),
         "Candidate 1 appears twice under list 1"),
        (lambda t: t.replace("<Cast>0</Cast>", _selections(1, []) + "<Cast>0</Cast>", 1),
         "List 1 appears twice"),
        (lambda t: t.replace("</ReportingUnitVotes>",
                             '<RejectedVotes ReasonCode="blanco">2</RejectedVotes>'
                             "</ReportingUnitVotes>", 1),
         "ReasonCode 'blanco' is stated twice"),
    ],
)  # fmt: skip
def test_what_cannot_be_assigned_is_refused(tmp_path: Path, change: Any, says: str) -> None:
    with pytest.raises(StructureError, match=says) as caught:
        _run(tmp_path, change(_count(UNIT)))
    assert caught.value.location and caught.value.location["xpath"].startswith("/EML/Count/")


def test_unknown_reason_code_is_kept_and_noted(tmp_path: Path) -> None:
    unit = UNIT.replace(
        "</ReportingUnitVotes>",
        '<UncountedVotes ReasonCode="nieuwe code">9</UncountedVotes></ReportingUnitVotes>',
    )
    document = _run(tmp_path, _count(unit))
    assert document["reporting_unit_votes"][0]["uncounted_votes"]["nieuwe code"] == 9
    notes = [n for n in document["notes"] if n["code"] == "unknown-reason-code"]
    assert len(notes) == 1
    assert "nieuwe code" in notes[0]["message"]


def test_candidate_list_of_another_kieskring_is_refused() -> None:
    from telnorm.parsers.errors import ContextFileError
    from tests.conftest import corpus_path

    count = corpus_path("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
    haarlem = corpus_path("eml", "230b", "Kandidatenlijsten_TK2025_Haarlem.eml.xml")
    with pytest.raises(ContextFileError, match="kieskring"):
        normalise(InputFile(count, count.name), {"candidate_list": InputFile(haarlem, "h.xml")})
