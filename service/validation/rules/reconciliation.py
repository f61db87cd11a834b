"""Reconciliation against a reference count (the Boxmeer check).

The reference (a district 510c, a central 510d, a canonical document or a small JSON of
municipal totals, see :mod:`telnorm.service.validation.reference`) is matched to this municipality
before the rules run; the rules compare this document's total with the matched group.
Differences are ``this file - reference`` (``actual - expected``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from telnorm.service.validation.model import (
    BLANCO,
    ONGELDIG,
    A,
    B,
    C,
    Context,
    D,
    Finding,
    Reference,
    Rule,
    Severity,
    natural_key,
    rejected_suffix,
    uncounted_suffix,
)


def _reference(ctx: Context) -> Reference:
    assert ctx.reference is not None
    return ctx.reference


def _lists(group: Mapping[str, Any]) -> dict[str, tuple[int, Mapping[str, Any]]]:
    return {
        s["affiliation_id"]: (index, s) for index, s in enumerate(group.get("selections") or ())
    }


class R101(Rule):
    """The reference has no unit for this municipality (neither by CBS code nor by name).
    The other R rules then cannot run.

    Fails: a 510c of kieskring 6 is supplied for municipality 0518 ('s-Gravenhage).

    Passes: the 510c has a unit ``HSB6::0668`` for municipality 0668.
    """

    code = "R.101"
    severity = Severity.ERROR
    title = "The reference has no unit for this municipality"
    family = "reconciliation"
    needs = "reference"

    def check(self, ctx: Context) -> Iterator[Finding]:
        reference = _reference(ctx)
        if reference.group is None:
            authority = ctx.document.get("managing_authority") or {}
            yield self.finding(
                ctx.total,
                f"The reference ({reference.description}) has no unit for municipality "
                f"{authority.get('id')} ({authority.get('name')}).",
                "",
            )


class R102(Rule):
    """Informational: the municipality was found in the reference by its name, not by its
    CBS code, so the match deserves a look. (A project code, not in Abacus.)

    Fails: the document's authority is ``0668 West Maas en Waal``; the reference has no
    unit ending in 0668 but one named ``Gemeente West Maas en Waal``.

    Passes: the reference has a unit ``HSB6::0668``.
    """

    code = "R.102"
    severity = Severity.INFO
    title = "The municipality was matched in the reference by name"
    family = "reconciliation"
    needs = "reference"

    def check(self, ctx: Context) -> Iterator[Finding]:
        reference = _reference(ctx)
        if reference.group is not None and reference.matched_by == "name":
            yield self.finding(
                ctx.total,
                f"No unit of the reference carries this municipality's CBS code; unit "
                f"{reference.unit_id} was matched by name.",
                "",
            )


class R201(Rule):
    """Per list: this file's total differs from the reference's. A list the reference does
    not have counts as 0 there (the Boxmeer case: the district office keyed only some lists).

    Fails: the file's total has 812 votes for list 5; the reference has no list 5
    (difference 812).

    Passes: the reference states the same total for every list.
    """

    code = "R.201"
    severity = Severity.ERROR
    title = "A list total differs from the reference"
    family = "reconciliation"
    needs = "reference"

    def check(self, ctx: Context) -> Iterator[Finding]:
        reference = _reference(ctx)
        if reference.group is None:
            return
        ours, theirs = _lists(ctx.total.data), _lists(reference.group)
        for aff in sorted(set(ours) | set(theirs), key=natural_key):
            index, selection = ours.get(aff, (None, None))
            actual = selection.get("valid_votes") if selection is not None else None
            other = theirs.get(aff)
            expected = other[1].get("valid_votes") if other is not None else None
            if (actual or 0) == (expected or 0):
                continue
            where = f"/selections/{index}/valid_votes" if index is not None else "/selections"
            yield self.finding(
                ctx.total,
                f"List {aff}: this file has {actual or 0} votes, the reference "
                f"{'has no such list' if other is None else f'has {expected or 0}'} "
                f"(difference {(actual or 0) - (expected or 0):+d}).",
                where,
                affiliation=aff,
                expected=expected or 0,
                actual=actual or 0,
                order=(index if index is not None else 10**9, -1),
            )


class R202(Rule):
    """Per candidate: this file's total differs from the reference's. Only for lists of
    which the reference states candidate votes (a reference with list totals only, or
    without the list, is covered by R.201).

    Fails: candidate 1 of list 2 has 3051 votes here and 3015 in the reference.

    Passes: every candidate's votes agree.
    """

    code = "R.202"
    severity = Severity.ERROR
    title = "A candidate's votes differ from the reference"
    family = "reconciliation"
    needs = "reference"

    def check(self, ctx: Context) -> Iterator[Finding]:
        reference = _reference(ctx)
        if reference.group is None:
            return
        theirs = _lists(reference.group)
        for s_index, selection in enumerate(ctx.total.data.get("selections") or ()):
            aff = selection["affiliation_id"]
            other = theirs.get(aff)
            if other is None or not other[1].get("candidates"):
                continue
            their_votes = {c["candidate_id"]: c["valid_votes"] for c in other[1]["candidates"]}
            own: set[str] = set()
            for c_index, candidate in enumerate(selection.get("candidates") or ()):
                cid = candidate["candidate_id"]
                own.add(cid)
                expected = their_votes.get(cid, 0)
                if candidate["valid_votes"] != expected:
                    yield self._diff(
                        ctx,
                        aff,
                        cid,
                        candidate["valid_votes"],
                        expected,
                        suffix=f"/selections/{s_index}/candidates/{c_index}/valid_votes",
                        order=(s_index, c_index),
                    )
            for cid in sorted(set(their_votes) - own, key=natural_key):
                if their_votes[cid]:
                    yield self._diff(
                        ctx,
                        aff,
                        cid,
                        0,
                        their_votes[cid],
                        suffix=f"/selections/{s_index}/candidates",
                        order=(s_index, 10**9),
                    )

    def _diff(
        self,
        ctx: Context,
        aff: str,
        cid: str,
        actual: int,
        expected: int,
        *,
        suffix: str,
        order: tuple[int, int],
    ) -> Finding:
        return self.finding(
            ctx.total,
            f"Candidate {cid} of list {aff}: this file has {actual} votes, the reference "
            f"{expected} (difference {actual - expected:+d}).",
            suffix,
            affiliation=aff,
            candidate=cid,
            expected=expected,
            actual=actual,
            order=order,
        )


class R203(Rule):
    """E, F, G or A-D differ from the reference (compared where both state them).

    Fails: E is 13627 here and 13603 in the reference.

    Passes: E, F, G and A-D agree.
    """

    code = "R.203"
    severity = Severity.ERROR
    title = "A statistic (E, F, G, A-D) differs from the reference"
    family = "reconciliation"
    needs = "reference"

    def check(self, ctx: Context) -> Iterator[Finding]:
        reference = _reference(ctx)
        if reference.group is None:
            return
        ours, theirs = ctx.total.data, reference.group
        pairs: list[tuple[str, str, int | None, int | None]] = [
            (
                "E (total_counted)",
                "/total_counted",
                ours.get("total_counted"),
                theirs.get("total_counted"),
            ),
        ]
        for letter, code in (("F", BLANCO), ("G", ONGELDIG)):
            pairs.append(
                (
                    f"{letter} ({code})",
                    rejected_suffix(code),
                    (ours.get("rejected_votes") or {}).get(code),
                    (theirs.get("rejected_votes") or {}).get(code),
                )
            )
        for letter, code in (("A", A), ("B", B), ("C", C), ("D", D)):
            pairs.append(
                (
                    f"{letter} ({code})",
                    uncounted_suffix(code),
                    (ours.get("uncounted_votes") or {}).get(code),
                    (theirs.get("uncounted_votes") or {}).get(code),
                )
            )
        for order, (what, suffix, actual, expected) in enumerate(pairs):
            if actual is None or expected is None or actual == expected:
                continue
            yield self.finding(
                ctx.total,
                f"{what}: this file has {actual}, the reference {expected} (difference "
                f"{actual - expected:+d}).",
                suffix,
                expected=expected,
                actual=actual,
                order=(-1, order),
            )


class R301(Rule):
    """The reference and this file disagree on the election id or the contest id (where
    both state one).

    Fails: this file is ``TK2025``, the reference ``TK2023``.

    Passes: both are ``TK2025``, contest 6.
    """

    code = "R.301"
    severity = Severity.WARNING
    title = "The reference is for another election or contest"
    family = "reconciliation"
    needs = "reference"

    def check(self, ctx: Context) -> Iterator[Finding]:
        reference = _reference(ctx)
        for order, key in enumerate(("election", "contest")):
            ours = (ctx.document.get(key) or {}).get("id")
            theirs = (reference.document.get(key) or {}).get("id")
            if ours and theirs and ours != theirs:
                yield Finding(
                    code=self.code,
                    severity=self.severity,
                    message=f"This file's {key} is {ours!r}, the reference's {theirs!r}.",
                    pointer=f"/{key}/id",
                    order=(-2, order, -1),
                )


__all__ = ["R101", "R102", "R201", "R202", "R203", "R301"]
