"""EML export: schema validity, round trips through telnorm's own EML parser, the 422."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from telnorm.parsers.eml.context import AffiliationInfo, CandidateInfo, ContextDocument
from telnorm.parsers.errors import ExportFieldsMissing
from telnorm.service.export import ExportOptions, export
from telnorm.service.export.eml import eml_id_for, iter_eml, to_eml
from telnorm.service.pipeline import InputFile, normalise
from telnorm.service.problems import problem_document, status_of
from tests.conftest import assert_canonical, corpus_files
from tests.export.helpers import (
    assert_valid_eml,
    base_document,
    documents,
    numbers,
    parse_bytes,
    without_provenance,
)

COUNTS = [
    path
    for pattern in (
        "eml/510b/*.xml",
        "eml/510-other/*.xml",
        "eml/legacy-osv/*510*",
        "eml/draft-1.3/*",
    )
    for path in corpus_files(pattern)
    # The 520 there is a result, not a count: nothing to export.
    if b'Id="520"' not in path.read_bytes()[:2048]
]
#: What EML_NL 1.2.2 has no element for: the 1.3-draft additions. Dropped on export.
NOT_IN_1_2_2 = ("schema_version", "phase", "counting_method")


def _drop_draft_fields(document: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(document)
    for key in NOT_IN_1_2_2:
        if out["document"].get(key) is not None:
            out["document"][key] = None
    for group in [out["total_votes"], *out["reporting_unit_votes"]]:
        group.pop("previous", None)
    return out


@pytest.mark.corpus
@pytest.mark.parametrize("path", COUNTS, ids=lambda p: p.name)
def test_corpus_round_trip(path: Path) -> None:
    """EML -> canonical -> EML -> canonical: the same document (provenance aside), and the
    EML validates against the strict schema."""
    first = normalise(InputFile(path, path.name))
    exported = to_eml(first)
    assert_valid_eml(exported)
    second = parse_bytes(exported, path.name)
    assert_canonical(second)
    # The only fields that may be lost are those EML_NL 1.2.2 cannot carry (1.3 drafts).
    expected = _drop_draft_fields(first)
    assert without_provenance(second) == without_provenance(expected)
    # Exporting adds no new kind of finding (it may remove some: the rg: block is not written).
    assert {n["code"] for n in second["notes"]} <= {n["code"] for n in first["notes"]}
    # A fixpoint: the re-read document exports to the very same bytes.
    assert to_eml(second) == exported


@pytest.mark.corpus
def test_draft_fields_are_the_only_loss() -> None:
    """The 1.3-draft files really lose something (so the round trip above is not vacuous)."""
    drafts = [p for p in COUNTS if "draft-1.3" in str(p)]
    if not drafts:
        pytest.skip("no draft-1.3 files")
    lost = 0
    for path in drafts:
        first = normalise(InputFile(path, path.name))
        lost += first != _drop_draft_fields(first)
    assert lost == len(drafts)


def test_built_document_validates_and_reads_back() -> None:
    document = base_document()
    options = ExportOptions(creation_time="2026-03-19T21:30:00")
    data = to_eml(document, options)
    assert_valid_eml(data)
    back = parse_bytes(data, "out.eml.xml")
    assert back["document"]["eml_id"] == "510b"
    assert back["document"]["created"] == "2026-03-19T21:30:00"
    assert back["election"]["id"] == "GR2026"
    assert [a["name"] for a in back["affiliations"]] == ["Partij A & Co", 'Lijst "Dorp" <2>']
    assert numbers(back["total_votes"]) == numbers(document["total_votes"])
    unit1, unit2 = back["reporting_unit_votes"]
    assert unit1["name"] == "Dorpshuis" and unit1["postal_code"] == "9999 AA"
    # A unit's unknown Cast is written as EML's 0 ("not counted here"); the rest is kept.
    expected = numbers(document["reporting_unit_votes"][0])
    expected["cast"] = 0
    assert numbers(unit1) == expected
    assert numbers(unit2) == numbers(document["reporting_unit_votes"][1])


def test_deterministic_without_clock() -> None:
    document = base_document()
    document["document"]["created"] = "2026-03-19T21:30:00"
    assert to_eml(document) == to_eml(copy.deepcopy(document))


def test_creation_time_now_only_when_asked() -> None:
    data = to_eml(base_document(), ExportOptions(creation_time="now"))
    assert_valid_eml(data)
    assert b"<kr:CreationDateTime>20" in data


def test_missing_fields_are_named_with_how_to_supply() -> None:
    document = base_document()
    document["election"] = {
        "id": None,
        "name": None,
        "category": None,
        "subcategory": None,
        "date": None,
        "domain": None,
    }
    document["contest"] = {"id": None, "name": None}
    with pytest.raises(ExportFieldsMissing) as caught:
        to_eml(document)
    error = caught.value
    assert status_of(error) == 422
    fields = [m["field"] for m in error.extra["missing"]]
    assert fields == [
        "creation_time",
        "election_id",
        "election_category",
        "election_date",
        "contest_id",
    ]
    for field in fields:
        assert field in error.message
        assert f"{field}=" in next(
            m["supply"] for m in error.extra["missing"] if m["field"] == field
        )
    problem = problem_document(error)
    assert problem["status"] == 422 and problem["missing"] == error.extra["missing"]


def test_options_supply_missing_fields() -> None:
    document = base_document()
    document["election"]["id"] = None
    document["contest"]["id"] = None
    options = ExportOptions(
        election_id="GR2026_Testdorp", contest_id="geen", creation_time="2026-03-19T21:30:00"
    )
    data = to_eml(document, options)
    assert_valid_eml(data)
    assert b'<ElectionIdentifier Id="GR2026_Testdorp">' in data


def test_candidate_list_supplies_election_contest_and_list_names() -> None:
    document = base_document()
    document["election"] = dict.fromkeys(document["election"])
    document["contest"] = {"id": None, "name": None}
    document["affiliations"][1]["name"] = None
    context = ContextDocument(
        role="candidate_list",
        eml_id="230b",
        election={"id": "GR2026", "name": "Raad", "category": "GR", "date": "2026-03-18"},
        contest={"id": "geen", "name": None},
        affiliations={
            "2": AffiliationInfo(
                "2", "Uit de kandidatenlijst", {"1": CandidateInfo("1", "de Vries, C.", None)}
            )
        },
    )
    options = ExportOptions(creation_time="2026-03-19T21:30:00", candidate_list=context)
    data = to_eml(document, options)
    assert_valid_eml(data)
    assert b"<RegisteredName>Uit de kandidatenlijst</RegisteredName>" in data
    assert b"<ElectionCategory>GR</ElectionCategory>" in data


def test_invalid_values_are_named() -> None:
    document = base_document()
    document["election"]["category"] = "XX"
    document["managing_authority"]["id"] = "Testdorp"
    document["reporting_unit_votes"][0]["id"] = "stembureau 1"
    with pytest.raises(ExportFieldsMissing) as caught:
        to_eml(document, ExportOptions(creation_time="2026-03-19T21:30:00"))
    invalid = {m["field"] for m in caught.value.extra["invalid"]}
    assert invalid == {"election_category", "authority_id", "reporting unit id"}


def test_missing_counts_refused_or_zero() -> None:
    document = base_document()
    document["document"]["created"] = "2026-03-19T21:30:00"
    document["reporting_unit_votes"][1]["total_counted"] = None
    document["total_votes"]["selections"][0]["valid_votes"] = None
    with pytest.raises(ExportFieldsMissing) as caught:
        to_eml(document)
    pointers = [m["pointer"] for m in caught.value.extra["missing"]]
    assert pointers == [
        "/total_votes/selections/0/valid_votes",
        "/reporting_unit_votes/1/total_counted",
    ]
    data = to_eml(document, ExportOptions(missing_counts="zero"))
    assert_valid_eml(data)


def test_stated_votes_cast_that_eml_cannot_carry_is_refused() -> None:
    document = base_document()
    document["document"]["created"] = "2026-03-19T21:30:00"
    unit = document["reporting_unit_votes"][0]
    unit["votes_cast"] = unit["total_counted"] + 3  # H as stated: E + F + G
    assert to_eml(document)  # agreeing H: nothing is lost
    unit["votes_cast"] += 1
    with pytest.raises(ExportFieldsMissing) as caught:
        to_eml(document)
    assert caught.value.extra["invalid"][0]["pointer"] == "/reporting_unit_votes/0/votes_cast"


def test_nothing_is_yielded_before_the_check() -> None:
    document = base_document()  # no creation time
    with pytest.raises(ExportFieldsMissing):
        iter_eml(document)


def test_level_decides_the_document_id() -> None:
    document = base_document()
    assert eml_id_for(document) == "510b"
    document["document"]["level"] = "district"
    assert eml_id_for(document) == "510c"
    document["document"]["eml_id"] = "510d"
    assert eml_id_for(document) == "510d"


def test_registry_returns_media_type_and_name() -> None:
    document = base_document()
    content, media_type, filename = export(
        document, "eml", ExportOptions(creation_time="2026-03-19T21:30:00")
    )
    assert media_type == "application/xml"
    assert filename == "Telling_GR2026_Testdorp.eml.xml"
    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_property_every_number_survives_eml(document: dict[str, Any]) -> None:
    """Any canonical count -> EML -> canonical keeps every number; the EML is schema-valid."""
    data = to_eml(document)
    assert_valid_eml(data)
    back = parse_bytes(data, "out.eml.xml")
    assert numbers(back["total_votes"]) == numbers(document["total_votes"])
    assert len(back["reporting_unit_votes"]) == len(document["reporting_unit_votes"])
    for got, want in zip(
        back["reporting_unit_votes"], document["reporting_unit_votes"], strict=True
    ):
        expected = numbers(want)
        if expected["cast"] is None:
            expected["cast"] = 0
        assert numbers(got) == expected
        assert (got["id"], got["name"], got["postal_code"]) == (
            want["id"],
            want["name"],
            want["postal_code"],
        )
    assert [(a["id"], a["name"]) for a in back["affiliations"]] == [
        (a["id"], a["name"]) for a in document["affiliations"]
    ]
    assert to_eml(back) == data
