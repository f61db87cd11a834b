"""Seat apportionment by the Kieswet, one hand-computed case per rule, and the real GR2022
results (EML 520) of the corpus."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from lxml import etree

from telnorm.service.apportion.candidates import Candidate, elect_candidates
from telnorm.service.apportion.election import ElectionTotals, ListTotals, apportion
from telnorm.service.apportion.inputs import apportion_path
from telnorm.service.apportion.seats import ListVotes, assign_seats

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "eml" / "apportionment"


def seats(
    votes: list[int], total: int, category: str | None = "GR", candidates: int = 50
) -> list[int]:
    result = assign_seats(
        [ListVotes(str(i + 1), None, v, candidates) for i, v in enumerate(votes)], total, category
    )
    assert result.tie is None
    return [s.seats for s in result.standings]


def test_full_seats_only() -> None:
    # quota 1200/15 = 80: every list holds it a whole number of times
    assert seats([480, 160, 160, 160, 80, 80, 80], 15) == [6, 2, 2, 2, 1, 1, 1]


def test_below_19_seats_largest_remainders_then_one_each_averages() -> None:
    # quota 80; full seats 10 (list 1: 808 = 10*80 + 8); only list 1 reaches 75% (60 votes):
    # remainder seat -> 1; then one-each largest averages: 808/12 = 67.3 > 59 -> 1,
    # then 59, 58, 57 (list 1 may not take a second one-each seat)
    assert seats([808, 59, 58, 57, 56, 55, 54, 53], 15) == [12, 1, 1, 1, 0, 0, 0, 0]


def test_the_75_percent_threshold() -> None:
    # 10 seats, 1000 votes: quota 100, 75% = 75. List 3 (74 votes) has the largest
    # remainder (74) but does not reach 75%: the remainder seat goes to list 2 (rem 50);
    # the second residual seat is by one-each averages: 74/1 > 450/5 = 90? no: 90 > 74 -> 1.
    result = seats([450, 250, 74, 226], 10)
    assert result == [5, 3, 0, 2]


def test_from_19_seats_largest_averages() -> None:
    # 19 seats, 1900 votes, quota 100; full seats 9 + 6 + 3 = 18; the residual seat by
    # averages: 905/10 = 90.5, 640/7 = 91.4, 355/4 = 88.75 -> list 2 (largest remainders,
    # the rule below 19 seats, would have chosen list 3: 55 > 40 > 5)
    assert seats([905, 640, 355], 19) == [9, 7, 3]
    assert seats([905 * 18, 640 * 18, 355 * 18], 18) == [9, 6, 3]


def test_tk_lists_below_the_quota_get_no_residual_seat() -> None:
    # 20 seats, 2000 votes, quota 100, full seats 10 + 8 + 0, two residual seats. List 3
    # (99 votes) has the largest average for the first (99 > 1051/11 = 95.5 > 850/9 = 94.4),
    # then list 1. In a TK election (P 7 lid 2) list 3 did not reach the quota: lists 1, 2.
    assert seats([1051, 850, 99], 20, "GR") == [11, 8, 1]
    assert seats([1051, 850, 99], 20, "TK") == [11, 9, 0]


def test_absolute_majority_rule() -> None:
    # 15 seats, 10000 votes, quota 666.67. List 1 has 5001 votes (more than half) and
    # 7 full seats; the two remainder seats go to lists 2 (rem 500) and 3 (rem 499); list
    # 1 has 7 of 15 seats, not more than half: P 9 gives it list 3's residual seat.
    result = assign_seats(
        [ListVotes(str(i + 1), None, v, 50) for i, v in enumerate([5001, 2500, 2499])], 15, "GR"
    )
    assert [s.seats for s in result.standings] == [8, 4, 3]
    p9 = [s for s in result.steps if s["article"] == "P 9"]
    assert p9 and p9[0]["affiliation_id"] == "1" and p9[0]["from_affiliation_id"] == "3"


def test_list_exhaustion_passes_seats_on() -> None:
    # as above, but list 2 has only 3 candidates: its fourth seat passes on (P 10)
    result = assign_seats(
        [
            ListVotes("1", None, 5001, 50),
            ListVotes("2", None, 2500, 3),
            ListVotes("3", None, 2499, 50),
        ],
        15,
        "GR",
    )
    assert [s.seats for s in result.standings] == [8, 3, 4]
    assert any(s["article"] == "P 10" and s["affiliation_id"] == "2" for s in result.steps)


def test_a_tie_is_reported_never_picked() -> None:
    # 2 seats, 1000 votes, quota 500: no full seats, no list reaches 75% (375), so the
    # one-each averages of P 8 lid 2: lists 1-3 have 300 each for 2 seats: the lot decides
    result = assign_seats(
        [ListVotes(str(i + 1), None, v, 50) for i, v in enumerate([300, 300, 300, 100])], 2, "GR"
    )
    assert result.tie is not None
    assert result.tie["tie"] is True
    assert result.tie["article"] == "P 8 lid 2"
    assert result.tie["lists"] == ["1", "2", "3"] and result.tie["seats"] == 2
    assert all(s.seats == 0 for s in result.standings)  # nothing picked


def test_equal_values_with_enough_seats_are_no_tie() -> None:
    # two lists with equal remainders and two residual seats: both get one, no lot needed
    assert seats([400, 150, 150, 100], 4) == [2, 1, 1, 0]


def test_preference_threshold_is_strictly_more_than() -> None:
    steps: list[dict[str, object]] = []
    cands = [Candidate("1", None, 10), Candidate("2", None, 25), Candidate("3", None, 26)]
    elected, tie = elect_candidates("1", 2, cands, Fraction(25), steps)
    assert tie is None
    # candidate 3 is above 25 (preference), 2 has exactly 25 (not more): list order -> 1
    assert [(e["candidate_id"], e["by"]) for e in elected] == [
        ("3", "preference"),
        ("1", "list_order"),
    ]


def test_preference_order_by_votes_and_tie_at_the_cut() -> None:
    steps: list[dict[str, object]] = []
    cands = [Candidate(str(i), None, v) for i, v in enumerate([5, 40, 60, 40], start=1)]
    elected, tie = elect_candidates("2", 2, cands, Fraction(30), steps)
    assert tie is not None and tie["candidates"] == ["2", "4"] and tie["seats"] == 1
    assert [e["candidate_id"] for e in elected] == ["3"]


def test_threshold_is_half_the_quota_for_small_councils() -> None:
    lists = [
        ListTotals("1", "A", 600, {"1": 300, "2": 200, "3": 100}),
        ListTotals("2", "B", 400, {"1": 150, "2": 250}),
    ]
    small = apportion(ElectionTotals("GR", "GR", lists), 10)
    assert small["preference_threshold"]["percent"] == 50  # quota 100: more than 50 votes
    large = apportion(ElectionTotals("GR", "GR", lists), 20)
    assert large["preference_threshold"]["percent"] == 25
    by = {(e["affiliation_id"], e["candidate_id"]): e["by"] for e in small["elected"]}
    # quota 100: 6 and 4 full seats, but the lists have only 3 and 2 candidates (P 10):
    # every list is exhausted, so 5 seats cannot be filled
    assert small["vacant_seats"] == 5
    assert by[("2", "2")] == "preference" and by[("2", "1")] == "preference"


def _official(result: Path) -> tuple[dict[str, int], dict[str, list[int]]]:
    ns = {"e": "urn:oasis:names:tc:evs:schema:eml"}
    seats_of: dict[str, int] = {}
    ranking: dict[str, list[int]] = {}
    current = ""
    for sel in etree.parse(str(result)).iterfind(".//e:Selection", ns):
        aff = sel.find("e:AffiliationIdentifier", ns)
        if aff is not None:
            current = aff.get("Id") or ""
            seats_of[current], ranking[current] = 0, [0, 0]
            continue
        seats_of[current] += 1
        # Ranking 1: elected by preference votes, 2: in list order
        ranking[current][int(sel.findtext("e:Ranking", namespaces=ns) or "2") - 1] += 1
    return seats_of, ranking


@pytest.mark.parametrize(
    "result",
    sorted(CORPUS.glob("Resultaat_*.eml.xml")) if CORPUS.exists() else [],
    ids=lambda p: p.stem,
)
def test_real_gr2022_results(result: Path) -> None:
    official, ranking = _official(result)
    mine = apportion_path(
        result.with_name(result.name.replace("Resultaat", "Telling")), seats=sum(official.values())
    )
    assert mine["tie"] is False
    assert {i["affiliation_id"]: i["seats"] for i in mine["lists"] if i["seats"]} == official
    counts: dict[str, list[int]] = {}
    for e in mine["elected"]:
        counts.setdefault(e["affiliation_id"], [0, 0])[0 if e["by"] == "preference" else 1] += 1
    assert counts == ranking
