"""Arithmetic rules per unit and per total (codes follow Abacus where the rule is the same).

Every rule runs over the total and every reporting unit. A number the file does not state
(absent or null) is never taken as 0 for the value being checked: a rule that needs it
does not fire.
"""

from __future__ import annotations

from collections.abc import Iterator

from service.validation.model import (
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
    rejected,
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


def _selection_sum(group: Group) -> int:
    return sum(s.get("valid_votes") or 0 for s in group.data.get("selections") or ())


class F201(_Arithmetic):
    """A + B + C must equal D: valid stempassen, volmachtbewijzen and kiezerspassen add up
    to the admitted voters (toegelaten kiezers). Checked where D and at least one of A, B, C
    are stated; an absent C (local elections have none) counts as 0.

    Fails: a polling station states A = 1000, B = 20, C = 3 and D = 1024.

    Passes: A = 1000, B = 20, C = 3 and D = 1023.
    """

    code = "F.201"
    severity = Severity.ERROR
    title = "A + B + C is not D (admitted voters)"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        d = uncounted(group.data, D)
        parts = [uncounted(group.data, code) for code in (A, B, C)]
        if d is None or all(part is None for part in parts):
            return
        expected = sum(part or 0 for part in parts)
        if expected != d:
            yield self.finding(
                group,
                f"At {group.label}, A + B + C = {expected} but D (toegelaten kiezers) = {d}.",
                uncounted_suffix(D),
                expected=expected,
                actual=d,
            )


class F202(_Arithmetic):
    """The list totals (E.1, E.2, ...) must add up to E (total_counted).

    Not reported when E is 0 or absent while the lists hold votes: F.204 covers that.

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
        expected = _selection_sum(group)
        if total == 0 and expected > 0:
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
        listed = _selection_sum(group)
        if listed > 0:
            yield self.finding(
                group,
                f"At {group.label}, the lists hold {listed} votes but E (total_counted) is "
                f"{'absent' if total is None else 0}.",
                "/total_counted",
                expected=listed,
                actual=total,
            )


class F301(_Arithmetic):
    """When H differs from D, the difference must be explained by I (meer getelde) or J
    (minder getelde): H > D needs I = H - D, H < D needs J = D - H. Checked where I or J is
    stated. A total sums many polling stations, so there both may be non-zero and
    I - J must equal H - D.

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
            net = (more or 0) - (fewer or 0)
            if net != h - d:
                yield self.finding(
                    group,
                    f"At {group.label}, H - D = {h - d} but I - J = {net}.",
                    uncounted_suffix(I if h > d else J),
                    expected=h - d,
                    actual=net,
                )
            return
        if h > d and (more or 0) != h - d:
            yield self.finding(
                group,
                f"At {group.label}, H = {h} exceeds D = {d} by {h - d} but I (meer getelde "
                f"stembiljetten) = {more or 0}.",
                uncounted_suffix(I),
                expected=h - d,
                actual=more or 0,
            )
        elif h < d and (fewer or 0) != d - h:
            yield self.finding(
                group,
                f"At {group.label}, H = {h} is {d - h} below D = {d} but J (minder getelde "
                f"stembiljetten) = {fewer or 0}.",
                uncounted_suffix(J),
                expected=d - h,
                actual=fewer or 0,
            )


class F305(_Arithmetic):
    """When H equals D, I and J must be 0 (at the total, a sum of stations: I must equal J).

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
        more, fewer = uncounted(group.data, I) or 0, uncounted(group.data, J) or 0
        if group.index < 0:
            if more != fewer:
                yield self.finding(
                    group,
                    f"At {group.label}, H = D = {d} but I = {more} and J = {fewer} differ.",
                    uncounted_suffix(I),
                    expected=fewer,
                    actual=more,
                )
            return
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
                    f"but the list total is {selection.get('valid_votes')}.",
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
    value = rejected(group.data, code)
    h, _ = votes_cast(group.data)
    if value is None or not h:
        return
    # Integer arithmetic: value >= 3% of H without float rounding at the boundary.
    if value * 100 >= 3 * h:
        yield rule.finding(
            group,
            f"At {group.label}, {letter} ({code}) = {value} is {value * 100 / h:.1f}% of "
            f"H = {h} (3% or more).",
            rejected_suffix(code),
            actual=value,
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
        d = uncounted(group.data, D)
        h, _ = votes_cast(group.data)
        if d is None or h is None:
            return
        gap = abs(d - h)
        if gap and (gap * 100 >= 2 * h or gap >= 15):
            yield self.finding(
                group,
                f"At {group.label}, D = {d} and H = {h} differ by {gap}.",
                uncounted_suffix(D),
                expected=h,
                actual=d,
            )


class W204(_Arithmetic):
    """No votes cast: H (stated, or E + F + G) is empty or 0.

    Fails: a unit with E = 0, F = 0, G = 0.

    Passes: a unit with E = 490, F = 5, G = 3.
    """

    code = "W.204"
    severity = Severity.WARNING
    title = "H (votes cast) is empty or 0"

    def check_group(self, ctx: Context, group: Group) -> Iterator[Finding]:
        h, stated = votes_cast(group.data)
        if not h:
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
