"""Never silently wrong: numbers inside the count's table that the reading left over.

A left-over cell is *inside the table* when it is on a sheet that was read, at or below the
first row holding a count, in a row or a column that holds counts; or above that row in a row
with two or more such numbers (data above the header: the header was taken too low). Cells a
reader left over for a stated reason (:meth:`~.accounting.CellAccounting.tolerate`: totals,
subtotals, percentages, ignored labels, sheets not read) never count. Any other is a 422
``unread-cells`` naming the cells, since the document would be missing them or have been read
from the wrong cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any

from telnorm.parsers.errors import UnreadCells
from telnorm.parsers.tabular.accounting import CellAccounting

#: Cells named in the problem (all are counted).
_SHOWN = 20


def unread_cells(builder: CellAccounting) -> list[tuple[int, int, int]]:
    """(sheet index, row, column) of every left-over cell inside the table, in order."""
    found: list[tuple[int, int, int]] = []
    columns_of: dict[int, set[int]] = {}
    for (s, r), columns in sorted(builder.left_over_rows.items()):
        if s in builder.tolerated_sheets or r in builder.tolerated_rows.get(s, ()):
            continue
        marks = builder.counted(s)
        if not marks:
            continue
        first_row = min(marks)
        tolerated = builder.tolerated_columns.get(s, set())
        counted_columns = columns_of.get(s)
        if counted_columns is None:
            counted_columns = columns_of[s] = _counted_columns(marks.values())
        candidates = [c for c in columns if c not in tolerated]
        if r >= first_row:
            if r in marks:
                found.extend((s, r, c) for c in candidates)
            else:
                found.extend((s, r, c) for c in candidates if c in counted_columns)
        else:
            above = [c for c in candidates if c in counted_columns]
            if len(above) >= 2:
                found.extend((s, r, c) for c in above)
    return found


def _counted_columns(rows: Iterable[AbstractSet[int]]) -> set[int]:
    """The columns holding counts (rows marked alike share one set: each is read once)."""
    found: set[int] = set()
    seen: set[int] = set()
    for columns in rows:
        if id(columns) not in seen:
            seen.add(id(columns))
            found.update(columns)
    return found


def refuse_unread(builder: CellAccounting, header_rows: dict[int, int] | None = None) -> None:
    """Raise :class:`UnreadCells` when numbers inside the table were left over.

    ``header_rows`` (sheet index -> header row) lets the message say when a column has no
    header at all.
    """
    found = unread_cells(builder)
    if not found:
        return
    cells: list[dict[str, Any]] = []
    headerless: set[str] = set()
    for s, r, c in found[:_SHOWN]:
        sheet = builder.sheets[s]
        entry = sheet.location(r, c) | {"value": sheet.text(r, c)}
        label = next(
            (
                sheet.text(r, k)
                for k in range(min(4, sheet.width))
                if sheet.text(r, k) and k != c and not sheet.text(r, k).replace(".", "").isdigit()
            ),
            "",
        )
        if label:
            entry["row_label"] = label
        header = (header_rows or {}).get(s)
        if header is not None and header < r and not sheet.text(header, c):
            headerless.add(sheet.cell_name(header, c) if not sheet.is_text else f"column {c + 1}")
        cells.append(entry)
    first = builder.sheets[found[0][0]]
    shown = ", ".join(
        f"{builder.sheets[s].where(r, c)}={builder.sheets[s].text(r, c)!r}" for s, r, c in found[:8]
    )
    more = f" and {len(found) - 8} more" if len(found) > 8 else ""
    hint = (
        f" The column(s) {', '.join(sorted(headerless))} have no header but hold numbers."
        if headerless
        else ""
    )
    raise UnreadCells(
        f"{len(found)} number(s) inside the table are not accounted for: {shown}{more}. They "
        "are not in the document, and not a known total, subtotal, percentage or ignored "
        f"label, so the reading cannot be complete.{hint} Usually a header was taken from "
        "the wrong row or column, or a row or column has no label or an unknown one: check "
        '[layout] header_row / label_column, name the label in [labels] ("ignore" for numbers '
        "that are not part of the count), and send the file again.",
        location=first.location(found[0][1], found[0][2]),
        cells=cells,
        count=len(found),
    )
