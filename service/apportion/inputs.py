"""What ``telnorm apportion`` and ``POST /apportion`` read: the count that decides the
election, and optionally the election definition (110a: seats, preference threshold) and
the candidate list (230b: names, the candidates on each list)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telnorm.parsers.api import Limits, Source
from telnorm.parsers.canonical import Document
from telnorm.parsers.eml import names as n
from telnorm.parsers.eml.context import (
    CANDIDATE_LIST,
    ELECTION_DEFINITION,
    ContextDocument,
    read_context_file,
)
from telnorm.parsers.errors import ContextFileError, RequestError
from telnorm.parsers.xmlsafe import safe_iterparse
from telnorm.service.apportion.election import (
    SEATS_BY_LAW,
    ElectionTotals,
    ListTotals,
    apportion,
)
from telnorm.service.pipeline import InputFile, normalise
from telnorm.service.validation.inputs import load_document_json
from telnorm.service.validation.reference import looks_like_json


@dataclass(frozen=True)
class ElectionDefinition:
    category: str | None
    election_id: str | None
    seats: int | None
    threshold_percent: int | None


def read_election_definition(item: InputFile, limits: Limits) -> ElectionDefinition:
    """Seats and preference threshold of an EML 110a (``kr:NumberOfSeats``,
    ``kr:PreferenceThreshold``)."""
    source = item.source()
    context = read_context_file(source, ELECTION_DEFINITION, limits)
    found: dict[str, int] = {}
    with source.open() as stream:
        for _event, element in safe_iterparse(stream, limits, events=("end",)):
            for key, tag in (
                ("seats", n.kr("NumberOfSeats")),
                ("threshold", n.kr("PreferenceThreshold")),
            ):
                if element.tag == tag and key not in found:
                    text = (element.text or "").strip()
                    if text:
                        if not text.isdigit() or int(text) <= 0:
                            raise ContextFileError(
                                f"The election definition ({source.filename}) has "
                                f"{tag.split('}')[1]} {text!r}; a positive whole number is "
                                "needed.",
                                role=ELECTION_DEFINITION,
                            )
                        found[key] = int(text)
    return ElectionDefinition(
        context.election.get("category"),
        context.election.get("id"),
        found.get("seats"),
        found.get("threshold"),
    )


def load_count(item: InputFile, limits: Limits) -> Document:
    """A canonical document (JSON) as it is, any other file normalised."""
    with item.path.open("rb") as handle:
        head = handle.read(64)
    if looks_like_json(head):
        return load_document_json(item.path.read_bytes(), item.filename or item.path.name)
    return normalise(item, limits=limits)


def _group_of(document: Document, notes: list[str]) -> dict[str, Any]:
    total = document.get("total_votes") or {}
    if total.get("selections"):
        return dict(total)
    units = document.get("reporting_unit_votes") or []
    if not units:
        raise RequestError("The count has no votes per list: nothing to apportion.")
    notes.append("The count states no total per list; the sum of its reporting units is used.")
    lists: dict[str, int] = {}
    candidates: dict[str, dict[str, int]] = {}
    for unit in units:
        for sel in unit.get("selections") or []:
            aff = str(sel.get("affiliation_id"))
            lists[aff] = lists.get(aff, 0) + int(sel.get("valid_votes") or 0)
            per = candidates.setdefault(aff, {})
            for cand in sel.get("candidates") or []:
                cid = str(cand.get("candidate_id"))
                per[cid] = per.get(cid, 0) + int(cand.get("valid_votes") or 0)
    return {
        "selections": [
            {
                "affiliation_id": aff,
                "valid_votes": votes,
                "candidates": [
                    {"candidate_id": c, "valid_votes": v} for c, v in candidates[aff].items()
                ],
            }
            for aff, votes in lists.items()
        ]
    }


def totals_from_document(
    document: Document, candidate_list: ContextDocument | None = None
) -> ElectionTotals:
    """The list and candidate votes of the count's total, with names."""
    notes: list[str] = []
    group = _group_of(document, notes)
    names = {
        str(a.get("id")): (
            a.get("name"),
            {str(c.get("id")): c.get("name") for c in a.get("candidates") or []},
        )
        for a in document.get("affiliations") or []
    }
    lists: list[ListTotals] = []
    for sel in group.get("selections") or []:
        aff = str(sel.get("affiliation_id"))
        votes = sel.get("valid_votes")
        if type(votes) is not int:
            raise RequestError(f"List {aff} has no number of votes in the count's total.")
        name, cand_names = names.get(aff, (None, {}))
        item = ListTotals(aff, name, votes)
        for cand in sel.get("candidates") or []:
            cid = str(cand.get("candidate_id"))
            item.candidates[cid] = int(cand.get("valid_votes") or 0)
            item.candidate_names[cid] = cand_names.get(cid)
        if candidate_list is not None and aff in candidate_list.affiliations:
            info = candidate_list.affiliations[aff]
            item.name = item.name or info.name
            item.roster = list(info.candidates)
            for cid, cand_info in info.candidates.items():
                item.candidate_names[cid] = item.candidate_names.get(cid) or cand_info.name
        lists.append(item)
    election = document.get("election") or {}
    return ElectionTotals(election.get("id"), election.get("category"), lists, notes)


def resolve_seats(
    seats: int | None, definition: ElectionDefinition | None, category: str | None
) -> int:
    if seats is not None:
        if seats <= 0:
            raise RequestError(f"The number of seats must be positive, not {seats}.")
        return seats
    if definition is not None and definition.seats is not None:
        return definition.seats
    by_law = SEATS_BY_LAW.get((category or "").upper())
    if by_law is not None:
        return by_law
    raise RequestError(
        "The number of seats is not known: give it (--seats N, or seats=N) or send the "
        "election definition (EML 110a), which states it.",
    )


def apportion_job(
    main: InputFile,
    election_definition: InputFile | None,
    candidate_list: InputFile | None,
    seats: int | None,
    limits: Limits,
) -> dict[str, Any]:
    """Read everything and apportion (runs in a worker process)."""
    definition = (
        read_election_definition(election_definition, limits) if election_definition else None
    )
    roster = (
        read_context_file(candidate_list.source(), CANDIDATE_LIST, limits)
        if candidate_list
        else None
    )
    document = load_count(main, limits)
    totals = totals_from_document(document, roster)
    if totals.category is None and definition is not None:
        totals.category = definition.category
    count = resolve_seats(seats, definition, totals.category)
    threshold = definition.threshold_percent if definition else None
    result = apportion(totals, count, threshold)
    result["source"] = {"filename": main.filename or main.path.name}
    return result


def apportion_path(path: Path, **kwargs: Any) -> dict[str, Any]:
    """Convenience for tests and scripts: apportion a file by path."""
    return apportion_job(InputFile(path, path.name), None, None, kwargs.get("seats"), Limits())


__all__ = ["Source", "apportion_job", "load_count", "totals_from_document"]
