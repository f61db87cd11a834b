"""The reference counts of a reconciliation, indexed by municipality.

Each reference is read with :func:`telnorm.service.validation.reference.load_reference`
(510c, 510d, 510b, canonical JSON or municipal totals) and kept as small totals: its own
total and one :class:`RefUnit` per reporting unit. A 510b (or canonical document) of a
municipality counts as a unit for that municipality. Matching is by CBS code; by name only
as a fallback, which the report notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from telnorm.parsers.api import Limits
from telnorm.parsers.canonical import Document
from telnorm.service.reconcile.summary import GroupTotals, add_into, group_totals
from telnorm.service.validation.reference import (
    cbs_code,
    describe_reference,
    load_reference,
    name_key,
)

CENTRAL_LEVELS = ("central", "national")
#: Notes of reading a reference that question its own numbers, carried into the report: a
#: databank file whose district or province rows are not the sum of the regions under them.
DOUBTFUL_NOTES = ("databank-sum-differs",)


@dataclass
class RefUnit:
    id: str | None
    name: str | None
    code: str | None
    totals: GroupTotals
    reference: int  # index into ReferenceSet.documents


@dataclass
class RefDocument:
    file: str
    description: str
    eml_id: str | None
    level: str | None
    election_id: str | None
    category: str | None
    authority_id: str | None
    total: GroupTotals
    units: list[RefUnit]
    list_names: dict[str, str | None]
    #: True when the document's own total states no lists (municipal-totals JSON)
    total_from_units: bool = False
    #: What reading it found doubtful in its own numbers (:data:`DOUBTFUL_NOTES`).
    doubts: list[str] = field(default_factory=list)

    def election_totals(self) -> GroupTotals:
        """The document's total per list, or the sum of its units when it states none."""
        if not self.total_from_units:
            return self.total
        out = GroupTotals()
        for unit in self.units:
            add_into(out, unit.totals)
        return out


@dataclass
class ReferenceSet:
    documents: list[RefDocument] = field(default_factory=list)
    by_code: dict[str, list[RefUnit]] = field(default_factory=dict)
    by_name: dict[str, list[RefUnit]] = field(default_factory=dict)

    def add(self, document: Document, file: str) -> None:
        index = len(self.documents)
        doc = document.get("document") or {}
        election = document.get("election") or {}
        authority = document.get("managing_authority") or {}
        total = group_totals(document.get("total_votes") or {})
        units = [
            RefUnit(
                unit.get("id"),
                unit.get("name"),
                cbs_code(unit.get("id")),
                group_totals(unit),
                index,
            )
            for unit in document.get("reporting_unit_votes") or []
        ]
        ref = RefDocument(
            file=file,
            description=describe_reference(document),
            eml_id=doc.get("eml_id"),
            level=doc.get("level"),
            election_id=election.get("id"),
            category=election.get("category"),
            authority_id=authority.get("id"),
            total=total,
            units=units,
            list_names={
                str(a.get("id")): a.get("name") for a in document.get("affiliations") or []
            },
            total_from_units=not total.has_lists(),
            doubts=[
                str(note.get("message"))
                for note in document.get("notes") or []
                if note.get("code") in DOUBTFUL_NOTES
            ],
        )
        self.documents.append(ref)
        own_code = cbs_code(authority.get("id"))
        if doc.get("level") == "municipality" and own_code is not None:
            # a municipality's own count (510b or canonical) stands for that municipality
            self._index(RefUnit(authority.get("id"), authority.get("name"), own_code, total, index))
        else:
            for unit in units:
                self._index(unit)

    def _index(self, unit: RefUnit) -> None:
        if unit.code is not None:
            self.by_code.setdefault(unit.code, []).append(unit)
        key = name_key(unit.name)
        if key is not None:
            self.by_name.setdefault(key, []).append(unit)

    def match(self, authority_id: str | None, name: str | None) -> tuple[list[RefUnit], str | None]:
        """The reference units for a municipality, and how they were found."""
        code = cbs_code(authority_id)
        if code is not None and code in self.by_code:
            return self.by_code[code], "id"
        key = name_key(name)
        if key is not None and key in self.by_name:
            return self.by_name[key], "name"
        return [], None


def load_reference_set(paths: list[tuple[Path, str]], limits: Limits) -> ReferenceSet:
    """Read every reference (ContextFileError names the one that cannot be used)."""
    refs = ReferenceSet()
    for path, name in paths:
        refs.add(load_reference(path, name, limits), name)
    return refs
