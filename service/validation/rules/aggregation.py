"""Aggregation: the authority's total against the sum of its reporting units."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from telnorm.service.validation.model import (
    Context,
    Finding,
    Rule,
    Severity,
    natural_key,
    rejected_suffix,
    uncounted_suffix,
)


def _add(sums: dict[str, int], values: Mapping[str, Any] | None) -> None:
    if values:
        for key, value in values.items():
            if value is not None:
                sums[key] = sums.get(key, 0) + value


class A101(Rule):
    """The total must equal the sum over the reporting units, for every statistic
    (E, F, G, A-D, I, J and the other explanation codes, a stated H), every list total and
    every candidate. Z (cast) is excluded (A.102). Only checked when the document has units.
    An absent value is never taken as 0: a value the total lacks is reported as absent (no
    difference), and a list or candidate the total has but no unit states is reported as
    not stated by the units (no expected value, no difference) when the total gives it
    votes. A statistic no unit states is not checked, nor a list total no unit states for a
    list whose candidates the units do state (its candidates are compared instead). Units
    that state no candidate votes at all give list totals only (the municipal rows of the
    databank's import file, a sheet of station list totals under a total per candidate): the
    total's candidate votes are then not compared with them (the arithmetic rules still
    check that they add up to its list totals), rather than reported missing in every unit.

    Fails: three stations hold 100, 120 and 80 votes for list 2 and the total states 310.

    Passes: the total states 300 for list 2.
    """

    code = "A.101"
    severity = Severity.ERROR
    title = "The total is not the sum of the reporting units"
    family = "aggregation"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if not ctx.units:
            return
        scalars: dict[str, int] = {}
        stated: set[str] = set()
        rejected_sums: dict[str, int] = {}
        uncounted_sums: dict[str, int] = {}
        # list id -> [list total sum, {candidate id: sum}, whether any unit states the total]
        lists: dict[str, list[Any]] = {}
        for group in ctx.units:
            data = group.data
            for key in ("total_counted", "votes_cast"):
                value = data.get(key)
                if value is not None:
                    scalars[key] = scalars.get(key, 0) + value
                    stated.add(key)
            _add(rejected_sums, data.get("rejected_votes"))
            _add(uncounted_sums, data.get("uncounted_votes"))
            for selection in data.get("selections") or ():
                entry = lists.get(selection["affiliation_id"])
                if entry is None:
                    entry = lists[selection["affiliation_id"]] = [0, {}, False]
                value = selection.get("valid_votes")
                if value is not None:
                    entry[0] += value
                    entry[2] = True
                candidate_sums: dict[str, int] = entry[1]
                for candidate in selection.get("candidates") or ():
                    cid = candidate["candidate_id"]
                    candidate_sums[cid] = candidate_sums.get(cid, 0) + candidate["valid_votes"]

        total = ctx.total
        data = total.data
        units_state_candidates = any(entry[1] for entry in lists.values())
        for key, letter in (("total_counted", "E"), ("votes_cast", "H")):
            if key in stated:
                yield from self._compare(
                    ctx, f"/{key}", f"{letter} ({key})", data.get(key), scalars[key], order=(-1, -1)
                )
        for code, value in sorted(rejected_sums.items()):
            actual = (data.get("rejected_votes") or {}).get(code)
            yield from self._compare(
                ctx, rejected_suffix(code), code, actual, value, order=(-1, -1)
            )
        for code, value in sorted(uncounted_sums.items()):
            actual = (data.get("uncounted_votes") or {}).get(code)
            yield from self._compare(
                ctx, uncounted_suffix(code), code, actual, value, order=(-1, -1)
            )

        seen: set[str] = set()
        for s_index, selection in enumerate(data.get("selections") or ()):
            aff = selection["affiliation_id"]
            seen.add(aff)
            entry = lists.get(aff)
            where = f"/selections/{s_index}/valid_votes"
            if entry is None:
                # No unit has this list: the total's votes for it come from nowhere.
                yield from self._compare(
                    ctx,
                    where,
                    f"list {aff}",
                    selection.get("valid_votes"),
                    None,
                    order=(s_index, -1),
                    affiliation=aff,
                )
                continue
            if entry[2]:
                yield from self._compare(
                    ctx,
                    where,
                    f"list {aff}",
                    selection.get("valid_votes"),
                    entry[0],
                    order=(s_index, -1),
                    affiliation=aff,
                )
            candidate_sums = entry[1]
            own: set[str] = set()
            candidates = selection.get("candidates") if units_state_candidates else None
            for c_index, candidate in enumerate(candidates or ()):
                cid = candidate["candidate_id"]
                own.add(cid)
                yield from self._compare(
                    ctx,
                    f"/selections/{s_index}/candidates/{c_index}/valid_votes",
                    f"candidate {cid} of list {aff}",
                    candidate["valid_votes"],
                    candidate_sums.get(cid),
                    order=(s_index, c_index),
                    affiliation=aff,
                    candidate=cid,
                )
            for cid in sorted(set(candidate_sums) - own, key=natural_key):
                yield from self._compare(
                    ctx,
                    f"/selections/{s_index}/candidates",
                    f"candidate {cid} of list {aff}",
                    None,
                    candidate_sums[cid],
                    order=(s_index, 10**9),
                    affiliation=aff,
                    candidate=cid,
                )
        for aff in sorted(set(lists) - seen, key=natural_key):
            yield from self._compare(
                ctx,
                "/selections",
                f"list {aff}",
                None,
                lists[aff][0],
                order=(10**9, -1),
                affiliation=aff,
            )

    def _compare(
        self,
        ctx: Context,
        suffix: str,
        what: str,
        actual: int | None,
        expected: int | None,
        *,
        order: tuple[int, int],
        affiliation: str | None = None,
        candidate: str | None = None,
    ) -> Iterator[Finding]:
        """``actual``: the total's value; ``expected``: the units' sum, None if no unit
        states it. Absent on one side and 0 on the other agree (nothing to add up)."""
        if actual == expected or (actual or 0) == (expected or 0) == 0:
            return
        if expected is None:
            message = f"The total states {what} = {actual} but no reporting unit states {what}."
        elif actual is None:
            message = f"The total does not state {what}; the reporting units add up to {expected}."
        else:
            message = (
                f"The total states {what} = {actual} but the reporting units add up to {expected}."
            )
        yield self.finding(
            ctx.total,
            message,
            suffix,
            affiliation=affiliation,
            candidate=candidate,
            expected=expected,
            actual=actual,
            order=order,
        )


class A102(Rule):
    """Informational: the total's Z (cast, eligible voters) differs from the sum of the
    units' Z. Expected for TK and EP, where stations state 0 or voters may vote anywhere.

    Fails: stations state cast 0, 0, 0 and the total states 16290.

    Passes: stations state 1000, 1200, 800 and the total states 3000.
    """

    code = "A.102"
    severity = Severity.INFO
    title = "The total's Z (cast) is not the sum of the units' Z"
    family = "aggregation"

    def check(self, ctx: Context) -> Iterator[Finding]:
        if not ctx.units:
            return
        values = [g.data.get("cast") for g in ctx.units]
        if all(value is None for value in values):
            return
        expected = sum(value or 0 for value in values)
        actual = ctx.total.data.get("cast")
        if actual != expected:
            yield self.finding(
                ctx.total,
                f"The total states Z (cast) = {actual} while the units add up to {expected} "
                "(normal for TK and EP).",
                "/cast",
                expected=expected,
                actual=actual,
            )


__all__ = ["A101", "A102"]
