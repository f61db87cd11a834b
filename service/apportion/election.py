"""One election's totals in, seats and elected candidates out (the JSON of ``/apportion``).

The totals are the count at the level that decides the election: a central count (510d),
a municipal count (510b) for a council election, or the same in canonical JSON. Names and
the number of candidates per list come from the candidate list (230b) when one is given,
else from the count itself (said in ``notes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from telnorm.service.apportion.candidates import (
    Candidate,
    default_threshold_percent,
    elect_candidates,
)
from telnorm.service.apportion.seats import ListVotes, assign_seats, fraction_json

#: Seats fixed by law, used when neither --seats nor an election definition says:
#: Tweede Kamer 150 (Grondwet art. 51), Eerste Kamer 75 (art. 55).
SEATS_BY_LAW = {"TK": 150, "EK": 75}


@dataclass
class ListTotals:
    affiliation_id: str
    name: str | None
    votes: int
    #: candidate id (position on the list) -> votes
    candidates: dict[str, int] = field(default_factory=dict)
    candidate_names: dict[str, str | None] = field(default_factory=dict)
    #: the candidates on the list (from a 230b), when known; else those of the count
    roster: list[str] | None = None


@dataclass
class ElectionTotals:
    election_id: str | None
    category: str | None
    lists: list[ListTotals]
    notes: list[str] = field(default_factory=list)


def _list_key(item: ListTotals) -> tuple[int, str]:
    return (
        (int(item.affiliation_id), "")
        if item.affiliation_id.isdigit()
        else (1 << 30, item.affiliation_id)
    )


def apportion(
    totals: ElectionTotals, seats: int, threshold_percent: int | None = None
) -> dict[str, Any]:
    """Seats per list and the elected candidates, with every step."""
    lists = sorted(totals.lists, key=_list_key)
    notes = list(totals.notes)
    notes.append(
        "Lijstencombinaties no longer exist (abolished in 2017): every list is apportioned on "
        "its own."
    )
    entries = []
    for item in lists:
        roster = item.roster if item.roster is not None else sorted(item.candidates, key=_pos)
        entries.append(ListVotes(item.affiliation_id, item.name, item.votes, len(roster) or None))
    if any(item.roster is None for item in lists):
        notes.append(
            "The number of candidates per list (for list exhaustion, P 10) is taken from the "
            "count; send the candidate list (230b) to use the registered lists."
        )
    result = assign_seats(entries, seats, totals.category)
    notes.extend(result.notes)
    percent = (
        threshold_percent
        if threshold_percent is not None
        else default_threshold_percent(totals.category, seats)
    )
    threshold = result.quota * Fraction(percent, 100)
    steps = list(result.steps)
    elected: list[dict[str, Any]] = []
    ties: list[dict[str, Any]] = [result.tie] if result.tie else []
    if result.tie is None:
        for item, standing in zip(lists, result.standings, strict=True):
            roster = item.roster if item.roster is not None else sorted(item.candidates, key=_pos)
            candidates = [
                Candidate(cid, item.candidate_names.get(cid), item.candidates.get(cid, 0))
                for cid in roster
            ]
            chosen, tie = elect_candidates(
                item.affiliation_id, standing.seats, candidates, threshold, steps
            )
            elected.extend(chosen)
            if tie:
                ties.append(tie)
    else:
        notes.append("Candidates are not elected while the seats per list await the lot.")
    return {
        "election_id": totals.election_id,
        "category": totals.category,
        "seats": seats,
        "total_votes": result.total_votes,
        "quota": fraction_json(result.quota),
        "residual_method": "largest_averages" if seats >= 19 else "largest_remainders",
        "preference_threshold": {"percent": percent, **fraction_json(threshold)},
        "lists": [
            {
                "affiliation_id": s.entry.affiliation_id,
                "name": s.entry.name,
                "votes": s.entry.votes,
                "full_seats": s.full,
                "residual_seats": s.residual,
                "seats": s.seats,
                "candidates": s.entry.candidates,
            }
            for s in result.standings
        ],
        "elected": elected,
        "tie": bool(ties),
        "ties": ties,
        "vacant_seats": result.vacant,
        "steps": steps,
        "notes": notes,
    }


def _pos(candidate_id: str) -> tuple[int, str]:
    return (int(candidate_id), "") if candidate_id.isdigit() else (1 << 30, candidate_id)
