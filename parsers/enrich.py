"""Filling a canonical document from context files, whatever format it was read from.

A candidate list (EML 230b) gives list names and candidate names for the ids a count uses; a
count's own names win where it has them. Ids the candidate list lacks are noted, never
dropped.
"""

from __future__ import annotations

from telnorm.parsers.api import ParseContext
from telnorm.parsers.canonical import Document
from telnorm.parsers.eml.context import ContextDocument
from telnorm.parsers.errors import ContextFileError

#: Contest ids that mean "the whole election", not one kieskring.
_WHOLE = frozenset({"alle", "geen"})


def check_same_contest(document: Document, other: ContextDocument) -> None:
    """A candidate list of another kieskring has other candidates at the same positions:
    refuse it rather than print other people's names."""
    ours = str((document.get("contest") or {}).get("id") or "").strip()
    theirs = str((other.contest or {}).get("id") or "").strip()
    if ours and theirs and ours != theirs and not ({ours, theirs} & _WHOLE):
        raise ContextFileError(
            f"The {other.role.replace('_', ' ')} is for contest (kieskring) {theirs}"
            f"{' ' + other.contest['name'] if other.contest.get('name') else ''}, but the count "
            f"is for contest {ours}. Candidates differ per kieskring: send the candidate list "
            "of this kieskring.",
            role=other.role,
        )


def apply_candidate_list(
    document: Document, candidate_list: ContextDocument, context: ParseContext
) -> None:
    """Fill missing list and candidate names and short codes; note ids it does not have."""
    for index, affiliation in enumerate(document["affiliations"]):
        known = candidate_list.affiliations.get(affiliation["id"])
        pointer = f"/affiliations/{index}"
        if known is None:
            context.note(
                "candidate-list-mismatch",
                f"List {affiliation['id']} ({affiliation.get('name') or 'no name'}) of the "
                "count is not on the candidate list.",
                {"pointer": pointer},
            )
            continue
        if not affiliation.get("name") and known.name:
            affiliation["name"] = known.name
        for position, candidate in enumerate(affiliation["candidates"]):
            info = known.candidates.get(candidate["id"])
            if info is None:
                context.note(
                    "candidate-list-mismatch",
                    f"Candidate {candidate['id']} of list {affiliation['id']} is not on the "
                    "candidate list.",
                    {"pointer": f"{pointer}/candidates/{position}"},
                )
                continue
            if candidate.get("name") is None:
                candidate["name"] = info.name
            candidate["short_code"] = info.short_code
