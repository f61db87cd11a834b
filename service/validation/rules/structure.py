"""Structure: unit ids, lists and candidates, empty and copied units."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from telnorm.service.validation.model import (
    Context,
    Finding,
    Group,
    Rule,
    Severity,
    natural_key,
)


class S101(Rule):
    """Two reporting units share an id. Reported at every repeat, pointing at the first.

    Fails: two units both have id ``0668::SB3``.

    Passes: the units have ids ``0668::SB3`` and ``0668::SB4``.
    """

    code = "S.101"
    severity = Severity.ERROR
    title = "Two reporting units have the same id"
    family = "structure"

    def check(self, ctx: Context) -> Iterator[Finding]:
        first: dict[Any, int] = {}
        for group in ctx.units:
            unit_id = group.data.get("id")
            if unit_id in first:
                yield self.finding(
                    group,
                    f"Unit {unit_id} (position {group.index + 1}) repeats the id of the unit "
                    f"at position {first[unit_id] + 1}.",
                    "/id",
                )
            else:
                first[unit_id] = group.index


class S102(Rule):
    """A selection names a list that ``affiliations`` does not have, or a candidate that
    the list does not have.

    Fails: a unit has votes for list 7 while ``affiliations`` lists 1 to 6.

    Passes: every selection names a list of ``affiliations`` and one of its candidates.
    """

    code = "S.102"
    severity = Severity.ERROR
    title = "A selection names an unknown list or candidate"
    family = "structure"

    def check(self, ctx: Context) -> Iterator[Finding]:
        known: dict[str, set[str]] = {}
        for affiliation in ctx.document.get("affiliations") or ():
            known[affiliation["id"]] = {c["id"] for c in affiliation.get("candidates") or ()}
        for group in ctx.groups:
            for s_index, selection in enumerate(group.data.get("selections") or ()):
                aff = selection["affiliation_id"]
                candidates = known.get(aff)
                if candidates is None:
                    yield self.finding(
                        group,
                        f"At {group.label}, list {aff} is not among the document's lists.",
                        f"/selections/{s_index}/affiliation_id",
                        affiliation=aff,
                        order=(s_index, -1),
                    )
                    continue
                for c_index, candidate in enumerate(selection.get("candidates") or ()):
                    if candidate["candidate_id"] not in candidates:
                        cid = candidate["candidate_id"]
                        yield self.finding(
                            group,
                            f"At {group.label}, candidate {cid} is not on list {aff}.",
                            f"/selections/{s_index}/candidates/{c_index}/candidate_id",
                            affiliation=aff,
                            candidate=cid,
                            order=(s_index, c_index),
                        )


class S103(Rule):
    """A list or candidate of the supplied candidate list (EML 230b) is missing from the
    count (from ``affiliations`` and from the total's selections). Runs only when a
    candidate list is supplied.

    Fails: the candidate list has list 5 with 30 candidates; the count has no list 5.

    Passes: every list and candidate of the candidate list appears in the count.
    """

    code = "S.103"
    severity = Severity.WARNING
    title = "A list or candidate of the candidate list is missing from the count"
    family = "structure"
    needs = "candidate_list"

    def check(self, ctx: Context) -> Iterator[Finding]:
        assert ctx.candidate_list is not None
        counted: dict[str, set[str]] = {}
        for affiliation in ctx.document.get("affiliations") or ():
            counted.setdefault(affiliation["id"], set()).update(
                c["id"] for c in affiliation.get("candidates") or ()
            )
        for selection in ctx.total.data.get("selections") or ():
            counted.setdefault(selection["affiliation_id"], set()).update(
                c["candidate_id"] for c in selection.get("candidates") or ()
            )
        order = {aff: i for i, aff in enumerate(sorted(ctx.candidate_list, key=natural_key))}
        for aff in sorted(ctx.candidate_list, key=natural_key):
            name, candidates = ctx.candidate_list[aff]
            label = f"list {aff}" + (f" ({name})" if name else "")
            if aff not in counted:
                yield self.finding(
                    ctx.total,
                    f"The candidate list has {label}, which the count does not have.",
                    "/selections",
                    affiliation=aff,
                    order=(order[aff], -1),
                )
                continue
            for c_index, cid in enumerate(candidates):
                if cid not in counted[aff]:
                    yield self.finding(
                        ctx.total,
                        f"The candidate list has candidate {cid} on {label}, which the count "
                        "does not have.",
                        "/selections",
                        affiliation=aff,
                        candidate=cid,
                        order=(order[aff], c_index),
                    )


class S106(Rule):
    """The count has a list or candidate that the supplied candidate list (EML 230b) does
    not have: its votes go to a list or candidate the election does not have (a count of
    another election or kieskring, a renumbered list, a mistyped id). This project's own
    code, the opposite direction of S.103. Reported once per list or candidate, at the
    total's entry when the total has it, else at the first unit that has it, else at
    ``affiliations``; the message gives the total's votes for it. Runs only when a candidate
    list is supplied.

    Fails: the candidate list has lists 1 to 6; the count's total gives 412 votes to list 7.

    Passes: every list and candidate of the count is on the candidate list.
    """

    code = "S.106"
    severity = Severity.ERROR
    title = "The count has a list or candidate that is not on the candidate list"
    family = "structure"
    needs = "candidate_list"

    def check(self, ctx: Context) -> Iterator[Finding]:
        assert ctx.candidate_list is not None
        allowed = {aff: set(ids) for aff, (_, ids) in ctx.candidate_list.items()}
        # (list, candidate or None) -> (group, or None for affiliations; pointer suffix)
        places: dict[tuple[str, str | None], tuple[Group | None, str]] = {}
        votes: dict[tuple[str, str | None], int | None] = {}
        for group in ctx.groups:
            for s_index, selection in enumerate(group.data.get("selections") or ()):
                aff = selection["affiliation_id"]
                if aff not in allowed:
                    key: tuple[str, str | None] = (aff, None)
                    if key not in places:
                        places[key] = (group, f"/selections/{s_index}/valid_votes")
                        if group.index < 0:
                            votes[key] = selection.get("valid_votes")
                    continue
                for c_index, candidate in enumerate(selection.get("candidates") or ()):
                    cid = candidate["candidate_id"]
                    key = (aff, cid)
                    if cid not in allowed[aff] and key not in places:
                        places[key] = (
                            group,
                            f"/selections/{s_index}/candidates/{c_index}/valid_votes",
                        )
                        if group.index < 0:
                            votes[key] = candidate["valid_votes"]
        for a_index, affiliation in enumerate(ctx.document.get("affiliations") or ()):
            aff = affiliation["id"]
            if aff not in allowed:
                places.setdefault((aff, None), (None, f"/affiliations/{a_index}"))
                continue
            for c_index, candidate in enumerate(affiliation.get("candidates") or ()):
                if candidate["id"] not in allowed[aff]:
                    places.setdefault(
                        (aff, candidate["id"]),
                        (None, f"/affiliations/{a_index}/candidates/{c_index}"),
                    )
        ranked = sorted(
            places,
            key=lambda k: (natural_key(k[0]), (-1, "") if k[1] is None else natural_key(k[1])),
        )
        for rank, key in enumerate(ranked):
            aff, cid = key
            place, suffix = places[key]
            what = f"list {aff}" if cid is None else f"candidate {cid} of list {aff}"
            held = votes.get(key)
            if held is not None:
                detail = f"; the total gives it {held} votes"
            elif place is None:
                detail = " (in affiliations; no votes for it anywhere)"
            else:
                detail = f" (first at {place.label})"
            message = f"The count has {what}, which is not on the candidate list{detail}."
            if place is None:
                yield Finding(
                    code=self.code,
                    severity=self.severity,
                    message=message,
                    pointer=suffix,
                    affiliation=aff,
                    candidate=cid,
                    order=(-1, rank, -1),
                )
            else:
                finding = self.finding(place, message, suffix, affiliation=aff, candidate=cid)
                # One finding per list or candidate, in list order (not document order).
                finding.order = (-1, rank, -1)
                yield finding


def _has_votes(data: Mapping[str, Any]) -> bool:
    """Any non-zero count besides Z (cast, eligible voters)."""
    if data.get("total_counted") or data.get("votes_cast"):
        return True
    for key in ("rejected_votes", "uncounted_votes"):
        values = data.get(key)
        if values and any(values.values()):
            return True
    for selection in data.get("selections") or ():
        if selection.get("valid_votes"):
            return True
        for candidate in selection.get("candidates") or ():
            if candidate["valid_votes"]:
                return True
    return False


class S104(Rule):
    """A reporting unit without a single vote: every count other than Z (cast) is 0 or
    absent. Usually an empty column or row of a spreadsheet kept by mistake.

    Fails: a unit whose E, F, G, A-D and list totals are all 0.

    Passes: every unit has votes.
    """

    code = "S.104"
    severity = Severity.WARNING
    title = "A reporting unit has no votes at all"
    family = "structure"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for group in ctx.units:
            if not _has_votes(group.data):
                yield self.finding(group, f"{group.sentence_label} has no votes at all.")


def _fingerprint(data: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        data.get("cast"),
        data.get("total_counted"),
        data.get("votes_cast"),
        tuple(sorted((data.get("rejected_votes") or {}).items())),
        tuple(sorted((data.get("uncounted_votes") or {}).items())),
        tuple(
            (
                s["affiliation_id"],
                s.get("valid_votes"),
                tuple((c["candidate_id"], c["valid_votes"]) for c in s.get("candidates") or ()),
            )
            for s in data.get("selections") or ()
        ),
    )


class S105(Rule):
    """Two reporting units have identical numbers in every field (a copied row or column).
    Units without votes (S.104) are not compared.

    Fails: stations SB4 and SB5 state the same E, F, G, A-D, list and candidate votes.

    Passes: every station's numbers differ from every other's somewhere.
    """

    code = "S.105"
    severity = Severity.WARNING
    title = "Two reporting units have identical numbers"
    family = "structure"

    def check(self, ctx: Context) -> Iterator[Finding]:
        first: dict[tuple[Any, ...], Group] = {}
        for group in ctx.units:
            if not _has_votes(group.data):
                continue
            key = _fingerprint(group.data)
            earlier = first.get(key)
            if earlier is None:
                first[key] = group
                continue
            yield self.finding(
                group,
                f"{group.sentence_label} (position {group.index + 1}) has exactly the "
                f"numbers of {earlier.label} (position {earlier.index + 1}).",
            )


__all__ = ["S101", "S102", "S103", "S104", "S105", "S106"]
