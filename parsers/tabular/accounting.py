"""Cell accounting: which numeric cells of the input are in the document, and a note for
every one that is not (``source.cells`` and ``cells-left-over``).

:class:`CellAccounting` also reads count cells (:meth:`~CellAccounting.count`, the fast path
:meth:`~CellAccounting.fast_counts`), since reading a cell is what marks it as used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from telnorm.parsers.api import ParseContext
from telnorm.parsers.errors import InvalidCount, InvalidValue
from telnorm.parsers.tabular.grid import Cell, Sheet
from telnorm.parsers.tabular.numbers import NotACount, looks_numeric, parse_count
from telnorm.parsers.tabular.values import MAX_POSITION, RowPicker


class CellAccounting:
    """Marks of the cells read into the document, per sheet, and the accounting of the rest."""

    def __init__(self, context: ParseContext, sheets: list[Sheet]) -> None:
        self.context = context
        self.sheets = sheets
        # validation's deferred locations are the whole map here, built in the one read
        # (cheaper than the second read a validator makes for a parser that cannot defer)
        self.want_locations = context.want_locations or context.defer_locations
        # Cells whose value is in the document, per sheet: row -> columns. Only cells read by
        # count() (or a reader's fast path, which parsed them as counts) go in here, so they
        # are numeric cells; a row often shares one frozenset with its neighbours.
        self._marks: list[dict[int, AbstractSet[int]]] = [{} for _ in sheets]
        # Cells marked without being read as counts (metadata such as a municipality code).
        self._loose: set[tuple[int, int, int]] = set()
        self._sheet_index = {id(sheet): i for i, sheet in enumerate(sheets)}
        self._unions: dict[tuple[frozenset[int], frozenset[int]], frozenset[int]] = {}
        # Numbers left over for a known reason (a total, subtotal, percentage or ignored row
        # or column, a sheet not read): noted, never a refusal. Per sheet index.
        self.tolerated_rows: dict[int, set[int]] = {}
        self.tolerated_columns: dict[int, set[int]] = {}
        self.tolerated_sheets: set[int] = set()
        # Left-over cells per (sheet index, row), gathered by cell_accounting.
        self.left_over_rows: dict[tuple[int, int], list[int]] = {}

    def counted(self, s: int) -> dict[int, AbstractSet[int]]:
        """Row -> columns read as counts, of sheet index ``s``."""
        return self._marks[s]

    def tolerate(self, sheet: Sheet, *, row: int | None = None, column: int | None = None) -> None:
        """Numbers of this row, column (or, with neither, the whole sheet) are left over for a
        reason a note states; they never make the reading refuse."""
        s = self._sheet_index[id(sheet)]
        if row is not None:
            self.tolerated_rows.setdefault(s, set()).add(row)
        elif column is not None:
            self.tolerated_columns.setdefault(s, set()).add(column)
        else:
            self.tolerated_sheets.add(s)

    # --- cells --------------------------------------------------------------------

    def mark(self, sheet: Sheet, r: int, c: int) -> None:
        """The cell's value is in the document (also for ids and numbers of units)."""
        self._loose.add((self._sheet_index[id(sheet)], r, c))

    def _mark_counted(self, sheet: Sheet, r: int, c: int) -> None:
        marks = self._marks[self._sheet_index[id(sheet)]]
        found = marks.get(r)
        if found is None:
            marks[r] = {c}
        elif isinstance(found, set):
            found.add(c)
        else:
            marks[r] = {*found, c}

    def mark_counted_row(self, sheet: Sheet, r: int, columns: frozenset[int]) -> None:
        """A reader's fast path parsed these cells of row ``r`` as counts (none empty)."""
        if not columns:
            return
        marks = self._marks[self._sheet_index[id(sheet)]]
        found = marks.get(r)
        if found is None:
            marks[r] = columns
        elif isinstance(found, set):
            found |= columns
        else:
            marks[r] = self._union(found, columns)

    def _union(self, found: AbstractSet[int], columns: frozenset[int]) -> frozenset[int]:
        """Rows marked alike share one frozenset (cell accounting caches per frozenset)."""
        key = (frozenset(found), columns)
        union = self._unions.get(key)
        if union is None:
            union = self._unions[key] = key[0] | columns
        return union

    def mark_present(
        self,
        sheet: Sheet,
        r: int,
        columns: Sequence[int],
        every: frozenset[int],
        numbers: Sequence[int | None],
    ) -> None:
        """Mark the cells of ``columns`` that held a count (``every`` when none is empty)."""
        if None in numbers:
            every = frozenset(c for c, n in zip(columns, numbers, strict=True) if n is not None)
        self.mark_counted_row(sheet, r, every)

    def fast_counts(self, sheet: Sheet, r: int, picker: RowPicker) -> list[int | None] | None:
        """The picked cells of row ``r`` as counts (marked as in the document), or None when
        one of them is not a plain count: then nothing is marked and the caller reads the
        row cell by cell with :meth:`count`, as before."""
        numbers = picker.counts(sheet.rows[r])
        if numbers is not None:
            self.mark_present(sheet, r, picker.columns, picker.every, numbers)
        return numbers

    def count(self, sheet: Sheet, r: int, c: int, what: str | Callable[[], str]) -> int | None:
        """Read a count cell; a bad value is a 422 naming the cell. ``what`` (or what it
        returns) says what the cell was read as, for that message."""
        value = sheet.cell(r, c)
        if type(value) is str and value.isdigit() and value.isascii() and len(value) < 19:
            number: int | None = int(value)
        else:
            try:
                number = parse_count(value)
            except NotACount as exc:
                described = what() if callable(what) else what
                raise InvalidCount(
                    f"{sheet.where(r, c)}: {exc.reason}: {value!r} (read as {described}). "
                    "Correct the cell (a count is a whole number; leave it empty when not "
                    "stated) and send the file again.",
                    location=sheet.location(r, c),
                    value=str(value),
                ) from None
        if number is not None:
            self._mark_counted(sheet, r, c)
        return number

    def position(self, sheet: Sheet, r: int, c: int, what: str) -> str:
        """A list number or a candidate's position (``what``), as an id: a whole number of
        1 to :data:`MAX_POSITION`; anything else is a 422 naming the cell."""
        try:
            number = self.count(sheet, r, c, what)
        except InvalidCount:
            text = sheet.text(r, c).strip()
            if not (text.isascii() and text.isdigit()):
                raise
            number = None  # digits beyond any count: out of range as a position too
        if number is None or not 1 <= number <= MAX_POSITION:
            raise InvalidValue(
                f"{sheet.where(r, c)}: {sheet.text(r, c)!r} is not a {what} (a whole number "
                f"from 1 to {MAX_POSITION}). Correct the cell and send the file again.",
                location=sheet.location(r, c),
                value=sheet.text(r, c),
            )
        return str(number)

    def cell_accounting(self) -> dict[str, int]:
        """Count numeric cells; note every one that is not in the document, row by row.

        The cells read as counts are numeric and mapped by construction, so a row's marked
        columns are counted without looking at them again; only the other cells of the row
        are tested with :func:`looks_numeric`.
        """
        read = mapped = 0
        loose = self._loose
        others_of: dict[tuple[int, int], list[int]] = {}
        for s, sheet in enumerate(self.sheets):
            marks = self._marks[s]
            for r, row in enumerate(sheet.rows):
                counted = marks.get(r)
                width = len(row)
                if counted:
                    read += len(counted)
                    mapped += len(counted)
                    if isinstance(counted, frozenset):
                        cache_key = (id(counted), width)
                        others = others_of.get(cache_key)
                        if others is None:
                            others = others_of[cache_key] = [
                                c for c in range(width) if c not in counted
                            ]
                    else:
                        others = [c for c in range(width) if c not in counted]
                    cells: Iterable[tuple[int, Cell]] = [(c, row[c]) for c in others]
                else:
                    cells = enumerate(row)
                left: list[int] = []
                for c, value in cells:
                    if value is None or not looks_numeric(value):
                        continue
                    read += 1
                    if (s, r, c) in loose:
                        mapped += 1
                    else:
                        left.append(c)
                if left:
                    self.left_over_rows[(s, r)] = left
                    self._note_left_over(sheet, r, left)
        return {"read": read, "mapped": mapped, "left_over": read - mapped}

    def _note_left_over(self, sheet: Sheet, r: int, columns: list[int]) -> None:
        shown = ", ".join(
            f"{sheet.cell_name(r, c) if not sheet.is_text else f'column {c + 1}'}="
            f"{sheet.text(r, c)}"
            for c in columns[:12]
        )
        more = f" and {len(columns) - 12} more" if len(columns) > 12 else ""
        label = next(
            (
                sheet.text(r, c)
                for c in range(min(4, sheet.width))
                if sheet.text(r, c) and not looks_numeric(sheet.cell(r, c))
            ),
            "",
        )
        location: dict[str, Any]
        if sheet.is_text:
            location = {"line": sheet.row_numbers[r], "columns": [c + 1 for c in columns]}
        else:
            location = {"sheet": sheet.name, "cells": [sheet.cell_name(r, c) for c in columns]}
        self.context.note(
            "cells-left-over",
            f"{sheet.row_where(r)}{f' ({label!r})' if label else ''}: {len(columns)} numeric "
            f"cell(s) not used: {shown}{more}.",
            location,
        )
