"""Which candidates fill a list's seats: Kieswet chapter P, paragraph 3 (P 15 to P 17).

P 15: candidates whose own votes are *greater than* the preference threshold (25 % of the
quota; half the quota for a municipal council of fewer than 19 seats, P 15 lid 2) are
elected in the order of their votes, as far as the list has seats; equal numbers at the
cut are decided by lot, so they are reported as a tie. P 17: the list's remaining seats go
to its other candidates in list order.

Candidates are identified by their position on the list (the ``candidate_id`` of a 510 and
a 230b). Deceased or withdrawn candidates (P 19a) are not known to a count and are not
taken into account.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from telnorm.service.apportion.seats import REMAINDER_SYSTEM_BELOW, fraction_json


@dataclass(frozen=True)
class Candidate:
    candidate_id: str
    name: str | None
    votes: int


def default_threshold_percent(category: str | None, seats: int) -> int:
    """P 15: 25 % of the quota; 50 % for a municipal council of fewer than 19 seats."""
    if (category or "").upper() == "GR" and seats < REMAINDER_SYSTEM_BELOW:
        return 50
    return 25


def _position(candidate: Candidate) -> tuple[int, str]:
    text = candidate.candidate_id
    return (int(text), text) if text.isdigit() else (1 << 30, text)


def elect_candidates(
    affiliation_id: str,
    seats: int,
    candidates: list[Candidate],
    threshold: Fraction,
    steps: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The elected candidates of one list, and a tie when the lot would have to decide."""
    if seats <= 0:
        return [], None
    ordered = sorted(candidates, key=_position)
    above = sorted(
        (c for c in ordered if c.votes > threshold), key=lambda c: (-c.votes, _position(c))
    )
    elected: list[dict[str, Any]] = []
    tie: dict[str, Any] | None = None
    if len(above) > seats:
        cut = above[seats - 1].votes
        if above[seats].votes == cut:
            tied = [c for c in above if c.votes == cut]
            sure = [c for c in above if c.votes > cut]
            open_seats = seats - len(sure)
            tie = {
                "tie": True,
                "article": "P 15",
                "affiliation_id": affiliation_id,
                "candidates": [c.candidate_id for c in tied],
                "seats": open_seats,
                "reason": f"list {affiliation_id}: candidates "
                f"{', '.join(c.candidate_id for c in tied)} have {cut} preference votes "
                f"each for {open_seats} seat(s): the law decides by lot",
            }
            above = sure
        else:
            above = above[:seats]
    for c in above:
        elected.append(_elected(affiliation_id, c, "preference"))
        steps.append(
            {
                "step": len(steps) + 1,
                "article": "P 15",
                "kind": "candidate_preference",
                "affiliation_id": affiliation_id,
                "candidate_id": c.candidate_id,
                "votes": c.votes,
                "reason": f"{c.votes} preference votes, more than the threshold "
                f"{fraction_json(threshold)['decimal']}",
            }
        )
    if tie is not None:
        steps.append({"step": len(steps) + 1, **tie, "kind": "tie"})
        return elected, tie
    chosen = {c.candidate_id for c in above}
    for c in ordered:
        if len(elected) >= seats:
            break
        if c.candidate_id in chosen:
            continue
        elected.append(_elected(affiliation_id, c, "list_order"))
        steps.append(
            {
                "step": len(steps) + 1,
                "article": "P 17",
                "kind": "candidate_list_order",
                "affiliation_id": affiliation_id,
                "candidate_id": c.candidate_id,
                "votes": c.votes,
                "reason": f"next on the list (position {c.candidate_id})",
            }
        )
    return elected, None


def _elected(affiliation_id: str, c: Candidate, by: str) -> dict[str, Any]:
    return {
        "affiliation_id": affiliation_id,
        "candidate_id": c.candidate_id,
        "name": c.name,
        "votes": c.votes,
        "by": by,
    }
