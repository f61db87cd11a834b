"""Family pivot: a spreadsheet pivot table's export. Lists as rows (by name, often without
numbers), polling stations or villages as columns, a grand-total row and column
(``Eindtotaal``, ``Totaal``, ``Total``), and no statistic rows at all.

Read like family b (:mod:`.columns`, :mod:`.listrows`): the total column is the file's
stated total, the grand-total row is compared with the lists (disagreements noted). Also
proces-verbaal sheets without statistics (list header rows, candidate rows, per-list
``Totaal`` rows) are found this way.

Which axis holds the lists is decided by evidence, never by habit: the row labels must look
like lists (a name of the alias table, a list number in the label, a candidate row) and the
column headers must not; or the headers must look like polling stations (``SB 3``,
``Stembureau ...``, a postcode) and the row labels must not. Otherwise it is not this family
(and, if nothing else fits, a mapping is needed).
"""

from __future__ import annotations

import re

from telnorm.parsers.tabular.families.base import Family, Labels, Plan
from telnorm.parsers.tabular.families.columns import ColumnsReader
from telnorm.parsers.tabular.families.patterns import CandidateLabels, list_header
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.names import compact, load_aliases
from telnorm.parsers.tabular.numbers import looks_numeric
from telnorm.parsers.tabular.vocabulary import total_kind

_SCAN_ROWS = 400
_SCAN_COLUMNS = 8
_STATION = re.compile(
    r"(?i)\b(?:sb|stembureau|stemlokaal|bureau|briefstembureau)(?=\d|\b)|\b\d{4}\s?[a-z]{2}\b"
)
_CANDIDATES = CandidateLabels()


class PivotReader(ColumnsReader):
    family = "pivot"

    def read(self, plan: Plan) -> None:
        self.read_b(plan.sheets[0], plan.label(), plan.header_row)


def _looks_like_list(text: str, aliases: frozenset[str]) -> bool:
    return bool(text) and (
        compact(text) in aliases or list_header(text) is not None or _CANDIDATES(text) is not None
    )


def find_pivot(sheet: Sheet, labels: Labels) -> tuple[int, int, str] | None:
    """(label column, header row, evidence) of a pivot-shaped table, or None."""
    groups = load_aliases()
    aliases: frozenset[str] = frozenset().union(*groups) if groups else frozenset()
    height = min(len(sheet.rows), _SCAN_ROWS)
    for c in range(min(sheet.width, _SCAN_COLUMNS)):
        rows = [
            r
            for r in range(height)
            if sheet.text(r, c)
            and not looks_numeric(sheet.cell(r, c))
            and sum(looks_numeric(sheet.cell(r, k)) for k in range(c + 1, sheet.width)) >= 2
        ]
        if len(rows) < 2:
            continue
        header = next(
            (
                r
                for r in range(rows[0] - 1, -1, -1)
                if sum(
                    1
                    for k in range(c + 1, sheet.width)
                    if sheet.text(r, k) and not looks_numeric(sheet.cell(r, k))
                )
                >= 2
            ),
            None,
        )
        if header is None:
            continue
        row_labels = [sheet.text(r, c) for r in range(header + 1, height) if sheet.text(r, c)]
        heads = [sheet.text(header, k) for k in range(c + 1, sheet.width) if sheet.text(header, k)]
        totals = any(total_kind(t) == "total" for t in (*row_labels, *heads))
        rows_lists = sum(_looks_like_list(t, aliases) for t in row_labels)
        heads_lists = sum(_looks_like_list(t, aliases) for t in heads if total_kind(t) is None)
        heads_stations = sum(bool(_STATION.search(t)) for t in heads if total_kind(t) is None)
        rows_stations = sum(bool(_STATION.search(t)) for t in row_labels)
        lists_by_rows = rows_lists > 0 and heads_lists == 0
        stations_by_columns = heads_stations > 0 and rows_stations == 0 and heads_lists == 0
        if not (lists_by_rows or stations_by_columns) or not (totals or rows_lists):
            continue
        why = []
        if rows_lists:
            why.append(f"{rows_lists} row label(s) are lists")
        if heads_stations:
            why.append(f"{heads_stations} column header(s) are polling stations")
        if totals:
            why.append("a grand-total row or column")
        where = f"column {c + 1}" if sheet.is_text else f"sheet {sheet.name!r}, column {c + 1}"
        return c, header, f"{where}: lists as rows, stations as columns ({', '.join(why)})"
    return None


FAMILY = Family("pivot", "pivot export (lists as rows, stations as columns)", PivotReader)
