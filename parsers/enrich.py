"""The ``enrich`` stage: filling a canonical document from context files, whatever parser made it.

Runs after ``parse`` for every parser's output (EML, osv4-3, spreadsheets, plugins), with the
context files read once per request:

* a candidate list (EML 230b) gives list and candidate names and short codes for the ids a
  count uses; a count's own names win where it has them; ids it lacks are noted, never dropped;
* an election definition (EML 110a) gives election fields and region (municipality) names;
* a polling-station list (EML 110b) gives polling-station names and postcodes.

A context file of another election, kieskring or municipality is refused (its names would be
other people's). Within a matching file, every value taken from it is a note at the value's
JSON Pointer; a value the count states differently is kept, and the difference is a note
(``context-contradiction``): a context file never overwrites the count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from telnorm.parsers.api import ParseContext
from telnorm.parsers.canonical import Document, normalise_postcode
from telnorm.parsers.eml.context import (
    CANDIDATE_LIST,
    ELECTION_DEFINITION,
    POLLING_STATIONS,
    ContextDocument,
)
from telnorm.parsers.errors import ContextFileError

#: Contest ids that mean "the whole election", not one kieskring.
_WHOLE = frozenset({"alle", "geen"})
#: Election fields a definition may fill (the id is compared, never filled).
_ELECTION_FIELDS = ("name", "category", "subcategory", "date", "domain")
#: How many unmatched units one note names before it says "and N more".
_LISTED = 10


def enrich(
    document: Document, documents: Mapping[str, ContextDocument], context: ParseContext
) -> None:
    """Apply every context file of the request to ``document`` (the pipeline's stage)."""
    candidate_list = documents.get(CANDIDATE_LIST)
    if candidate_list is not None:
        check_same_election(document, candidate_list)
        check_same_contest(document, candidate_list)
        apply_candidate_list(document, candidate_list, context)
    for role in (ELECTION_DEFINITION, POLLING_STATIONS):
        definition = documents.get(role)
        if definition is not None:
            apply_definition(document, definition, context)


def _label(other: ContextDocument) -> str:
    return f"{other.role.replace('_', ' ')} (EML {other.eml_id})"


def check_same_election(document: Document, other: ContextDocument) -> None:
    ours = (document.get("election") or {}).get("id")
    theirs = other.election.get("id")
    if ours and theirs and ours != theirs:
        raise ContextFileError(
            f"The {other.role.replace('_', ' ')} is for election {theirs}, but the count is for "
            f"{ours}. Send the file that belongs to this election.",
            role=other.role,
        )


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


def check_same_authority(document: Document, stations: ContextDocument) -> None:
    """Polling-station numbers are per municipality: a 110b of another municipality would give
    other stations' names and postcodes."""
    ours = str((document.get("managing_authority") or {}).get("id") or "").strip()
    theirs = str(stations.authority.get("id") or "").strip()
    if ours and theirs and ours.lstrip("0") != theirs.lstrip("0"):
        raise ContextFileError(
            f"The polling-station list (EML 110b) is for authority {theirs}"
            f"{' ' + stations.authority['name'] if stations.authority.get('name') else ''}, "
            f"but the count is from {ours}. Station numbers differ per municipality: send the "
            "polling-station list of this municipality.",
            role=stations.role,
        )


def apply_candidate_list(
    document: Document, candidate_list: ContextDocument, context: ParseContext
) -> None:
    """Fill missing list and candidate names and short codes; note ids it does not have."""
    list_names = candidate_names = 0
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
            list_names += 1
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
            if candidate.get("name") is None and info.name is not None:
                candidate["name"] = info.name
                candidate_names += 1
            candidate["short_code"] = info.short_code
    if list_names or candidate_names:
        context.note(
            "names-from-context",
            f"{list_names} list name(s) and {candidate_names} candidate name(s) come from the "
            f"{_label(candidate_list)}; the count does not state them.",
            {"pointer": "/affiliations"},
        )


def apply_definition(
    document: Document, definition: ContextDocument, context: ParseContext
) -> None:
    """Election fields (110a), region and polling-station names and postcodes (110a/110b)
    the count lacks, each noted; a value the count states otherwise is kept and noted."""
    check_same_election(document, definition)
    if definition.polling_stations:
        check_same_authority(document, definition)
    _apply_election(document, definition, context)
    unmatched: list[str] = []
    for index, unit in enumerate(document["reporting_unit_votes"]):
        number = _station_number(unit)
        pointer = f"/reporting_unit_votes/{index}"
        station = definition.polling_stations.get(number) if number is not None else None
        if station is not None:
            name, postcode = station
            _fill(unit, "name", name, pointer, definition, context, f"polling station {number}")
            _fill(
                unit,
                "postal_code",
                postcode,
                pointer,
                definition,
                context,
                f"polling station {number}",
            )
            continue
        region = _region(definition, number, unit)
        if region is not None:
            _fill(unit, "name", region, pointer, definition, context, f"region {number}")
        elif definition.polling_stations and unit.get("kind") == "polling_station":
            unmatched.append(str(unit["id"]))
    if unmatched:
        shown = ", ".join(unmatched[:_LISTED])
        more = f" and {len(unmatched) - _LISTED} more" if len(unmatched) > _LISTED else ""
        context.note(
            "context-unmatched",
            f"{len(unmatched)} polling station(s) of the count are not on the "
            f"{_label(definition)}: {shown}{more}. Their names and postcodes are the count's.",
            {"pointer": "/reporting_unit_votes"},
        )


def _apply_election(document: Document, definition: ContextDocument, context: ParseContext) -> None:
    election = document["election"]
    for key in _ELECTION_FIELDS:
        value = definition.election.get(key)
        if value is None:
            continue
        stated = election.get(key)
        if stated is None:
            election[key] = value
            context.note(
                "names-from-context",
                f"election {key} {value!r} comes from the {_label(definition)}; the count "
                "does not state it.",
                {"pointer": f"/election/{key}"},
            )
        elif stated != value:
            context.note(
                "context-contradiction",
                f"The count says election {key} {stated!r}, the {_label(definition)} says "
                f"{value!r}; the count's value is kept.",
                {"pointer": f"/election/{key}"},
            )


def _fill(
    unit: dict[str, Any],
    key: str,
    value: str | None,
    pointer: str,
    definition: ContextDocument,
    context: ParseContext,
    what: str,
) -> None:
    """Take ``value`` for ``unit[key]`` when the count has none; note it either way it
    matters (taken, or contradicting the count's own value)."""
    if not value:
        return
    label = "postcode" if key == "postal_code" else key
    stated = unit.get(key)
    if not stated:
        unit[key] = value
        context.note(
            "names-from-context",
            f"Unit {unit['id']} ({what}): {label} {value!r} comes from the {_label(definition)}; "
            "the count does not state it.",
            {"pointer": f"{pointer}/{key}"},
        )
    elif not _same(key, str(stated), value):
        context.note(
            "context-contradiction",
            f"Unit {unit['id']} ({what}): the count says {label} {stated!r}, the "
            f"{_label(definition)} says {value!r}; the count's value is kept.",
            {"pointer": f"{pointer}/{key}"},
        )


def _same(key: str, stated: str, given: str) -> bool:
    if key == "postal_code":
        return (normalise_postcode(stated) or stated) == (normalise_postcode(given) or given)
    return _name_key(stated) == _name_key(given) or _name_key(given) in _name_key(stated)


def _name_key(name: str) -> str:
    """A name as compared: case, spacing, quotes and a ``Stembureau`` prefix do not count."""
    text = re.sub(r"\s+", " ", name.replace('"', "").strip().casefold())
    return re.sub(r"^(stembureau )+", "", text)


def _station_number(unit: Mapping[str, Any]) -> str | None:
    """The number a context file knows the unit by: ``SB2`` -> ``2``, ``0668`` -> ``0668``."""
    tail = str(unit["id"]).rsplit("::", 1)[-1]
    number = tail[2:] if tail.upper().startswith("SB") else tail
    return number or None


def _region(definition: ContextDocument, number: str | None, unit: Mapping[str, Any]) -> str | None:
    if number is None or not definition.regions:
        return None
    if unit.get("kind") == "polling_station":
        return None  # region numbers are municipalities and districts, not stations
    return definition.regions.get(number.lstrip("0") or "0") or definition.regions.get(number)
