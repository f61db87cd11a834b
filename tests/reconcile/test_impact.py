"""Seat impact on a small council: seats needed, corrections per list and candidate, and the
candidate changes left out (with a note) where the reference cannot be corrected."""

from __future__ import annotations

from typing import Any

from telnorm.service.reconcile.impact import ImpactOptions
from telnorm.service.reconcile.references import ReferenceSet
from telnorm.service.reconcile.report import build_report
from telnorm.service.reconcile.summary import FileSummary, GroupTotals
from telnorm.service.validation.reference import municipal_totals_document

# A council of 9 seats, 900 votes in the reference: quota 100; full seats 4, 3, 1 with
# remainders 60, 0, 40: the residual seat goes to list 1 (5, 3, 1).
REFERENCE = {
    "kind": "municipal-totals",
    "election_id": "GR2026_Klein",
    "municipalities": [
        {
            "id": "0999",
            "name": "Klein",
            "lists": {"1": 460, "2": 300, "3": 140},
            "candidates": {
                "1": {"1": 300, "2": 110, "3": 30, "4": 10, "5": 5, "6": 5},
                "2": {"1": 200, "2": 90, "3": 5, "4": 5},
            },
        }
    ],
}


def file_summary(lists: dict[str, int], candidates: dict[str, dict[str, int]]) -> FileSummary:
    totals = GroupTotals(lists=lists, candidates=candidates, statistics={})
    return FileSummary(
        file="klein.eml.xml",
        authority_id="0999",
        authority_name="Klein",
        election_id="GR2026_Klein",
        category="GR",
        totals=totals,
    )


def report(summary: FileSummary, seats: int | None) -> dict[str, Any]:
    refs = ReferenceSet()
    document = municipal_totals_document(REFERENCE, "klein.json")
    document["election"]["category"] = "GR"
    refs.add(document, "klein.json")
    return build_report([summary], refs, ImpactOptions(seats=seats))


def test_without_seats_the_impact_is_not_computed() -> None:
    summary = file_summary({"1": 460, "2": 300, "3": 140}, {})
    impact = report(summary, None)["seat_impact"]["elections"][0]
    assert impact["status"] == "not_computed" and "seats" in impact["reason"]


def test_corrections_change_seats_and_candidates() -> None:
    # The file has 150 more votes for list 2 (candidate 2: 240 instead of 90). Corrected:
    # 1050 votes, quota 116.67; full seats 3, 3, 1 with remainders 110, 100, 23.3; both
    # residual seats by largest remainders (75% of the quota: 87.5) to lists 1 and 2: 4, 4, 1.
    # Candidates (threshold: more than half the quota): list 1 keeps 1 and 2 by preference,
    # then 3, 4 in list order, so its 5th candidate is no longer elected; list 2 elects 2 and
    # 1 by preference, then 3 and 4: candidate 4 is newly elected.
    summary = file_summary(
        {"1": 460, "2": 450, "3": 140},
        {
            "1": {"1": 300, "2": 110, "3": 30, "4": 10, "5": 5, "6": 5},
            "2": {"1": 200, "2": 240, "3": 5, "4": 5},
            "3": {"1": 140},
        },
    )
    result = report(summary, 9)
    entry = result["municipalities"][0]
    assert entry["differences"] == [
        {"affiliation_id": "2", "count": 450, "reference": 300, "difference": 150}
    ]
    assert entry["candidate_differences"] == [
        {
            "affiliation_id": "2",
            "candidate_id": "2",
            "count": 240,
            "reference": 90,
            "difference": 150,
        }
    ]
    impact = result["seat_impact"]["elections"][0]
    assert impact["status"] == "changed"
    assert impact["reference"]["seats"] == {"1": 5, "2": 3, "3": 1}
    assert impact["corrected"]["seats"] == {"1": 4, "2": 4, "3": 1}
    assert {i["affiliation_id"]: i["change"] for i in impact["lists"]} == {"1": -1, "2": 1}
    changes = {(c["affiliation_id"], c["candidate_id"]): c["change"] for c in impact["candidates"]}
    assert changes == {("1", "5"): "not_elected", ("2", "4"): "elected"}
    # list 3's candidates are in no reference: its candidate changes are not computed
    assert any("list(s) 3" in note for note in impact["notes"])


def test_equal_file_changes_nothing() -> None:
    summary = file_summary(
        {"1": 460, "2": 300, "3": 140},
        {
            "1": {"1": 300, "2": 110, "3": 30, "4": 10, "5": 5, "6": 5},
            "2": {"1": 200, "2": 90, "3": 5, "4": 5},
        },
    )
    result = report(summary, 9)
    assert result["municipalities"][0]["status"] == "equal"
    impact = result["seat_impact"]["elections"][0]
    assert impact["status"] == "unchanged" and impact["lists"] == [] and impact["candidates"] == []


def test_a_tie_in_the_reference_apportionment_is_reported() -> None:
    # 450, 300, 150 of 900 for 9 seats: lists 1 and 3 both have remainder 50 for the one
    # residual seat: the lot decides, so the impact is a tie, not a guess
    summary = file_summary({"1": 450, "2": 300, "3": 150}, {})
    refs = ReferenceSet()
    document = municipal_totals_document(
        {
            "kind": "municipal-totals",
            "election_id": "GR2026_Klein",
            "municipalities": [{"id": "0999", "lists": {"1": 450, "2": 300, "3": 150}}],
        },
        "klein.json",
    )
    refs.add(document, "klein.json")
    impact = build_report([summary], refs, ImpactOptions(seats=9))["seat_impact"]
    election = impact["elections"][0]
    assert election["status"] == "tie"
    assert election["reference"]["ties"][0]["lists"] == ["1", "3"]
    assert impact["changed"] is False


def test_a_file_without_candidate_votes_is_no_candidate_difference() -> None:
    # a spreadsheet of list totals: it says nothing about candidates (not 0), so no
    # candidate differences; list 2 differs, and its candidate changes cannot be computed
    summary = file_summary({"1": 460, "2": 450, "3": 140}, {})
    result = report(summary, 9)
    entry = result["municipalities"][0]
    assert "candidate_differences" not in entry
    assert [d["affiliation_id"] for d in entry["differences"]] == ["2"]
    impact = result["seat_impact"]["elections"][0]
    assert all(c["affiliation_id"] != "2" for c in impact["candidates"])
    assert any(note.startswith("List 2:") for note in impact["notes"])
