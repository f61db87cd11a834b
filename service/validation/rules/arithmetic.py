"""Arithmetic rules per unit and per total (codes follow Abacus where the rule is the same).

Every rule runs over the total and every reporting unit. A number the file does not state
(absent or null) is not 0: a rule that needs it does not fire, and a finding never shows an
absent value as 0 (it says "absent", with ``actual`` null and no ``difference``). Exactly
these absent values are taken as 0, each for a stated reason:

* F.201: an absent C (geldige kiezerspassen). Only elections with kiezerspassen have the C
  line (local elections have none), and files of the others leave it out rather than state
  0; the message says "C not stated, taken as 0". A and B must be stated.
* F.305 at a polling station: an absent I or J is not a non-zero I or J (the rule only
  reports a stated non-zero value).

Everything else is stated or the rule is silent for that group:

* H is the stated H, else E + F + G when all three are stated (:func:`~.model.derived_h`);
  an absent F or G leaves H unknown, so F.203, F.301, F.305 and W.201-W.203 do not check it.
* F.202 is not checked while a list total is absent (the sum is unknown); an absent list
  total whose candidates hold votes is F.401's finding, a list total of 0 with votes is
  F.204's or F.401's.
* F.204 needs only that some stated list total is positive; its ``expected`` (the sum of the
  list totals) is null when a list total is absent.
* F.301 needs I or J stated; at a polling station the one the gap needs (I for H > D, J for
  H < D) is reported as absent when only the other is stated. At the total (a sum of
  stations, where I - J must equal H - D) both must be stated; A.101 compares the total's
  I and J with the units' sums anyway.
* W.204 (H empty or 0) reports H as absent only when nothing of E, F, G (or H) is stated
  with a positive value.
"""

from __future__ import annotations

from collections.abc import Iterator

from telnorm.service.protocol import checks as protocol_checks
from telnorm.service.validation.model import (
    BLANCO,
    ONGELDIG,
    A,
    B,
    C,
    Context,
    D,
    Finding,
    Group,
    I,
    J,
    Rule,
    Severity,
    derived_h,
    rejected_suffix,
    uncounted,
    uncounted_suffix,
    votes_cast,
)

__all__ = [
    "F201",
    "F202",
    "F203",
    "F204",
    "F301",
    "F305",
    "F401",
    "F402",
    "W201",
    "W202",
    "W203",
    "W204",
    "W205",
    "W206",
]


class _Arithmetic(Rule):
    family = "arithmetic"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for group in ctx.groups:
            yield from self.check_group(ctx, group)

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        raise NotImplementedError


def _selection_sum(group: Group) -> tuple[int, bool]:
    """The sum of the stated list totals, and whether every list total is stated."""
    listed, complete = 0, True
    for selection in group.data.get("selections") or ():
        value = selection.get("valid_votes")
        if value is None:
            complete = False
        else:
            listed += value
    return listed, complete


class F201(_Arithmetic):
    """A + B + C must equal D: valid stempassen, volmachtbewijzen and kiezerspassen add up
    to the admitted voters (toegelaten kiezers). Checked where A, B and D are stated; an
    absent C counts as 0 (only elections with kiezerspassen have a C line: local elections
    have none), and the message says so.

    Fails: a polling station states A = 1000, B = 20, C = 3 and D = 1024.

    Passes: A = 1000, B = 20, C = 3 and D = 1023.
    """

    code = "F.201"
    severity = Severity.ERROR
    title = "A + B + C is not D (admitted voters)"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        d = uncounted(group.data, D)
        a, b, c = (uncounted(group.data, code) for code in (A, B, C))
        if d is None or a is None or b is None:
            return
        expected = a + b + (c or 0)
        if expected != d:
            parts = "A + B + C" if c is not None else "A + B (C not stated, taken as 0)"
            yield self.finding(
                group,
                f"At {group.label}, {parts} = {expected} but D (toegelaten kiezers) = {d}.",
                uncounted_suffix(D),
                expected=expected,
                actual=d,
            )


class F202(_Arithmetic):
    """The list totals (E.1, E.2, ...) must add up to E (total_counted).

    Not reported when E is 0 or absent while the lists hold votes (F.204 covers that), nor
    while a list total is absent: the sum is then unknown, and an absent list total whose
    candidates hold votes is F.401's finding.

    Fails: E = 500 while the lists state 300 and 190 (sum 490).

    Passes: E = 490 with lists 300 and 190.
    """

    code = "F.202"
    severity = Severity.ERROR
    title = "The list totals do not add up to E (valid votes)"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        total = group.data.get("total_counted")
        if total is None or not group.data.get("selections"):
            return
        expected, complete = _selection_sum(group)
        if not complete or (total == 0 and expected > 0):
            return
        if expected != total:
            yield self.finding(
                group,
                f"At {group.label}, the list totals add up to {expected} but E "
                f"(total_counted) = {total}.",
                "/total_counted",
                expected=expected,
                actual=total,
            )


class F203(_Arithmetic):
    """A stated H (votes cast; spreadsheets and osv4-3 CSV carry it) must equal E + F + G.

    Fails: E = 490, F (blanco) = 5, G (ongeldig) = 3 and the file states H = 500.

    Passes: E = 490, F = 5, G = 3 and H = 498 (or no H stated: EML derives it).
    """

    code = "F.203"
    severity = Severity.ERROR
    title = "A stated H is not E + F + G"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        stated = group.data.get("votes_cast")
        if stated is None:
            return
        expected = derived_h(group.data)
        if expected is not None and expected != stated:
            yield self.finding(
                group,
                f"At {group.label}, E + F + G = {expected} but the file states H "
                f"(votes cast) = {stated}.",
                "/votes_cast",
                expected=expected,
                actual=stated,
            )


class F204(_Arithmetic):
    """Lists hold votes but E (total_counted) is empty or 0.

    Fails: the lists state 300 and 190 votes and E is absent.

    Passes: the lists state 300 and 190 and E = 490.
    """

    code = "F.204"
    severity = Severity.ERROR
    title = "List totals > 0 but E is empty or 0"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        total = group.data.get("total_counted")
        if total:
            return
        listed, complete = _selection_sum(group)
        if listed > 0:
            what = "the lists hold" if complete else "the stated list totals hold"
            yield self.finding(
                group,
                f"At {group.label}, {what} {listed} votes but E (total_counted) is "
                f"{'absent' if total is None else 0}.",
                "/total_counted",
                expected=listed if complete else None,
                actual=total,
            )


class F301(_Arithmetic):
    """When H differs from D, the difference must be explained by I (meer getelde) or J
    (minder getelde): H > D needs I = H - D, H < D needs J = D - H. Checked where I or J is
    stated; at a polling station the letter the gap needs is reported as absent when only
    the other is stated. A total sums many polling stations, so there both may be non-zero
    and I - J must equal H - D (checked where both are stated).

    Fails: a polling station with D = 1023, H = 1025 and I = 0.

    Passes: D = 1023, H = 1025 and I = 2.
    """

    code = "F.301"
    severity = Severity.ERROR
    title = "The difference between H and D is not I or J"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        d = uncounted(group.data, D)
        h, _ = votes_cast(group.data)
        more, fewer = uncounted(group.data, I), uncounted(group.data, J)
        if d is None or h is None or h == d or (more is None and fewer is None):
            return
        if group.index < 0:
            if more is None or fewer is None:
                return  # the net I - J is unknown; A.101 checks I and J against the units
            net = more - fewer
            if net != h - d:
                yield self.finding(
                    group,
                    f"At {group.label}, H - D = {h - d} but I - J = {net}.",
                    uncounted_suffix(I if h > d else J),
                    expected=h - d,
                    actual=net,
                )
            return
        if h > d and more != h - d:
            yield self.finding(
                group,
                f"At {group.label}, H = {h} exceeds D = {d} by {h - d} but I (meer getelde "
                f"stembiljetten) {_is(more)}.",
                uncounted_suffix(I),
                expected=h - d,
                actual=more,
            )
        elif h < d and fewer != d - h:
            yield self.finding(
                group,
                f"At {group.label}, H = {h} is {d - h} below D = {d} but J (minder getelde "
                f"stembiljetten) {_is(fewer)}.",
                uncounted_suffix(J),
                expected=d - h,
                actual=fewer,
            )


def _is(value: int | None) -> str:
    return "is absent" if value is None else f"= {value}"


class F305(_Arithmetic):
    """When H equals D, I and J must be 0 (at the total, a sum of stations: I must equal J,
    checked where both are stated). An absent I or J is not reported: only a stated
    non-zero one.

    Fails: a polling station with D = H = 1023 and J = 1.

    Passes: D = H = 1023 and I = J = 0.
    """

    code = "F.305"
    severity = Severity.ERROR
    title = "D = H but I or J is not 0"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        d = uncounted(group.data, D)
        h, _ = votes_cast(group.data)
        if d is None or h is None or h != d:
            return
        more, fewer = uncounted(group.data, I), uncounted(group.data, J)
        if group.index < 0:
            if more is not None and fewer is not None and more != fewer:
                yield self.finding(
                    group,
                    f"At {group.label}, H = D = {d} but I = {more} and J = {fewer} differ.",
                    uncounted_suffix(I),
                    expected=fewer,
                    actual=more,
                )
            return
        # An absent I or J is not a non-zero one: only a stated value is reported.
        if more or fewer:
            code, value = (I, more) if more else (J, fewer)
            yield self.finding(
                group,
                f"At {group.label}, H = D = {d} but {code} = {value} (should be 0).",
                uncounted_suffix(code),
                expected=0,
                actual=value,
            )


class F401(_Arithmetic):
    """Candidates of a list hold votes but the list total is empty or 0.

    Fails: list 3 has candidate votes 12 and 4 and a list total of 0.

    Passes: list 3 has candidate votes 12 and 4 and a list total of 16.
    """

    code = "F.401"
    severity = Severity.ERROR
    title = "Candidate votes > 0 but the list total is empty or 0"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        for s_index, selection in enumerate(group.data.get("selections") or ()):
            if selection.get("valid_votes"):
                continue
            candidates = sum(c["valid_votes"] for c in selection.get("candidates") or ())
            if candidates > 0:
                aff = selection.get("affiliation_id")
                yield self.finding(
                    group,
                    f"At {group.label}, the candidates of list {aff} hold {candidates} votes "
                    f"but the list total is "
                    f"{'absent' if selection.get('valid_votes') is None else 0}.",
                    f"/selections/{s_index}/valid_votes",
                    affiliation=aff,
                    expected=candidates,
                    actual=selection.get("valid_votes"),
                    order=(s_index, -1),
                )


class F402(_Arithmetic):
    """A list total must equal the sum of its candidates' votes. Lists for which the file
    states no candidate votes at all are not checked; F.401 covers a zero list total.

    Fails: list 1 states 300 while its candidates hold 200 + 90 = 290.

    Passes: list 1 states 290 with candidates 200 and 90.
    """

    code = "F.402"
    severity = Severity.ERROR
    title = "A list total is not the sum of its candidates' votes"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        for s_index, selection in enumerate(group.data.get("selections") or ()):
            stated = selection.get("valid_votes")
            candidates = selection.get("candidates")
            if not stated or not candidates:
                continue
            expected = 0
            for candidate in candidates:
                expected += candidate["valid_votes"]
            if expected != stated:
                aff = selection.get("affiliation_id")
                yield self.finding(
                    group,
                    f"At {group.label}, list {aff} states {stated} votes but its candidates "
                    f"hold {expected}.",
                    f"/selections/{s_index}/valid_votes",
                    affiliation=aff,
                    expected=expected,
                    actual=stated,
                    order=(s_index, -1),
                )


def _share_warning(rule: Rule, group: Group, code: str, letter: str) -> Iterator[Finding]:
    share = protocol_checks.rejected_share(group.data, code)
    thresholds = protocol_checks.DEFAULT_THRESHOLDS
    limit = thresholds.blank_pct if code == BLANCO else thresholds.invalid_pct
    if share is not None and share.crosses(limit):
        yield rule.finding(
            group,
            f"At {group.label}, {letter} ({code}) = {share.value} is {share.percent:.1f}% of "
            f"H = {share.ballots} ({limit:g}% or more).",
            rejected_suffix(code),
            actual=share.value,
        )


class W201(_Arithmetic):
    """Many blank votes: F (blanco) is 3% of H or more.

    Fails: F = 30 with H = 1000.

    Passes: F = 29 with H = 1000.
    """

    code = "W.201"
    severity = Severity.WARNING
    title = "Blank votes (F) are 3% of H or more"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        yield from _share_warning(self, group, BLANCO, "F")


class W202(_Arithmetic):
    """Many invalid votes: G (ongeldig) is 3% of H or more.

    Fails: G = 31 with H = 1000.

    Passes: G = 2 with H = 1000.
    """

    code = "W.202"
    severity = Severity.WARNING
    title = "Invalid votes (G) are 3% of H or more"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        yield from _share_warning(self, group, ONGELDIG, "G")


class W203(_Arithmetic):
    """A large gap between admitted voters and votes cast: abs(D - H) is 2% of H or more,
    or 15 or more.

    Fails: D = 1000 and H = 980 (a gap of 20).

    Passes: D = 1000 and H = 998.
    """

    code = "W.203"
    severity = Severity.WARNING
    title = "abs(D - H) is 2% of H or more, or 15 or more"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        gap = protocol_checks.admitted_gap(group.data)
        if gap is not None and gap.crosses(protocol_checks.DEFAULT_THRESHOLDS):
            yield self.finding(
                group,
                f"At {group.label}, D = {gap.admitted} and H = {gap.ballots} differ by {gap.gap}.",
                uncounted_suffix(D),
                expected=gap.ballots,
                actual=gap.admitted,
            )


class W204(_Arithmetic):
    """No votes cast: H (stated, or E + F + G) is empty or 0. When H is not stated and one
    of E, F, G is absent, H is unknown: warned only when none of the stated ones is positive.

    Fails: a unit with E = 0, F = 0, G = 0.

    Passes: a unit with E = 490, F = 5, G = 3.
    """

    code = "W.204"
    severity = Severity.WARNING
    title = "H (votes cast) is empty or 0"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        if protocol_checks.zero_votes(group.data):
            h, stated = votes_cast(group.data)
            yield self.finding(
                group,
                f"At {group.label}, H (votes cast) is {'absent' if h is None else 0}.",
                "/votes_cast" if stated else "/total_counted",
                actual=h,
            )


class W205(Rule):
    """The total states no eligible voters: Z (cast) is empty or 0. Checked at the total
    only, since per-station Z is often 0 by design.

    Fails: the total has cast = 0.

    Passes: the total has cast = 16290 (the stations may have 0).
    """

    code = "W.205"
    severity = Severity.WARNING
    title = "Z (eligible voters) of the total is empty or 0"
    family = "arithmetic"

    def check(self, ctx: Context) -> Iterator[Finding]:
        cast = ctx.total.data.get("cast")
        if not cast:
            yield self.finding(
                ctx.total,
                f"The total states {'no' if cast is None else '0'} eligible voters (Z, cast).",
                "/cast",
                actual=cast,
            )


class W206(_Arithmetic):
    """Fewer eligible voters than valid stempassen: Z (cast) < A. Checked where Z is stated
    and not 0 (a 0 per station means "not given", see W.205).

    Fails: Z = 900 and A = 1000.

    Passes: Z = 1500 and A = 1000.
    """

    code = "W.206"
    severity = Severity.WARNING
    title = "Z (eligible voters) is less than A"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        cast = group.data.get("cast")
        a = uncounted(group.data, A)
        if cast and a is not None and cast < a:
            yield self.finding(
                group,
                f"At {group.label}, Z (cast) = {cast} is less than A (geldige stempassen) = {a}.",
                "/cast",
                expected=a,
                actual=cast,
            )
