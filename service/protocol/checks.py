"""The control protocol's station checks, as plain functions over canonical vote groups.

One implementation serves two readers: the validation rules (W.201-W.204 and P.101-P.105 in
:mod:`telnorm.service.validation.rules`) turn a result into a finding, and the protocol report
(:mod:`.report`) groups the results per station. Thresholds default to the Electoral
Council's own values (its control-protocol tool, protocol version GR2026) and are settings.

A check that needs a statistic the file does not state does not apply to that station (the
function returns ``None``); it is never computed as if the value were 0.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from telnorm.service.validation.model import (
    BLANCO,
    GEEN_VERKLARING,
    ONGELDIG,
    D,
    rejected,
    uncounted,
    votes_cast,
)

Group = Mapping[str, Any]

#: Explanations of more ballots than admitted voters, and of fewer (the proces-verbaal's
#: reason codes). "geen verklaring" and "andere verklaring" count on both sides.
EXPLAINS_MORE = (
    "te veel uitgereikte stembiljetten",
    "te veel briefstembiljetten",
    GEEN_VERKLARING,
    "andere verklaring",
)
EXPLAINS_FEWER = (
    "meegenomen stembiljetten",
    "te weinig uitgereikte stembiljetten",
    "geen briefstembiljetten",
    "kwijtgeraakte stembiljetten",
    GEEN_VERKLARING,
    "andere verklaring",
)
#: Investigation reason codes that mean the station was already recounted: the polling
#: station's (DSO) and the central count's (CSO) wording.
RECOUNT_CODES = (
    "onderzocht vanwege onverklaard verschil",
    "toegelaten kiezers opnieuw vastgesteld",
)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The protocol's thresholds; the defaults are the Electoral Council's."""

    #: The protocol version these values come from (the Council tool's GR2026 protocol).
    version: str = "GR2026"
    invalid_pct: float = 3.0
    blank_pct: float = 3.0
    admitted_difference: int = 15
    admitted_difference_pct: float = 2.0
    list_deviation_points: float = 50.0
    swap_factor: float = 5.0
    swap_min_votes: int = 15
    swap_min_units_municipality: int = 2
    swap_min_units_neighbourhood: int = 5


DEFAULT_THRESHOLDS = Thresholds()


def _at_least(part: int, whole: int, percent: float) -> bool:
    """``part / whole * 100 >= percent`` in exact arithmetic (no float rounding at the edge)."""
    return part * 100 >= Fraction(str(percent)) * whole


# --- A: unexplained differences -------------------------------------------------------------


def no_explanation(group: Group) -> int | None:
    """The stated "geen verklaring" count (differences the station could not explain)."""
    return uncounted(group, GEEN_VERKLARING)


def explanations_short(group: Group) -> int | None:
    """How far the stated explanations fall short of the gap between ballots and admitted
    voters (H - D): 0 when they account for it; None when H or D is not stated, or the file
    has none of the explanation rows for that side of the gap."""
    admitted = uncounted(group, D)
    ballots, _ = votes_cast(group)
    if admitted is None or ballots is None:
        return None
    gap = ballots - admitted
    explains = EXPLAINS_MORE if gap > 0 else EXPLAINS_FEWER
    if gap and all(uncounted(group, code) is None for code in explains if code != GEEN_VERKLARING):
        # A form without explanation rows (older models, hand-made sheets) says nothing about
        # explanations: that is not the same as explaining nothing.
        return None
    if gap > 0:
        return abs(gap - sum(uncounted(group, code) or 0 for code in EXPLAINS_MORE))
    if gap < 0:
        return abs(gap + sum(uncounted(group, code) or 0 for code in EXPLAINS_FEWER))
    return 0


def recounted(group: Group) -> bool | None:
    """Whether the file says the station was already recounted; None when it says nothing."""
    investigations = group.get("investigations")
    if not isinstance(investigations, Mapping):
        return None
    return any(investigations.get(code) is True for code in RECOUNT_CODES)


# --- B: outliers ------------------------------------------------------------------------------


def zero_votes(group: Group) -> bool:
    """No ballots: H is 0, or H is unknown and none of E, F, G that are stated is positive."""
    ballots, _ = votes_cast(group)
    if ballots is not None:
        return ballots == 0
    parts = (group.get("total_counted"), rejected(group, BLANCO), rejected(group, ONGELDIG))
    return not any(parts)


@dataclass(frozen=True, slots=True)
class Share:
    """A part of the ballots (H): blank or invalid votes."""

    value: int
    ballots: int

    @property
    def percent(self) -> float:
        return self.value * 100 / self.ballots

    def crosses(self, percent: float) -> bool:
        return _at_least(self.value, self.ballots, percent)


def rejected_share(group: Group, code: str) -> Share | None:
    """Blank (``blanco``) or invalid (``ongeldig``) votes as a share of H; None when either
    is not stated or H is 0."""
    value = rejected(group, code)
    ballots, _ = votes_cast(group)
    if value is None or not ballots:
        return None
    return Share(value, ballots)


@dataclass(frozen=True, slots=True)
class AdmittedGap:
    """The gap between admitted voters (D) and ballots (H)."""

    admitted: int
    ballots: int

    @property
    def gap(self) -> int:
        return abs(self.admitted - self.ballots)

    def crosses(self, thresholds: Thresholds) -> bool:
        """``gap >= 15``, or ``gap >= 2%`` of H (the percentage only where H is not 0)."""
        if self.gap >= thresholds.admitted_difference:
            return True
        return self.ballots > 0 and _at_least(
            self.gap, self.ballots, thresholds.admitted_difference_pct
        )


def admitted_gap(group: Group) -> AdmittedGap | None:
    admitted = uncounted(group, D)
    ballots, _ = votes_cast(group)
    if admitted is None or ballots is None:
        return None
    return AdmittedGap(admitted, ballots)


@dataclass(frozen=True, slots=True)
class ListShare:
    """A list's share of the valid votes at a station and in the rest of the municipality
    (the total minus the station), in percent."""

    affiliation_id: str
    votes: int
    share: float
    rest_share: float

    @property
    def deviation(self) -> float:
        return self.share - self.rest_share


def _valid_votes(group: Group) -> int:
    stated = group.get("total_counted")
    if stated is not None:
        return int(stated)
    return sum(s.get("valid_votes") or 0 for s in group.get("selections") or ())


def list_shares(total: Group, unit: Group) -> list[ListShare]:
    """Every list of the station with its share there and in the rest (0 where a base is 0,
    as the Council's tool computes it). A list whose votes the station does not state is
    left out."""
    total_lists = {
        s["affiliation_id"]: s.get("valid_votes") or 0 for s in total.get("selections") or ()
    }
    unit_valid = _valid_votes(unit)
    rest_valid = _valid_votes(total) - unit_valid
    shares = []
    for selection in unit.get("selections") or ():
        votes = selection.get("valid_votes")
        if votes is None:
            continue
        aff = selection["affiliation_id"]
        rest = total_lists.get(aff, 0) - votes
        shares.append(
            ListShare(
                aff,
                votes,
                votes * 100 / unit_valid if unit_valid else 0.0,
                rest * 100 / rest_valid if rest_valid else 0.0,
            )
        )
    return shares


def deviating_lists(total: Group, unit: Group, thresholds: Thresholds) -> list[ListShare]:
    """The lists whose share deviates at least the threshold (percentage points)."""
    limit = thresholds.list_deviation_points
    return [s for s in list_shares(total, unit) if abs(s.deviation) >= limit]


# --- B: candidate swaps (the Council's method) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class CandidateVotes:
    candidate_id: str
    votes: int
    expected: int


@dataclass(frozen=True, slots=True)
class Swap:
    """A candidate with far more votes than expected paired with one of the same list with
    far fewer: perhaps their votes were recorded on each other's rows."""

    affiliation_id: str
    over: CandidateVotes
    under: CandidateVotes

    def key(self) -> tuple[str, str, str]:
        return (self.affiliation_id, self.over.candidate_id, self.under.candidate_id)


def _candidate_votes(group: Group) -> dict[str, tuple[int, dict[str, int]]]:
    found: dict[str, tuple[int, dict[str, int]]] = {}
    for selection in group.get("selections") or ():
        candidates = {
            c["candidate_id"]: c.get("valid_votes") or 0 for c in selection.get("candidates") or ()
        }
        found[selection["affiliation_id"]] = (selection.get("valid_votes") or 0, candidates)
    return found


def _list_swaps(
    aff: str,
    list_votes: int,
    candidates: Mapping[str, int],
    reference: tuple[int, Mapping[str, int]],
    thresholds: Thresholds,
) -> Iterator[Swap]:
    rest_list = reference[0] - list_votes
    over: list[CandidateVotes] = []
    under: list[CandidateVotes] = []
    factor, minimum = thresholds.swap_factor, thresholds.swap_min_votes
    for cid, received in candidates.items():
        rest = reference[1].get(cid, 0) - received
        ratio = rest / rest_list if rest > 0 and rest_list > 0 else 0.0
        expected = ratio * list_votes
        # The Council's tool compares in floating point; so does this, to flag the same.
        if received >= minimum and (expected == 0 or received / expected >= factor):
            over.append(CandidateVotes(cid, received, round(expected)))
        elif expected >= minimum and received / expected <= 1 / factor:
            under.append(CandidateVotes(cid, received, round(expected)))
    for high in over:
        for low in under:
            yield Swap(aff, high, low)


def candidate_swaps(
    reference: Group, unit: Group, reference_units: int, minimum_units: int, thresholds: Thresholds
) -> list[Swap] | None:
    """Possible swaps at ``unit`` against ``reference`` (the municipality, or the station's
    neighbourhood; both include the station, which is taken out). None when the reference
    has fewer than ``minimum_units`` stations: too few to say what is expected."""
    if reference_units < minimum_units:
        return None
    expected_from = _candidate_votes(reference)
    swaps: list[Swap] = []
    for aff, (list_votes, candidates) in _candidate_votes(unit).items():
        if aff in expected_from:
            swaps.extend(_list_swaps(aff, list_votes, candidates, expected_from[aff], thresholds))
    return swaps


def combine_swaps(municipality: list[Swap] | None, neighbourhood: list[Swap] | None) -> list[Swap]:
    """With a neighbourhood check, only the swaps it finds count (with the municipality's
    numbers where that check found the same pair); without one, the municipality's."""
    if neighbourhood is None:
        return municipality or []
    if municipality is None:
        return []
    by_key = {swap.key(): swap for swap in municipality}
    return [by_key.get(swap.key(), swap) for swap in neighbourhood]


def add_groups(groups: list[Group]) -> dict[str, Any]:
    """The list and candidate votes of several stations added up (a neighbourhood)."""
    lists: dict[str, int] = {}
    candidates: dict[str, dict[str, int]] = {}
    for group in groups:
        for selection in group.get("selections") or ():
            aff = selection["affiliation_id"]
            lists[aff] = lists.get(aff, 0) + (selection.get("valid_votes") or 0)
            bucket = candidates.setdefault(aff, {})
            for candidate in selection.get("candidates") or ():
                cid = candidate["candidate_id"]
                bucket[cid] = bucket.get(cid, 0) + (candidate.get("valid_votes") or 0)
    return {
        "selections": [
            {
                "affiliation_id": aff,
                "valid_votes": votes,
                "candidates": [
                    {"candidate_id": cid, "valid_votes": v} for cid, v in candidates[aff].items()
                ],
            }
            for aff, votes in lists.items()
        ]
    }


__all__ = [
    "DEFAULT_THRESHOLDS",
    "AdmittedGap",
    "CandidateVotes",
    "ListShare",
    "Share",
    "Swap",
    "Thresholds",
    "add_groups",
    "admitted_gap",
    "candidate_swaps",
    "combine_swaps",
    "deviating_lists",
    "explanations_short",
    "list_shares",
    "no_explanation",
    "recounted",
    "rejected_share",
    "zero_votes",
]
