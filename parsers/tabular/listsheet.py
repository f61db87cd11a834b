"""List numbers stated on another sheet of the workbook (a ``Lijstnummer | Partij`` table),
for a count sheet that names lists only by name.

The file states these numbers, so they are used as stated (and checked against a candidate
list when one is supplied), never guessed: exactly one such sheet is needed, or the mapping's
``[layout] list_number_sheet`` names it.
"""

from __future__ import annotations

from telnorm.parsers.errors import NoHeader
from telnorm.parsers.tabular.families.base import Labels
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.numbers import looks_numeric

_SCAN_ROWS = 20


def _table(sheet: Sheet, labels: Labels) -> dict[str, str] | None:
    """``{name: number}`` of a sheet whose header has a list-number and a list-name column
    (and no station or votes column), or None."""
    for header in range(min(len(sheet.rows), _SCAN_ROWS)):
        roles = {labels(sheet.text(header, c)): c for c in reversed(range(sheet.width))}
        if "list_number" not in roles or "list_name" not in roles:
            continue
        if {"votes", "unit_name", "unit_number"} & set(roles):
            return None
        number_col, name_col = roles["list_number"], roles["list_name"]
        found: dict[str, str] = {}
        for r in range(header + 1, len(sheet.rows)):
            number, name = sheet.cell(r, number_col), sheet.text(r, name_col)
            if name and looks_numeric(number) and sheet.text(r, number_col).isdigit():
                found[name] = str(int(sheet.text(r, number_col)))
        return found or None
    return None


def list_numbers_from_sheets(
    sheets: list[Sheet], read: list[Sheet], labels: Labels, wanted: str | None
) -> tuple[dict[str, str], str] | None:
    """(name -> list number, sheet name) from the one list-number sheet, else None."""
    if wanted is not None:
        named = [s for s in sheets if s.name == wanted]
        if not named:
            raise NoHeader(
                f"The mapping's [layout] list_number_sheet {wanted!r} is not a sheet of this "
                "workbook.",
                sheet=wanted,
            )
        table = _table(named[0], labels)
        if table is None:
            raise NoHeader(
                f"Sheet {wanted!r} (the mapping's list_number_sheet) has no header with a "
                "list-number and a list-name column (such as 'Lijstnummer' and 'Partij').",
                location={"sheet": wanted},
            )
        return table, wanted
    found = [
        (table, sheet.name or "")
        for sheet in sheets
        if not any(sheet is r for r in read) and (table := _table(sheet, labels)) is not None
    ]
    return found[0] if len(found) == 1 else None
