"""From a canonical document and its validation report to what the result page shows.

The table is units x lists with the totals; each finding is tied to its table row through its
JSON Pointer (``/reporting_unit_votes/3/...`` is row 3, ``/total_votes/...`` the total row),
which is exact even when two units share an id (S.101).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")
TOTAL_ANCHOR = "rij-totaal"
_UNIT_POINTER = re.compile(r"^/reporting_unit_votes/(\d+)(?:/|$)")


def row_anchor(index: int) -> str:
    return f"rij-{index + 1}"


def anchor_for(pointer: str) -> str | None:
    """The table row a finding's pointer falls in (None for document-wide findings)."""
    match = _UNIT_POINTER.match(pointer)
    if match:
        return row_anchor(int(match.group(1)))
    if pointer.startswith("/total_votes"):
        return TOTAL_ANCHOR
    return None


@dataclass
class Row:
    anchor: str
    label: str
    votes: list[int | None]
    total_counted: int | None
    blanco: int | None
    ongeldig: int | None
    admitted: int | None
    #: The worst severity of the row's findings ("error", "warning", "info"), or None.
    severity: str | None = None
    #: List ids with a finding in this row: those cells are marked too.
    flagged: set[str] = field(default_factory=set)


@dataclass
class FindingView:
    code: str
    severity: str
    message: str
    anchor: str | None
    unit: str | None
    affiliation: str | None
    candidate: str | None
    source: Mapping[str, Any] | None
    expected: int | None
    actual: int | None
    difference: int | None


@dataclass
class ResultView:
    lists: list[tuple[str, str]]
    rows: list[Row]
    total: Row | None
    findings: dict[str, list[FindingView]]
    valid: bool
    summary: Mapping[str, Any]


def _group_row(group: Mapping[str, Any], list_ids: list[str], anchor: str, label: str) -> Row:
    by_list: dict[str, int | None] = {}
    for selection in group.get("selections") or []:
        by_list.setdefault(str(selection.get("affiliation_id")), selection.get("valid_votes"))
    rejected = group.get("rejected_votes") or {}
    uncounted = group.get("uncounted_votes") or {}
    return Row(
        anchor=anchor,
        label=label,
        votes=[by_list.get(list_id) for list_id in list_ids],
        total_counted=group.get("total_counted"),
        blanco=rejected.get("blanco"),
        ongeldig=rejected.get("ongeldig"),
        admitted=uncounted.get("toegelaten kiezers"),
    )


def _unit_label(unit: Mapping[str, Any]) -> str:
    name = unit.get("name")
    ident = str(unit.get("id") or "")
    return f"{name} ({ident})" if name else ident


def _lists(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every list in the order of ``affiliations``, then any only the votes name."""
    lists: dict[str, str] = {}
    for affiliation in document.get("affiliations") or []:
        ident = str(affiliation.get("id"))
        lists.setdefault(ident, str(affiliation.get("name") or ident))
    groups = [document.get("total_votes") or {}, *(document.get("reporting_unit_votes") or [])]
    for group in groups:
        for selection in group.get("selections") or []:
            ident = str(selection.get("affiliation_id"))
            lists.setdefault(ident, ident)
    return list(lists.items())


def build(document: Mapping[str, Any], report: Mapping[str, Any]) -> ResultView:
    lists = _lists(document)
    list_ids = [ident for ident, _ in lists]
    rows = [
        _group_row(unit, list_ids, row_anchor(index), _unit_label(unit))
        for index, unit in enumerate(document.get("reporting_unit_votes") or [])
    ]
    total_group = document.get("total_votes")
    total = _group_row(total_group, list_ids, TOTAL_ANCHOR, "") if total_group else None
    by_anchor = {row.anchor: row for row in rows}
    if total is not None:
        by_anchor[TOTAL_ANCHOR] = total

    findings: dict[str, list[FindingView]] = {severity: [] for severity in SEVERITIES}
    for item in report.get("findings") or []:
        location = item.get("location") or {}
        anchor = anchor_for(str(location.get("pointer") or ""))
        view = FindingView(
            code=str(item.get("code")),
            severity=str(item.get("severity")),
            message=str(item.get("message")),
            anchor=anchor if anchor in by_anchor else None,
            unit=location.get("reporting_unit"),
            affiliation=location.get("affiliation"),
            candidate=location.get("candidate"),
            source=location.get("source"),
            expected=item.get("expected"),
            actual=item.get("actual"),
            difference=item.get("difference"),
        )
        findings.setdefault(view.severity, []).append(view)
        row = by_anchor.get(view.anchor or "")
        if row is not None:
            rank = SEVERITIES.index(view.severity) if view.severity in SEVERITIES else 2
            if row.severity is None or rank < SEVERITIES.index(row.severity):
                row.severity = SEVERITIES[rank]
            if view.affiliation:
                row.flagged.add(str(view.affiliation))
    return ResultView(
        lists=lists,
        rows=rows,
        total=total,
        findings=findings,
        valid=bool(report.get("valid")),
        summary=report.get("summary") or {},
    )
