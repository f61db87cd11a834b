"""The one in-memory shape every table becomes: a sheet of rows of cells.

A text table (CSV) is one sheet without a name whose rows remember the line they started on
(counted in the original file: ``sep=`` line, preamble, BOM line and blank lines included), so
locations are ``{line, column}`` with ``column`` the 1-based field number. A spreadsheet gives
one sheet per worksheet with ``{sheet, cell}`` locations (``"F17"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

Cell = str | int | float | bool | None


def column_letter(index: int) -> str:
    """0 -> ``A``, 25 -> ``Z``, 26 -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_text(row: list[Cell], c: int) -> str:
    """Cell ``c`` of a row as stripped text ('' when empty or missing): :meth:`Sheet.text`
    for a row already in hand."""
    value = row[c] if c < len(row) else None
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def detached(text: str) -> str:
    """``text`` as a new string object. A value kept after the grid is released (a unit's
    name) is copied so that it does not keep the memory of the cells around it from being
    given back (Python frees its small-object arenas only when they are wholly empty)."""
    return "".join((text[:1], text[1:])) if len(text) > 1 else text


@dataclass
class Sheet:
    """Rows of cells. ``rows[r][c]``; rows may differ in length (missing = empty)."""

    name: str | None
    rows: list[list[Cell]]
    #: Text tables: the 1-based line each row starts on. Spreadsheets: the 1-based row number.
    row_numbers: list[int]
    #: 0-based column of ``rows[r][0]`` in the sheet. Always 0 as read today: the spreadsheet
    #: reader keeps the sheet's leading empty columns (``rows[r][c]`` is column ``c``), so
    #: cell names need no offset; kept for a reader that trims them.
    first_column: int = 0
    #: Merged ranges as (first_row, first_col, last_row, last_col), 0-based in ``rows``.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: A hidden (or very hidden) worksheet: left out of layout choice unless named by sheet=.
    hidden: bool = False

    @property
    def is_text(self) -> bool:
        return self.name is None

    @cached_property
    def width(self) -> int:
        # Cached: rows are complete when a Sheet is built, and readers ask for it per row.
        return max((len(row) for row in self.rows), default=0)

    def release_cells(self) -> None:
        """Forget the cells (rows become empty), keeping what locations need (the row
        numbers): for a reader that has accounted for every cell and only builds the document
        now."""
        self.rows.clear()

    def cell(self, r: int, c: int) -> Cell:
        if r >= len(self.rows):
            return None
        row = self.rows[r]
        return row[c] if c < len(row) else None

    def text(self, r: int, c: int) -> str:
        """The cell as stripped text ('' when empty)."""
        return cell_text(self.rows[r], c) if r < len(self.rows) else ""

    def row_is_blank(self, r: int) -> bool:
        """No cell of the row has text (``not any(self.text(r, c) ...)``, without the calls)."""
        for value in self.rows[r] if r < len(self.rows) else ():
            if value is None:
                continue
            if not isinstance(value, str) or value.strip():
                return False
        return True

    def location(self, r: int, c: int) -> dict[str, Any]:
        if self.name is None:  # is_text, without the property (called per value)
            return {"line": self.row_numbers[r], "column": c + 1}
        return {"sheet": self.name, "cell": self.cell_name(r, c)}

    def cell_name(self, r: int, c: int) -> str:
        return f"{column_letter(c + self.first_column)}{self.row_numbers[r]}"

    def where(self, r: int, c: int) -> str:
        """A location as a clerk reads it: ``sheet 'Blad1', cell F17`` or ``line 12, column 6``."""
        if self.is_text:
            return f"line {self.row_numbers[r]}, column {c + 1}"
        return f"sheet {self.name!r}, cell {self.cell_name(r, c)}"

    def row_where(self, r: int) -> str:
        if self.is_text:
            return f"line {self.row_numbers[r]}"
        return f"sheet {self.name!r}, row {self.row_numbers[r]}"


@dataclass
class Workbook:
    """Every sheet of one input, and what was learnt while reading it."""

    sheets: list[Sheet]
    #: ``csv``, ``xlsx``, ``xls``, ``ods``, ...
    kind: str
    media_type: str
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[tuple[str, str, dict[str, Any] | None]] = field(default_factory=list)
