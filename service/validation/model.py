"""Findings, the rule base class and the prepared view of a document that rules read.

Rules are written as single passes over the plain dicts of the canonical document: a
100 MB count has hundreds of thousands of candidate entries, so nothing here copies them or
builds objects per entry. Findings are only built when something is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

import orjson

from telnorm.parsers.canonical import Document
from telnorm.parsers.conventions import escape_pointer, id_sort_key
from telnorm.parsers.packed_selections import PackedSelections

# The letters of the Dutch forms (proces-verbaal), as EML reason codes.
A = "geldige stempassen"
B = "geldige volmachtbewijzen"
C = "geldige kiezerspassen"
D = "toegelaten kiezers"
I = "meer getelde stembiljetten"  # noqa: E741 - the letter on the form
J = "minder getelde stembiljetten"
GEEN_VERKLARING = "geen verklaring"
BLANCO = "blanco"
ONGELDIG = "ongeldig"

TOTAL_POINTER = "/total_votes"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

FAMILIES = {
    "arithmetic": "Arithmetic per unit and per total (F errors, W warnings)",
    "aggregation": "Aggregation: the total against the sum of the units",
    "structure": "Structure: ids, lists and candidates",
    "reconciliation": "Reconciliation against a reference count",
    "plausibility": "Plausibility (opt-in; Kiesraad control protocol)",
}


@dataclass(frozen=True, slots=True)
class Group:
    """One vote group: a reporting unit, or the authority's total (``index`` -1)."""

    index: int
    pointer: str
    data: Mapping[str, Any]

    @property
    def unit_id(self) -> str | None:
        if self.index < 0:
            return None
        value = self.data.get("id")
        return value if isinstance(value, str) else None

    @property
    def label(self) -> str:
        return "the total" if self.index < 0 else f"unit {self.unit_id}"

    @property
    def sentence_label(self) -> str:
        """The label at the start of a sentence (ids keep their case)."""
        return "The total" if self.index < 0 else f"Unit {self.unit_id}"


@dataclass(slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    pointer: str
    reporting_unit: str | None = None
    affiliation: str | None = None
    candidate: str | None = None
    expected: int | None = None
    actual: int | None = None
    difference: int | None = None
    #: (unit index, selection index, candidate index): document order, total (-1) first.
    order: tuple[int, int, int] = (-1, -1, -1)

    def sort_key(self) -> tuple[Any, ...]:
        return (
            SEVERITY_RANK[self.severity],
            self.code,
            self.order,
            self.pointer,
            self.message,
        )

    def to_dict(self, locate: Locator | None) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "location": {
                "reporting_unit": self.reporting_unit,
                "affiliation": self.affiliation,
                "candidate": self.candidate,
                "pointer": self.pointer,
                "source": locate(self.pointer) if locate is not None else None,
            },
            "expected": self.expected,
            "actual": self.actual,
            "difference": self.difference,
        }


class Locator:
    """Source locations of finding pointers, with an honest fallback.

    A pointer the ``locations`` map names gets its own location, unchanged. A finding can
    also point at a value the file does not state (a reason code or a list the total lacks,
    a derived H, a whole unit); it then gets the location of the nearest place that exists,
    marked ``"nearest": <pointer>`` so nobody mistakes it for the value itself:

    1. the nearest located ancestor, or else the first located value of the same family
       below it (another reason code of ``rejected_votes``, another list of ``selections``),
       walking up to the vote group;
    2. for a vote group: in an XML source the group's own element (``.../TotalVotes``,
       ``.../ReportingUnitVotes[3]``), taken from a value that is a direct child of it
       (no line: the map has none for the group); otherwise its first stated value.

    Values of another reporting unit are never used. The index of located descendants is
    only built when some pointer needs the fallback, so a valid file pays nothing for it.
    """

    def __init__(self, locations: Mapping[str, Any]) -> None:
        self.locations = locations
        self._first: dict[str, str] | None = None

    def __call__(self, pointer: str) -> Any:
        found = self.locations.get(pointer)
        if found is not None:
            return found
        nearest = self._nearest(pointer)
        if nearest is None:
            return None
        near, where = nearest
        if near == pointer:
            return where
        return {**where, "nearest": near}

    def _nearest(self, pointer: str) -> tuple[str, Mapping[str, Any]] | None:
        current = pointer
        while current:
            if current != pointer:
                found = self.locations.get(current)
                if found is not None:
                    return current, found
            if _is_group(current):
                return self._group(current)
            if current.count("/") < 2:
                return None  # a top-level member: nothing nearer that is not someone else's
            first = self._first_below(current)
            if first is not None:
                return first, self.locations[first]
            current = current.rpartition("/")[0]
        return None

    def _group(self, group: str) -> tuple[str, Mapping[str, Any]] | None:
        for child in _GROUP_PROBES:
            found = self.locations.get(group + child)
            if found is None:
                continue
            xpath = found.get("xpath") if isinstance(found, Mapping) else None
            if isinstance(xpath, str) and child.count("/") == 1:
                parent, _, last = xpath.rpartition("/")
                if parent and not last.startswith("@"):
                    return group, {"xpath": parent}
            return group + child, found
        first = self._first_below(group)
        return (first, self.locations[first]) if first is not None else None

    def _first_below(self, prefix: str) -> str | None:
        first_below = getattr(self.locations, "first_below", None)
        if first_below is not None:  # a deferred map answers without listing every key
            found: str | None = first_below(prefix)
            return found
        if self._first is None:
            first: dict[str, str] = {}
            for key in self.locations:
                head = key
                while True:
                    head = head.rpartition("/")[0]
                    if not head or head in first:
                        break
                    first[head] = key
            self._first = first
        return self._first.get(prefix)


def _is_group(pointer: str) -> bool:
    if pointer == TOTAL_POINTER:
        return True
    head, _, index = pointer.rpartition("/")
    return head == "/reporting_unit_votes" and index.isdigit()


# Values that show where a vote group is; one-token ones are direct children of its element.
_GROUP_PROBES = ("/id", "/name", "/cast", "/total_counted", "/selections/0/valid_votes")


@dataclass
class Reference:
    """The reference count matched to this municipality (see :mod:`.reference`)."""

    #: The reference's own document (canonical shape).
    document: Document
    #: The vote group that stands for this municipality, or None when none was found.
    group: Mapping[str, Any] | None
    #: Its unit id in the reference (or the reference's authority id).
    unit_id: str | None
    #: ``id`` (CBS code), ``authority`` (the reference is this municipality's own count)
    #: or ``name`` (no code matched; the names did).
    matched_by: str | None
    description: str


def _decoded(group: Mapping[str, Any]) -> Mapping[str, Any]:
    """The group with its selections decoded once for all rules (packed selections decode
    on every read, and each rule reads every group: measured, seven decodes of each unit of a
    700-station count cost a second). The document itself is not changed."""
    selections = group.get("selections") if isinstance(group, dict) else None
    if isinstance(selections, PackedSelections):
        return {**group, "selections": orjson.loads(selections.raw)}
    return group


@dataclass
class Context:
    """A document prepared for the rules: its groups, indexes shared by several rules."""

    document: Document
    reference: Reference | None = None
    #: Candidate list (EML 230b) as ``{list id: (list name, [candidate ids])}``.
    candidate_list: Mapping[str, tuple[str | None, list[str]]] | None = None
    plausibility: bool = False
    total: Group = field(init=False)
    units: list[Group] = field(init=False)

    def __post_init__(self) -> None:
        self.total = Group(-1, TOTAL_POINTER, _decoded(self.document.get("total_votes") or {}))
        self.units = [
            Group(index, f"/reporting_unit_votes/{index}", _decoded(unit))
            for index, unit in enumerate(self.document.get("reporting_unit_votes") or [])
        ]

    @property
    def groups(self) -> Iterator[Group]:
        """The total first, then every unit in document order."""
        yield self.total
        yield from self.units


class Rule:
    """One check. Subclasses set the class attributes and implement :meth:`check`.

    The docstring holds a ``Fails:`` and a ``Passes:`` example (served by ``GET /rules``).
    """

    code: ClassVar[str]
    severity: ClassVar[Severity]
    title: ClassVar[str]
    family: ClassVar[str]
    #: What the rule needs besides the document: None, "reference", "candidate_list" or
    #: "plausibility". Rules whose need is not met do not run.
    needs: ClassVar[str | None] = None

    def check(self, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError

    def applies(self, ctx: Context) -> bool:
        if self.needs is None:
            return True
        if self.needs == "reference":
            return ctx.reference is not None
        if self.needs == "candidate_list":
            return ctx.candidate_list is not None
        if self.needs == "plausibility":
            return ctx.plausibility
        raise ValueError(f"unknown need {self.needs!r}")

    def finding(
        self,
        group: Group,
        message: str,
        suffix: str = "",
        *,
        affiliation: str | None = None,
        candidate: str | None = None,
        expected: int | None = None,
        actual: int | None = None,
        order: tuple[int, int] = (-1, -1),
    ) -> Finding:
        """A finding about ``group``; ``suffix`` is the pointer below the group."""
        difference = actual - expected if actual is not None and expected is not None else None
        return Finding(
            code=self.code,
            severity=self.severity,
            message=message,
            pointer=group.pointer + suffix,
            reporting_unit=group.unit_id,
            affiliation=affiliation,
            candidate=candidate,
            expected=expected,
            actual=actual,
            difference=difference,
            order=(group.index, *order),
        )

    @classmethod
    def examples(cls) -> dict[str, str]:
        """The ``Fails:`` and ``Passes:`` paragraphs of the docstring."""
        return parse_examples(cls.__doc__ or "")

    @classmethod
    def describe(cls) -> dict[str, Any]:
        examples = cls.examples()
        doc = (cls.__doc__ or "").strip()
        return {
            "code": cls.code,
            "severity": cls.severity.value,
            "title": cls.title,
            "family": cls.family,
            "needs": cls.needs,
            "description": _first_paragraph(doc),
            "bad_example": examples.get("fails"),
            "good_example": examples.get("passes"),
        }


_EXAMPLE = re.compile(r"^\s*(Fails|Passes):\s*(.*?)(?=^\s*(?:Fails|Passes):|\Z)", re.M | re.S)


def parse_examples(doc: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _EXAMPLE.finditer(doc):
        text = " ".join(match.group(2).split())
        if text:
            found[match.group(1).lower()] = text
    return found


def _first_paragraph(doc: str) -> str:
    return " ".join(doc.split("\n\n", 1)[0].split())


# --- small value helpers every rule uses ----------------------------------------------


def votes_cast(group: Mapping[str, Any]) -> tuple[int | None, bool]:
    """H and whether the file states it (else E + F + G, or None when one of them is absent)."""
    stated = group.get("votes_cast")
    if stated is not None:
        return stated, True
    return derived_h(group), False


def derived_h(group: Mapping[str, Any]) -> int | None:
    """E + F + G, or None when the file does not state all three (an absent F is not 0)."""
    total = group.get("total_counted")
    rejected = group.get("rejected_votes") or {}
    blanco, ongeldig = rejected.get(BLANCO), rejected.get(ONGELDIG)
    if total is None or blanco is None or ongeldig is None:
        return None
    return int(total + blanco + ongeldig)


def uncounted(group: Mapping[str, Any], code: str) -> int | None:
    values = group.get("uncounted_votes") or {}
    value = values.get(code)
    return value if value is None else int(value)


def rejected(group: Mapping[str, Any], code: str) -> int | None:
    values = group.get("rejected_votes") or {}
    value = values.get(code)
    return value if value is None else int(value)


def uncounted_suffix(code: str) -> str:
    return "/uncounted_votes/" + escape_pointer(code)


def rejected_suffix(code: str) -> str:
    return "/rejected_votes/" + escape_pointer(code)


#: List and candidate ids are numbers as strings: sort 2 before 10 (the one order of
#: :mod:`telnorm.parsers.conventions`).
natural_key = id_sort_key
