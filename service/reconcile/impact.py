"""Would the seats change? The election apportioned as the references say, and again with
the references corrected by the differences the municipal files show.

The election total is the central count when a reference is one (510d); otherwise the
references' totals are summed (district counts of a national election summed to the
central level, which the report says). The correction adds, per municipality compared,
its file minus its reference unit, per list and per candidate. Where a reference unit
states a list's votes but not its candidates, the candidate votes in the reference's total
cannot be corrected: that list's candidate changes are not reported (a note says so)
rather than guessed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from telnorm.parsers.eml.context import ContextDocument
from telnorm.service.apportion.election import (
    SEATS_BY_LAW,
    ElectionTotals,
    ListTotals,
    apportion,
)
from telnorm.service.apportion.inputs import ElectionDefinition
from telnorm.service.reconcile.compare import sort_key
from telnorm.service.reconcile.references import CENTRAL_LEVELS, RefDocument, ReferenceSet, RefUnit
from telnorm.service.reconcile.summary import FileSummary, GroupTotals, add_into

#: Kieskringen of a Tweede Kamer election (20 with Bonaire).
TK_DISTRICTS = 20


@dataclass(frozen=True)
class ImpactOptions:
    seats: int | None = None
    definition: ElectionDefinition | None = None
    candidate_list: ContextDocument | None = None


def _base(docs: list[RefDocument], notes: list[str]) -> tuple[GroupTotals, str]:
    central = [d for d in docs if d.level in CENTRAL_LEVELS]
    if central:
        return copy.deepcopy(central[0].election_totals()), f"the central count {central[0].file}"
    base = GroupTotals()
    used: dict[tuple[str | None, str | None], str] = {}
    for index, doc in enumerate(docs):
        key = (doc.authority_id, doc.level) if doc.authority_id is not None else (str(index), None)
        if key in used:
            # the same district twice would count its votes twice
            notes.append(
                f"{doc.file} is a second count of {doc.authority_id} (after {used[key]}): "
                "it is not added again."
            )
            continue
        used[key] = doc.file
        add_into(base, doc.election_totals())
        if doc.total_from_units:
            notes.append(f"{doc.file} states no total: the sum of its units is used.")
    if len(used) > 1:
        level = docs[0].level or "reference"
        return base, f"{len(used)} {level} counts summed to the central level"
    return base, f"the {docs[0].level or 'reference'} count {docs[0].file}"


def _correct(
    base: GroupTotals, pairs: list[tuple[FileSummary, RefUnit]], uncertain: set[str]
) -> GroupTotals:
    corrected = copy.deepcopy(base)
    for summary, unit in pairs:
        ours = summary.totals or GroupTotals()
        theirs = unit.totals
        for aff in set(ours.lists) | set(theirs.lists):
            delta = ours.lists.get(aff, 0) - theirs.lists.get(aff, 0)
            corrected.lists[aff] = corrected.lists.get(aff, 0) + delta
            known_there = aff in theirs.candidates or theirs.lists.get(aff, 0) == 0
            if aff in ours.candidates and known_there:
                # both sides' candidates are known (a list absent there has 0 everywhere)
                per = corrected.candidates.setdefault(aff, {})
                mine, known = ours.candidates.get(aff, {}), theirs.candidates.get(aff, {})
                for cid in set(mine) | set(known):
                    per[cid] = per.get(cid, 0) + mine.get(cid, 0) - known.get(cid, 0)
            elif delta != 0:
                uncertain.add(aff)
    return corrected


def _totals(
    group: GroupTotals,
    names: dict[str, str | None],
    election_id: str | None,
    category: str | None,
    roster: ContextDocument | None,
) -> ElectionTotals:
    lists = []
    for aff in sorted(group.lists, key=sort_key):
        item = ListTotals(
            aff, names.get(aff), group.lists[aff], dict(group.candidates.get(aff, {}))
        )
        if roster is not None and aff in roster.affiliations:
            info = roster.affiliations[aff]
            item.roster = list(info.candidates)
            item.name = item.name or info.name
            item.candidate_names = {cid: c.name for cid, c in info.candidates.items()}
        lists.append(item)
    return ElectionTotals(election_id, category, lists)


def _compare(
    before: dict[str, Any], after: dict[str, Any], uncertain: set[str], no_candidates: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    seats_before = {item["affiliation_id"]: item for item in before["lists"]}
    lists = []
    for item in after["lists"]:
        old = seats_before.get(item["affiliation_id"], {"seats": 0})
        if item["seats"] != old["seats"]:
            lists.append(
                {
                    "affiliation_id": item["affiliation_id"],
                    "name": item["name"],
                    "reference_votes": old.get("votes", 0),
                    "corrected_votes": item["votes"],
                    "reference_seats": old["seats"],
                    "corrected_seats": item["seats"],
                    "change": item["seats"] - old["seats"],
                }
            )
    skip = uncertain | no_candidates
    elected_before = {(e["affiliation_id"], e["candidate_id"]): e for e in before["elected"]}
    elected_after = {(e["affiliation_id"], e["candidate_id"]): e for e in after["elected"]}
    candidates = []
    for key in sorted(
        set(elected_before) ^ set(elected_after), key=lambda k: (sort_key(k[0]), sort_key(k[1]))
    ):
        if key[0] in skip:
            continue
        now = key in elected_after
        entry = elected_after[key] if now else elected_before[key]
        candidates.append(
            {
                "affiliation_id": key[0],
                "candidate_id": key[1],
                "name": entry.get("name"),
                "change": "elected" if now else "not_elected",
                "by": entry["by"],
            }
        )
    return lists, candidates


def _one_election(
    election_id: str | None,
    docs: list[RefDocument],
    pairs: list[tuple[FileSummary, RefUnit]],
    options: ImpactOptions,
) -> dict[str, Any]:
    notes: list[str] = []
    category = next((d.category for d in docs if d.category), None) or next(
        (s.category for s, _ in pairs if s.category), None
    )
    if category is None and options.definition is not None:
        category = options.definition.category
    out: dict[str, Any] = {"election_id": election_id, "category": category}
    seats = options.seats or (options.definition.seats if options.definition else None)
    seats = seats or SEATS_BY_LAW.get((category or "").upper())
    if not seats:
        out.update(
            status="not_computed",
            reason="The number of seats is not known: give --seats (seats=) or the election "
            "definition (110a).",
        )
        return out
    base, basis = _base(docs, notes)
    central = any(d.level in CENTRAL_LEVELS for d in docs)
    districts = {d.authority_id for d in docs if d.level == "district"}
    complete = True
    if (category or "").upper() == "TK" and not central and len(districts) < TK_DISTRICTS:
        complete = False
        notes.append(
            f"Only {len(districts)} of the {TK_DISTRICTS} kieskringen were given: the seats "
            "below are those of these districts' votes alone, not of the whole election."
        )
    uncertain: set[str] = set()
    corrected = _correct(base, pairs, uncertain)
    no_candidates = {aff for aff in base.lists if aff not in base.candidates}
    names: dict[str, str | None] = {}
    for doc in docs:
        names.update({k: v for k, v in doc.list_names.items() if v})
    threshold = options.definition.threshold_percent if options.definition else None
    roster = options.candidate_list
    before = apportion(_totals(base, names, election_id, category, roster), seats, threshold)
    after = apportion(_totals(corrected, names, election_id, category, roster), seats, threshold)
    lists, candidates = _compare(before, after, uncertain, no_candidates)
    for aff in sorted(uncertain, key=sort_key):
        notes.append(
            f"List {aff}: a reference states its votes but not its candidates' where the "
            "numbers differ, so its candidate changes cannot be computed."
        )
    if no_candidates and base.lists:
        notes.append(
            "The references state no candidate votes for list(s) "
            f"{', '.join(sorted(no_candidates, key=sort_key))}: candidate changes are not "
            "computed for them."
        )
    status = (
        "tie"
        if before["tie"] or after["tie"]
        else ("changed" if lists or candidates else "unchanged")
    )
    out.update(
        status=status,
        basis=basis,
        complete=complete,
        seats=seats,
        reference={
            "total_votes": before["total_votes"],
            "quota": before["quota"],
            "seats": {i["affiliation_id"]: i["seats"] for i in before["lists"]},
            "ties": before["ties"],
        },
        corrected={
            "total_votes": after["total_votes"],
            "quota": after["quota"],
            "seats": {i["affiliation_id"]: i["seats"] for i in after["lists"]},
            "ties": after["ties"],
        },
        lists=lists,
        candidates=candidates,
        notes=notes,
    )
    return out


def seat_impact(
    refs: ReferenceSet, pairs: list[tuple[FileSummary, RefUnit]], options: ImpactOptions
) -> dict[str, Any]:
    """The seat impact of every election the references cover."""
    groups: dict[str | None, list[int]] = {}
    for index, doc in enumerate(refs.documents):
        groups.setdefault(doc.election_id, []).append(index)
    elections = []
    for election_id, indexes in groups.items():
        docs = [refs.documents[i] for i in indexes]
        mine = [(s, u) for s, u in pairs if u.reference in indexes]
        elections.append(_one_election(election_id, docs, mine, options))
    return {
        "changed": any(e.get("status") == "changed" for e in elections),
        "elections": elections,
    }
