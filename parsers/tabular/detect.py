"""Layout detection: which family a sheet (or workbook) is laid out in, and where its header
row or label column is.

Recognition only uses labels the vocabulary (or the mapping) knows, so a title row, a blank
row or column, or a notes column does not change the outcome. The families of the registry
(:data:`telnorm.parsers.tabular.families.FAMILIES`) are asked in rank order. Two families
that fit equally raise :class:`~telnorm.parsers.errors.AmbiguousLayout`; none raises
:class:`~telnorm.parsers.errors.NoHeader`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telnorm.parsers.errors import AmbiguousLayout, NoHeader
from telnorm.parsers.tabular.families import FAMILIES
from telnorm.parsers.tabular.families.base import ColumnEvidence, HeaderEvidence, Labels, Plan
from telnorm.parsers.tabular.families.pivot import find_pivot
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.mapping import Mapping
from telnorm.parsers.tabular.numbers import looks_numeric
from telnorm.parsers.tabular.vocabulary import (
    LIST_ROLES,
    UNIT_ROLES,
    is_number_field,
    normalise_label,
)

__all__ = ["Labels", "Plan", "analyse_sheet", "plan_workbook"]

_SCAN_ROWS = 40
_SCAN_COLUMNS = 8
#: A label column needs this many statistic labels.
_MIN_STAT_ROWS = 3


def header_evidence(sheet: Sheet, r: int, labels: Labels) -> HeaderEvidence:
    roles = [labels(sheet.text(r, c)) for c in range(sheet.width)]
    return HeaderEvidence(
        sheet,
        r,
        roles,
        units=sum(role in UNIT_ROLES for role in roles),
        lists=sum(role in LIST_ROLES for role in roles),
        votes=roles.count("votes"),
        stats=sum(is_number_field(role) for role in roles),
        others=sum(
            1
            for c, role in enumerate(roles)
            if role is None and sheet.text(r, c) and not looks_numeric(sheet.cell(r, c))
        ),
    )


def _row_signal(sheet: Sheet, r: int, labels: Labels) -> tuple[str | None, list[str]]:
    evidence = header_evidence(sheet, r, labels)
    for entry in FAMILIES:
        if entry.header_signal is not None:
            said = entry.header_signal(evidence)
            if said is not None:
                return entry.id, [said]
    return None, []


def _column_signal(sheet: Sheet, c: int, labels: Labels) -> tuple[str | None, list[str]]:
    stat_rows = [
        r for r in range(min(len(sheet.rows), 400)) if is_number_field(labels(sheet.text(r, c)))
    ]
    if len(stat_rows) < _MIN_STAT_ROWS:
        return None, []
    value_columns = set()
    for r in stat_rows:
        for c2 in range(c + 1, sheet.width):
            if looks_numeric(sheet.cell(r, c2)):
                value_columns.add(c2)
    evidence = ColumnEvidence(sheet, c, stat_rows, value_columns)
    for entry in FAMILIES:
        if entry.column_signal is not None:
            said = entry.column_signal(evidence)
            if said is not None:
                return entry.id, [said]
    return None, []


def analyse_sheet(sheet: Sheet, labels: Labels) -> Plan | None:
    rows: list[tuple[str, int, list[str]]] = []
    for r in range(min(len(sheet.rows), _SCAN_ROWS)):
        family, evidence = _row_signal(sheet, r, labels)
        if family:
            rows.append((family, r, evidence))
            break
    columns: list[tuple[str, int, list[str]]] = []
    for c in range(min(sheet.width, _SCAN_COLUMNS)):
        family, evidence = _column_signal(sheet, c, labels)
        if family:
            columns.append((family, c, evidence))
            break
    if rows and rows[0][0] == "osv4-3":
        return Plan("osv4-3", [sheet], rows[0][1], None, rows[0][2])
    if rows and columns and rows[0][0] == "a":
        raise AmbiguousLayout(
            f"The table fits two layouts: {rows[0][2][0]} (stations as rows) and "
            f'{columns[0][2][0]} (stations as columns). Upload a mapping with family = "a" or '
            '"b" (POST /mappings/suggest drafts one).',
            location=sheet.location(rows[0][1], 0),
            families=["a", columns[0][0]],
        )
    if rows:
        return Plan(rows[0][0], [sheet], rows[0][1], None, rows[0][2])
    if columns:
        return Plan(columns[0][0], [sheet], None, columns[0][1], columns[0][2])
    pivot = find_pivot(sheet, labels)
    if pivot is not None:
        label_column, header, why = pivot
        return Plan("pivot", [sheet], header, label_column, [why])
    return None


def _sheets_to_read(
    sheets: list[Sheet],
    wanted: str | None,
    note: Callable[[str, str, dict[str, Any] | None], None] | None,
) -> list[Sheet]:
    """The sheet ``sheet=`` (or the mapping) names, else every visible sheet (hidden ones,
    old versions and helper tables, are noted and left out)."""
    if wanted is not None:
        chosen = [s for s in sheets if s.name == wanted]
        if not chosen:
            names = ", ".join(repr(s.name) for s in sheets)
            raise NoHeader(f"There is no sheet {wanted!r}; the sheets are {names}.")
        sheets = chosen
        if note is not None and chosen[0].hidden:
            note(
                "hidden-sheet",
                f"Sheet {wanted!r} is hidden; it is read because sheet= names it.",
                {"sheet": wanted},
            )
    else:
        # Hidden sheets (old versions, helper tables) are not part of the count unless named.
        for sheet in sheets:
            if sheet.hidden and note is not None:
                note(
                    "hidden-sheet",
                    f"Sheet {sheet.name!r} is hidden; it is left out (name it with "
                    "sheet= to read it).",
                    {"sheet": sheet.name},
                )
        sheets = [sheet for sheet in sheets if not sheet.hidden] or sheets[:0]
    return sheets


def plan_workbook(
    sheets: list[Sheet],
    mapping: Mapping | None,
    sheet_option: str | None,
    note: Callable[[str, str, dict[str, Any] | None], None] | None = None,
) -> Plan:
    labels = Labels(mapping)
    sheets = _sheets_to_read(sheets, sheet_option or (mapping.sheet if mapping else None), note)
    if mapping and mapping.family:
        header = _index_of_row(sheets[0], mapping.header_row) if mapping.header_row else None
        plan = Plan(
            mapping.family,
            sheets,
            header,
            mapping.label_column,
            [f"family {mapping.family} from mapping {mapping.id}"],
        )
        if plan.family in ("a", "c", "osv4-3", "pivot") and plan.header_row is None:
            probe = analyse_sheet(sheets[0], labels)
            plan.header_row = probe.header_row if probe else None
        if plan.family in ("b", "d", "pivot") and plan.label_column is None:
            probe = analyse_sheet(sheets[0], labels)
            plan.label_column = probe.label_column if probe else None
        if plan.family != "d":
            plan.sheets = sheets[:1]
        return plan
    plans = [(s, analyse_sheet(s, labels)) for s in sheets]
    found = [p for _s, p in plans if p is not None]
    if not found:
        first = sheets[0] if sheets else None
        raise NoHeader(
            "No header row or label column the vocabulary knows was found"
            + (
                f" (looked at the first {_SCAN_ROWS} rows of {len(sheets)} sheet(s))"
                if sheets
                else ""
            )
            + ". Expected labels such as 'Stembureau', 'opgeroepenen', 'blanco', 'Lijstnummer'. "
            "Upload a mapping (POST /mappings/suggest drafts one from this file).",
            location=first.location(0, 0) if first and first.rows else None,
        )
    families = {p.family for p in found}
    if families == {"d"}:
        return Plan(
            "d",
            [p.sheets[0] for p in found],
            None,
            found[0].label_column,
            [f"{len(found)} sheet(s) laid out like the paper form"],
        )
    if len(found) > 1:
        count_plan = _count_sheet_by_evidence(found)
        if count_plan is not None:
            others = [p.sheets[0].name for p in found if p is not count_plan]
            count_plan.evidence.append(
                f"sheet {count_plan.sheets[0].name!r} chosen as the per-station count; the other "
                f"sheet(s) {', '.join(repr(n) for n in others)} are named as summaries, "
                "comparisons or charts (name another with sheet=)"
            )
            return count_plan
        names = ", ".join(f"{p.sheets[0].name!r} ({p.family})" for p in found)
        raise AmbiguousLayout(
            f"Several sheets hold a count: {names}. Choose one with sheet=NAME.",
            sheets=[p.sheets[0].name for p in found],
        )
    return found[0]


#: Words in a sheet name that say it is not the per-station count.
_SUMMARY_WORDS = frozenset(
    (
        "totaal",
        "totalen",
        "samenvatting",
        "overzicht",
        "vergelijking",
        "grafiek",
        "grafieken",
        "chart",
        "charts",
        "zetels",
        "zetelverdeling",
        "vorige",
        "verschil",
        "percentages",
        "opkomst",
        "summary",
        "draaitabel",
        "pivot",
        "gemeente",
    )
)


def _count_sheet_by_evidence(found: list[Plan]) -> Plan | None:
    """The one plan whose sheet is not named as a summary, comparison or chart (``Totaal``,
    ``Vergelijking 2022``, ``Grafiek``) when all the others are; else None (ambiguous)."""
    counts = [
        p
        for p in found
        if not (_SUMMARY_WORDS & set(normalise_label(p.sheets[0].name or "").split()))
    ]
    return counts[0] if len(counts) == 1 else None


def _index_of_row(sheet: Sheet, number: int) -> int:
    for index, row_number in enumerate(sheet.row_numbers):
        if row_number >= number:
            return index
    raise NoHeader(f"The mapping's header_row {number} is past the end of the table.")
