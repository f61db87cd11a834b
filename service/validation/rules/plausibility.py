"""Plausibility checks from the Kiesraad control protocol (opt-in: ``plausibility=true``).

These are warnings meant to direct a second look, not proof of an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from telnorm.service.protocol import checks as protocol_checks
from telnorm.service.validation.model import (
    GEEN_VERKLARING,
    Context,
    D,
    Finding,
    Rule,
    Severity,
    uncounted_suffix,
)

#: P.102 looks only at lists with at least this many votes at the unit: below it, a
#: "swap" is noise.
SWAP_MIN_VOTES = 20


def _list_totals(group: Mapping[str, Any]) -> dict[str, int]:
    return {s["affiliation_id"]: s.get("valid_votes") or 0 for s in group.get("selections") or ()}


class P101(Rule):
    """A list's share of the valid votes at one unit deviates 50 percentage points or more
    from its share in the rest of the municipality (the total minus that unit).

    Fails: list 1 has 80% of the votes at SB3 and 20% in the rest of the municipality.

    Passes: list 1 has 35% at SB3 and 30% in the rest.
    """

    code = "P.101"
    severity = Severity.WARNING
    title = "A list's share at a unit deviates 50 points or more from the rest"
    family = "plausibility"
    needs = "plausibility"

    def check(self, ctx: Context) -> Iterator[Finding]:
        thresholds = protocol_checks.DEFAULT_THRESHOLDS
        for group in ctx.units:
            deviating = protocol_checks.deviating_lists(ctx.total.data, group.data, thresholds)
            if not deviating:
                continue
            index = {
                s["affiliation_id"]: i for i, s in enumerate(group.data.get("selections") or ())
            }
            for share in deviating:
                s_index = index[share.affiliation_id]
                yield self.finding(
                    group,
                    f"At {group.label}, list {share.affiliation_id} has {share.share:.0f}% of the "
                    f"valid votes; in the rest of the municipality {share.rest_share:.0f}%.",
                    f"/selections/{s_index}/valid_votes",
                    affiliation=share.affiliation_id,
                    actual=share.votes,
                    order=(s_index, -1),
                )


class P102(Rule):
    """Two candidates of one list look swapped at a unit: exchanging their votes fits the
    municipality's pattern far better (the two deviations, each at least 10 votes and
    together at least 30% of the list's votes at the unit, shrink to a quarter or less).
    The municipality's pattern is the total minus the unit; lists with fewer than 20 votes at
    the unit are skipped.

    Fails: in the municipality candidate 1 has 70% of list 2 and candidate 2 has 10%; at SB4
    (list 2: 200 votes) candidate 1 has 20 votes and candidate 2 has 140.

    Passes: at SB4 candidate 1 has 140 votes and candidate 2 has 20.
    """

    code = "P.102"
    severity = Severity.WARNING
    title = "Two candidates of a list look swapped at a unit"
    family = "plausibility"
    needs = "plausibility"

    def check(self, ctx: Context) -> Iterator[Finding]:
        pattern: dict[str, dict[str, int]] = {}
        for selection in ctx.total.data.get("selections") or ():
            pattern[selection["affiliation_id"]] = {
                c["candidate_id"]: c["valid_votes"] for c in selection.get("candidates") or ()
            }
        for group in ctx.units:
            for s_index, selection in enumerate(group.data.get("selections") or ()):
                candidates = selection.get("candidates") or ()
                unit_total = sum(c["valid_votes"] for c in candidates)
                totals = pattern.get(selection["affiliation_id"])
                if unit_total < SWAP_MIN_VOTES or not totals or len(candidates) < 2:
                    continue
                rest_total = sum(totals.values()) - unit_total
                if rest_total <= 0:
                    continue
                # The candidates most above and most below their expected votes.
                over: tuple[float, int] = (0.0, -1)
                under: tuple[float, int] = (0.0, -1)
                expected: list[float] = []
                for c_index, candidate in enumerate(candidates):
                    rest = totals.get(candidate["candidate_id"], 0) - candidate["valid_votes"]
                    exp = unit_total * max(rest, 0) / rest_total
                    expected.append(exp)
                    deviation = candidate["valid_votes"] - exp
                    if deviation > over[0]:
                        over = (deviation, c_index)
                    elif deviation < under[0]:
                        under = (deviation, c_index)
                p, n = over[1], under[1]
                if p < 0 or n < 0:
                    continue
                vp, vn = candidates[p]["valid_votes"], candidates[n]["valid_votes"]
                error = abs(vp - expected[p]) + abs(vn - expected[n])
                swapped = abs(vn - expected[p]) + abs(vp - expected[n])
                if (
                    min(over[0], -under[0]) >= 10
                    and error >= 0.3 * unit_total
                    and swapped <= 0.25 * error
                ):
                    aff = selection["affiliation_id"]
                    first, second = candidates[p]["candidate_id"], candidates[n]["candidate_id"]
                    yield self.finding(
                        group,
                        f"At {group.label}, candidates {first} ({vp} votes) and {second} "
                        f"({vn} votes) of list {aff} look swapped: the municipality's pattern "
                        f"expects about {expected[p]:.0f} and {expected[n]:.0f}.",
                        f"/selections/{s_index}/candidates/{p}/valid_votes",
                        affiliation=aff,
                        candidate=first,
                        expected=round(expected[p]),
                        actual=vp,
                        order=(s_index, p),
                    )


class P103(Rule):
    """``geen verklaring`` (no explanation given for a difference between H and D) is
    greater than 0.

    Fails: a station states geen verklaring = 2.

    Passes: geen verklaring = 0 or absent.
    """

    code = "P.103"
    severity = Severity.WARNING
    title = "'geen verklaring' is greater than 0"
    family = "plausibility"
    needs = "plausibility"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for group in ctx.groups:
            value = protocol_checks.no_explanation(group.data)
            if value:
                yield self.finding(
                    group,
                    f"At {group.label}, {value} difference(s) between H and D are without "
                    "explanation (geen verklaring).",
                    uncounted_suffix(GEEN_VERKLARING),
                    expected=0,
                    actual=value,
                )


class P104(Rule):
    """The explanations do not add up: the gap between ballots (H) and admitted voters (D)
    is larger than the explanations the proces-verbaal gives for it (for more ballots: too
    many handed out, other explanation, no explanation; for fewer: taken home, too few
    handed out, lost, other explanation, no explanation). Part A of the control protocol.

    Fails: H = 1005 and D = 1000, explained by 'te veel uitgereikte stembiljetten' = 2 only.

    Passes: H = 1005 and D = 1000, with 'te veel uitgereikte stembiljetten' = 5.
    """

    code = "P.104"
    severity = Severity.WARNING
    title = "The explanations do not add up to the gap between H and D"
    family = "plausibility"
    needs = "plausibility"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for group in ctx.units:
            short = protocol_checks.explanations_short(group.data)
            if short:
                yield self.finding(
                    group,
                    f"At {group.label}, the explanations given leave {short} of the gap between "
                    "ballots (H) and admitted voters (D) unexplained.",
                    uncounted_suffix(D),
                    actual=short,
                )


class P105(Rule):
    """Two candidates of one list may be swapped, by the Electoral Council's method: one
    candidate has at least 5 times the votes expected and at least 15, another of the same
    list at most a fifth of the votes expected, expected being at least 15. Expected votes
    come from the rest of the municipality (the total minus the unit), scaled to the list's
    votes at the unit; the check needs at least 2 units. ``telnorm protocol`` adds the
    neighbourhood check. P.102 is a second signal with another method (see the docs).

    Fails: candidate 1 of list 1 has 60% of the list in the rest of the municipality but 2
    of 200 votes at SB1, while candidate 2 (10% elsewhere) has 150 there.

    Passes: at SB1 candidate 1 has 120 of 200 votes and candidate 2 has 20.
    """

    code = "P.105"
    severity = Severity.WARNING
    title = "Two candidates of a list may be swapped (the Council's method)"
    family = "plausibility"
    needs = "plausibility"

    def check(self, ctx: Context) -> Iterator[Finding]:
        thresholds = protocol_checks.DEFAULT_THRESHOLDS
        units = list(ctx.units)
        for group in units:
            swaps = protocol_checks.candidate_swaps(
                ctx.total.data,
                group.data,
                len(units),
                thresholds.swap_min_units_municipality,
                thresholds,
            )
            for swap in swaps or ():
                s_index, c_index = _candidate_index(group.data, swap)
                over, under = swap.over, swap.under
                yield self.finding(
                    group,
                    f"At {group.label}, candidates {over.candidate_id} ({over.votes} votes, "
                    f"about {over.expected} expected) and {under.candidate_id} ({under.votes} "
                    f"votes, about {under.expected} expected) of list {swap.affiliation_id} may "
                    "be swapped.",
                    f"/selections/{s_index}/candidates/{c_index}/valid_votes",
                    affiliation=swap.affiliation_id,
                    candidate=over.candidate_id,
                    expected=over.expected,
                    actual=over.votes,
                    order=(s_index, c_index),
                )


def _candidate_index(group: Mapping[str, Any], swap: protocol_checks.Swap) -> tuple[int, int]:
    for s_index, selection in enumerate(group.get("selections") or ()):
        if selection["affiliation_id"] == swap.affiliation_id:
            for c_index, candidate in enumerate(selection.get("candidates") or ()):
                if candidate["candidate_id"] == swap.over.candidate_id:
                    return s_index, c_index
    return -1, -1  # pragma: no cover - a swap names a candidate of the unit


__all__ = ["P101", "P102", "P103", "P104", "P105"]
