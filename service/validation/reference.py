"""Reading a reference count and finding this municipality in it.

A reference is one of:

* an EML count: a district 510c (units ``HSBn::dddd`` or ``dddd``), a central 510d (units
  are districts, or municipalities for provincial and water-board elections), or another
  510b of the same municipality. EML is normalised through
  :func:`telnorm.service.pipeline.normalise`;
* a canonical document (JSON with ``format_version``), of any level;
* a small JSON of municipal totals per list (``"kind": "municipal-totals"``, see
  ``docs/validation/reconciliation.md``): for a district office that keys list totals by hand.

Every form becomes a canonical-shaped document; :func:`match_reference` then finds the vote
group that stands for the validated municipality: by CBS code first (the last ``::`` part
of a unit id, zero-padded to four digits), else by the authority itself (a reference that is
the municipality's own count), else by name (reported as R.102).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from telnorm.parsers.api import Limits
from telnorm.parsers.canonical import Document, new_vote_group
from telnorm.parsers.counts import MAX_COUNT
from telnorm.parsers.errors import ContextFileError, TelnormError
from telnorm.service.pipeline import InputFile, normalise
from telnorm.service.validation.model import Reference
from telnorm.service.validation.shape import check_document, check_envelope
from telnorm.service.validation.strict import check_schema

MUNICIPAL_TOTALS_KIND = "municipal-totals"


def looks_like_json(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def load_reference(
    path: Path, filename: str | None = None, limits: Limits | None = None
) -> Document:
    """Read a reference file into a canonical-shaped document (ContextFileError if unusable)."""
    name = filename or path.name
    with path.open("rb") as handle:
        head = handle.read(64)
    if looks_like_json(head):
        try:
            raw = path.read_bytes()
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ContextFileError(
                f"The reference file ({name}) is not valid JSON: {exc}", role="reference"
            ) from None
        from telnorm.service.jsonsafe import check_json_numbers

        try:
            check_json_numbers(raw, data)
        except TelnormError as exc:
            raise ContextFileError(
                f"The reference file ({name}): {exc.message}",
                location=exc.location,
                role="reference",
            ) from None
        return reference_from_json(data, name)
    try:
        return normalise(InputFile(path, name), limits=limits)
    except TelnormError as exc:
        raise ContextFileError(
            f"The reference file ({name}) cannot be read: {exc.message}",
            location=exc.location,
            role="reference",
        ) from None


def reference_from_json(data: Any, name: str = "reference") -> Document:
    """A canonical document or a municipal-totals JSON, as a canonical-shaped document."""
    if isinstance(data, dict) and data.get("kind") == MUNICIPAL_TOTALS_KIND:
        return municipal_totals_document(data, name)
    if isinstance(data, dict) and "format_version" in data:
        try:
            check_envelope(data)
            check_schema(data)
            check_document(data)
        except TelnormError as exc:
            raise ContextFileError(
                f"The reference document ({name}) is not a usable canonical document: "
                f"{exc.message}",
                role="reference",
                location=exc.location,
                **{key: value for key, value in exc.extra.items() if key == "errors"},
            ) from None
        return data
    raise ContextFileError(
        f"The reference file ({name}) is JSON but neither a canonical document (no "
        f"format_version) nor municipal totals (kind {MUNICIPAL_TOTALS_KIND!r}).",
        role="reference",
    )


def _count(value: Any, where: str, name: str) -> int:
    if type(value) is not int or not 0 <= value <= MAX_COUNT:
        raise ContextFileError(
            f"The reference ({name}) has {value!r} at {where}; a count must be a "
            f"non-negative integer of at most {MAX_COUNT}.",
            role="reference",
        )
    return value


def _counts(values: Any, where: str, name: str) -> dict[str, int]:
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ContextFileError(
            f"The reference ({name}) has no object at {where}.", role="reference"
        )
    return {str(k): _count(v, f"{where}.{k}", name) for k, v in values.items()}


def municipal_totals_document(data: Mapping[str, Any], name: str) -> Document:
    """The municipal-totals JSON as a canonical-shaped document with one unit per entry."""
    entries = data.get("municipalities")
    if not isinstance(entries, list) or not entries:
        raise ContextFileError(
            f"The reference ({name}) has no 'municipalities' list.", role="reference"
        )
    units: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        where = f"municipalities[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise ContextFileError(
                f"The reference ({name}) has no string 'id' at {where}.", role="reference"
            )
        group: dict[str, Any] = dict(new_vote_group())
        group.update(id=entry["id"], name=entry.get("name"))
        if entry.get("total_counted") is not None:
            group["total_counted"] = _count(entry["total_counted"], f"{where}.total_counted", name)
        group["rejected_votes"] = _counts(
            entry.get("rejected_votes"), f"{where}.rejected_votes", name
        )
        group["uncounted_votes"] = _counts(
            entry.get("uncounted_votes"), f"{where}.uncounted_votes", name
        )
        candidates = entry.get("candidates") or {}
        if not isinstance(candidates, dict):
            raise ContextFileError(
                f"The reference ({name}) has no object at {where}.candidates.",
                role="reference",
            )
        group["selections"] = [
            {
                "affiliation_id": aff,
                "valid_votes": votes,
                "candidates": [
                    {"candidate_id": cid, "valid_votes": value}
                    for cid, value in _counts(
                        candidates.get(aff), f"{where}.candidates.{aff}", name
                    ).items()
                ],
            }
            for aff, votes in _counts(entry.get("lists"), f"{where}.lists", name).items()
        ]
        units.append(group)
    return {
        "format_version": "1",
        "document": {"eml_id": None, "level": "district"},
        "election": {"id": data.get("election_id")},
        "contest": {"id": data.get("contest_id")},
        "managing_authority": {"id": data.get("authority_id"), "name": data.get("authority")},
        "affiliations": [],
        "total_votes": new_vote_group(),
        "reporting_unit_votes": units,
        "source": {"filename": name},
        "notes": [],
    }


def cbs_code(identifier: Any) -> str | None:
    """``HSB18::0756``, ``0756``, ``756`` -> ``0756``; ``HSB3``, ``0518::SB1`` -> None."""
    if not isinstance(identifier, str):
        return None
    last = identifier.rsplit("::", 1)[-1].strip()
    return last.zfill(4) if last.isdigit() and len(last) <= 4 else None


_NOT_NAME = re.compile(r"[^0-9a-z]+")
_PREFIX = re.compile(r"^(gemeente|gem\.?)\s+", re.IGNORECASE)


def name_key(name: Any) -> str | None:
    """Names compared without ``Gemeente``, case, spaces and punctuation."""
    if not isinstance(name, str):
        return None
    key = _NOT_NAME.sub("", _PREFIX.sub("", name.strip()).casefold())
    return key or None


def describe_reference(reference: Document) -> str:
    doc = reference.get("document") or {}
    authority = reference.get("managing_authority") or {}
    source = reference.get("source") or {}
    kind = doc.get("eml_id") or doc.get("level") or "document"
    parts = [str(kind)]
    if authority.get("id") or authority.get("name"):
        parts.append(f"of {authority.get('id') or ''} {authority.get('name') or ''}".strip())
    if source.get("filename"):
        parts.append(f"from {source['filename']}")
    return " ".join(parts)


def match_reference(document: Document, reference: Document) -> Reference:
    """Find the vote group of the reference that stands for ``document``'s municipality."""
    authority = document.get("managing_authority") or {}
    own_id = authority.get("id")
    code = cbs_code(own_id)
    description = describe_reference(reference)
    units = reference.get("reporting_unit_votes") or []
    their_authority = reference.get("managing_authority") or {}

    for unit in units:
        unit_id = unit.get("id")
        if (code is not None and cbs_code(unit_id) == code) or (
            code is None and own_id is not None and unit_id == own_id
        ):
            return Reference(reference, unit, unit_id, "id", description)
    if own_id is not None and (
        their_authority.get("id") == own_id
        or (code is not None and cbs_code(their_authority.get("id")) == code)
    ):
        # The reference is this municipality's own count (a 510b or its canonical form).
        return Reference(
            reference, reference.get("total_votes") or {}, own_id, "authority", description
        )
    key = name_key(authority.get("name"))
    if key is not None:
        for unit in units:
            if name_key(unit.get("name")) == key:
                return Reference(reference, unit, unit.get("id"), "name", description)
    return Reference(reference, None, None, None, description)
