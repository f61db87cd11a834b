"""The shape check of a canonical document received as JSON.

The rules trust the types of the canonical contract (counts are non-negative integers, ids
strings). A document from a caller is checked for exactly those in one pass, without a
schema library (a benchmark document has millions of values), so that a wrong type is a 4xx
problem and never a crash inside a rule.
"""

from __future__ import annotations

from typing import Any

from telnorm.parsers.counts import MAX_COUNT, json_problem
from telnorm.parsers.errors import InvalidCount, InvalidValue, StructureError
from telnorm.parsers.packed_selections import PackedSelections


def _bad(pointer: str, what: str) -> InvalidValue:
    return InvalidValue(
        f"The canonical document has {what} at {pointer or '/'}.", location={"pointer": pointer}
    )


def _is_count(value: Any) -> bool:
    return type(value) is int and 0 <= value <= MAX_COUNT


def _bad_count(pointer: str, value: Any) -> InvalidCount:
    """A value where a count belongs that is not one: the same ``invalid-count`` problem the
    parsers give for the same text (telnorm.parsers.counts), located by JSON Pointer."""
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "..."
    return InvalidCount(
        f"The canonical document has {shown} at {pointer} where a count is required: "
        f"{json_problem(value) or 'a count is a whole number'}.",
        location={"pointer": pointer},
        value=value if isinstance(value, str | int) and not isinstance(value, bool) else None,
    )


def _check_counts(values: Any, pointer: str) -> None:
    if values is None:
        return
    if not isinstance(values, dict):
        raise _bad(pointer, "no object")
    for key, value in values.items():
        if not _is_count(value):
            raise _bad_count(f"{pointer}/{key}", value)


def _check_group(group: Any, pointer: str) -> None:
    if not isinstance(group, dict):
        raise _bad(pointer, "no object")
    for key in ("cast", "total_counted", "votes_cast"):
        value = group.get(key)
        if value is not None and not _is_count(value):
            raise _bad_count(f"{pointer}/{key}", value)
    _check_counts(group.get("rejected_votes"), pointer + "/rejected_votes")
    _check_counts(group.get("uncounted_votes"), pointer + "/uncounted_votes")
    selections = group.get("selections")
    if selections is None:
        return
    if not isinstance(selections, list | PackedSelections):
        raise _bad(pointer + "/selections", "no array")
    for s_index, selection in enumerate(selections):
        if (
            not isinstance(selection, dict)
            or type(selection.get("affiliation_id")) is not str
            or not isinstance(selection.get("candidates", []), list)
        ):
            raise _bad(f"{pointer}/selections/{s_index}", "a malformed selection")
        value = selection.get("valid_votes")
        if value is not None and not _is_count(value):
            raise _bad_count(f"{pointer}/selections/{s_index}/valid_votes", value)
        for c_index, candidate in enumerate(selection.get("candidates") or ()):
            if isinstance(candidate, dict) and not _is_count(candidate.get("valid_votes")):
                raise _bad_count(
                    f"{pointer}/selections/{s_index}/candidates/{c_index}/valid_votes",
                    candidate.get("valid_votes"),
                )
            if not isinstance(candidate, dict) or type(candidate.get("candidate_id")) is not str:
                raise _bad(
                    f"{pointer}/selections/{s_index}/candidates/{c_index}",
                    "a malformed candidate entry",
                )


#: The JSON Schema of the canonical document (``GET /schema``), named in the problem.
SCHEMA_ID = "urn:telnorm:schema:canonical-v1"
#: The members the rules read: JSON without them is not a canonical document to validate.
NEEDED = ("format_version", "total_votes", "reporting_unit_votes")

_KINDS = ((dict, "an object"), (list, "an array"), (str, "a string"), (bool, "true or false"))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    for cls, name in _KINDS:
        if isinstance(value, cls):
            return name
    return "a number"


def not_canonical(detail: str, missing: list[str], pointer: str = "") -> StructureError:
    """The problem for JSON that is not a canonical telnorm document.

    Always ``invalid-structure`` (422) with ``location.pointer`` (where, as a JSON Pointer:
    ``""`` is the whole document), ``missing`` (the members the rules need that it lacks)
    and ``schema`` (the JSON Schema id of the canonical document, served at ``GET /schema``).
    """
    return StructureError(
        f"The file is JSON but not a canonical telnorm document: {detail} (JSON Schema "
        f"{SCHEMA_ID}, GET /schema).",
        location={"pointer": pointer},
        missing=missing,
        schema=SCHEMA_ID,
    )


def check_envelope(document: Any) -> None:
    """Raise unless ``document`` is meant as a canonical document at all: an object with the
    members the rules need, of a format version this telnorm reads."""
    if not isinstance(document, dict):
        raise not_canonical(
            f"it is {_kind(document)}, where a canonical document is an object with "
            + ", ".join(NEEDED),
            list(NEEDED),
        )
    missing = [key for key in NEEDED if key not in document]
    if missing:
        raise not_canonical(f"the object at / has no {', '.join(missing)}", missing)
    if document.get("format_version") != "1":
        raise StructureError(
            f"Canonical format_version {document.get('format_version')!r} is not supported "
            "(this telnorm reads version '1').",
            location={"pointer": "/format_version"},
            schema=SCHEMA_ID,
        )


def check_document(document: Any) -> None:
    """Raise a TelnormError unless ``document`` has the shape the rules read."""
    check_envelope(document)
    _check_group(document.get("total_votes"), "/total_votes")
    units = document.get("reporting_unit_votes")
    if not isinstance(units, list):
        raise _bad("/reporting_unit_votes", "no array")
    for index, unit in enumerate(units):
        _check_group(unit, f"/reporting_unit_votes/{index}")
    affiliations = document.get("affiliations", [])
    if not isinstance(affiliations, list) or not all(
        isinstance(a, dict)
        and isinstance(a.get("id"), str)
        and isinstance(a.get("candidates", []), list)
        and all(
            isinstance(c, dict) and isinstance(c.get("id"), str) for c in a.get("candidates", [])
        )
        for a in affiliations
    ):
        raise _bad("/affiliations", "a malformed list of affiliations")
    locations = document.get("locations")
    if locations is not None and not isinstance(locations, dict):
        raise _bad("/locations", "no object")


def bad_counts(document: Any) -> list[tuple[str, Any]]:
    """Every value where a count belongs that breaks the one rule of
    :mod:`telnorm.parsers.counts`, as ``(JSON Pointer, value)``, in document order. Values
    of the wrong shape around them are skipped (the other checks report those)."""
    found: list[tuple[str, Any]] = []

    def check(pointer: str, value: Any, required: bool = False) -> None:
        if (value is not None or required) and not _is_count(value):
            found.append((pointer, value))

    def group(values: Any, pointer: str) -> None:
        if not isinstance(values, dict):
            return
        for key in ("cast", "total_counted", "votes_cast"):
            check(f"{pointer}/{key}", values.get(key))
        for field in ("rejected_votes", "uncounted_votes"):
            codes = values.get(field)
            if isinstance(codes, dict):
                for code, value in codes.items():
                    escaped = str(code).replace("~", "~0").replace("/", "~1")
                    check(f"{pointer}/{field}/{escaped}", value, required=True)
        selections = values.get("selections")
        for s_index, selection in enumerate(
            selections if isinstance(selections, list | PackedSelections) else ()
        ):
            if not isinstance(selection, dict):
                continue
            s_pointer = f"{pointer}/selections/{s_index}"
            check(f"{s_pointer}/valid_votes", selection.get("valid_votes"))
            candidates = selection.get("candidates")
            for c_index, candidate in enumerate(candidates if isinstance(candidates, list) else ()):
                if isinstance(candidate, dict):
                    check(
                        f"{s_pointer}/candidates/{c_index}/valid_votes",
                        candidate.get("valid_votes"),
                        required=True,
                    )

    if isinstance(document, dict):
        group(document.get("total_votes"), "/total_votes")
        units = document.get("reporting_unit_votes")
        for index, unit in enumerate(units if isinstance(units, list) else ()):
            group(unit, f"/reporting_unit_votes/{index}")
    return found


def check_count_values(document: Any, schema_pointers: set[str]) -> None:
    """A canonical document whose only schema violations are counts that break the one
    rule of :mod:`telnorm.parsers.counts` is ``invalid-count`` with the first one's pointer,
    as every parser answers for the same text; with other violations too, the schema
    check's problem lists them all (the counts among them)."""
    found = bad_counts(document)
    if found and schema_pointers <= {pointer for pointer, _ in found}:
        raise _bad_count(*found[0])
