"""Family a: stations as rows. One row per polling station; statistics and lists as
columns; an optional total row."""

from __future__ import annotations

import re
from itertools import pairwise

from telnorm.parsers.errors import DuplicateValue, MisplacedHeader
from telnorm.parsers.tabular.builder import MAX_POSITION, RowLayout, RowPicker
from telnorm.parsers.tabular.families.base import (
    Family,
    FamilyReader,
    HeaderEvidence,
    Plan,
    scan_metadata,
)
from telnorm.parsers.tabular.grid import Sheet, cell_text
from telnorm.parsers.tabular.numbers import NotACount, looks_numeric, parse_count
from telnorm.parsers.tabular.vocabulary import (
    LIST_ROLES,
    UNIT_ROLES,
    is_number_field,
    total_kind,
)

#: A number written with decimals (``50,0``, ``60.5``; not ``1.234``, Dutch thousands) or
#: as a percentage (``50%``, ``50,5 %``).
_DECIMAL = re.compile(
    r"^\d+(?:(?:,(?P<comma>\d+)|\.(?P<dot>\d{1,2}|\d{4,}))\s*(?P<pct>%)?|\s*(?P<only>%))$"
)


class RowsReader(FamilyReader):
    family = "a"

    def read(self, plan: Plan) -> None:
        self.read_a(plan.sheets[0], plan.header())

    @staticmethod
    def _numeric_column(sheet: Sheet, header: int, c: int) -> bool:
        """Most filled cells below the header are numbers (a stray text cell is then an error
        of that cell, not a reason to drop the column)."""
        filled = numeric = 0
        for r in range(header + 1, min(len(sheet.rows), header + 400)):
            value = sheet.cell(r, c)
            if value is None:
                continue
            filled += 1
            numeric += looks_numeric(value)
        return filled > 0 and numeric * 2 >= filled

    @staticmethod
    def _fraction_column(sheet: Sheet, header: int, c: int) -> bool:
        """Every filled cell below the header is written as a decimal (``50,0``, ``60.5``,
        ``0.505``) or a percentage (``50%``), and at least one is not whole: a turnout or
        share column, not votes. (A count column with one stray ``12,5`` stays a count
        column: that cell is then a 422 of its own.)"""
        filled = 0
        whole = True
        for r in range(header + 1, min(len(sheet.rows), header + 400)):
            value = sheet.cell(r, c)
            if value is None or value == "":
                continue
            filled += 1
            if isinstance(value, bool):
                return False
            if isinstance(value, float):
                whole = whole and value.is_integer()
                continue
            if isinstance(value, int):
                return False
            text = str(value).strip()
            match = _DECIMAL.match(text)
            if match is None:
                return False  # a plain count (or text): not a fraction column
            decimals = match.group("comma") or match.group("dot") or ""
            if match.group("pct") or match.group("only") or decimals.strip("0"):
                whole = False
        return filled > 0 and not whole

    # --- family a -----------------------------------------------------------------

    def _header_columns(self, sheet: Sheet, header: int) -> tuple[dict[int, str], dict[int, str]]:
        """(column -> role of the known headers, column -> list id of the list columns);
        other columns are noted as not used."""
        roles: dict[int, str] = {}
        list_columns: dict[int, str] = {}
        self._refuse_numbers_as_lists(
            sheet,
            header,
            [
                c
                for c in range(sheet.width)
                if looks_numeric(sheet.cell(header, c))
                and self.labels(sheet.text(header, c)) is None
                and self._numeric_column(sheet, header, c)
            ],
        )
        for c in range(sheet.width):
            label = sheet.text(header, c)
            if not label:
                continue
            role = self.labels(label)
            if role is not None:
                roles[c] = role
            elif self._fraction_column(sheet, header, c):
                self.builder.tolerate(sheet, column=c)
                self.context.note(
                    "column-not-used",
                    f"{sheet.where(header, c)}: column {label!r} holds fractions or "
                    "percentages, not counts; it is not a list, and its numbers are counted as "
                    "left over.",
                    sheet.location(header, c),
                )
            elif self._numeric_column(sheet, header, c):
                list_id = self.resolve_list(sheet, header, c)
                self._refuse_second_column(sheet, header, c, list_id, list_columns)
                list_columns[c] = list_id
            else:
                self.builder.tolerate(sheet, column=c)
                self.context.note(
                    "text-column",
                    f"{sheet.where(header, c)}: column {label!r} holds text, not counts; it is "
                    "not used.",
                    sheet.location(header, c),
                )
        return roles, list_columns

    @staticmethod
    def _refuse_numbers_as_lists(sheet: Sheet, header: int, numeric: list[int]) -> None:
        """List headers written as bare numbers are list numbers only when they look like
        them: distinct, 1-999 and in ballot order. Otherwise they are counts of a data row
        taken as the header (``1500``, ``7``, ``940`` ...): refused, never read as lists."""
        if not numeric:
            return
        try:
            numbers = [parse_count(sheet.cell(header, c)) for c in numeric]
        except NotACount:
            numbers = [None]
        if all(n is not None and 1 <= n <= MAX_POSITION for n in numbers) and all(
            a is not None and b is not None and a < b for a, b in pairwise(numbers)
        ):
            return
        shown = ", ".join(
            f"{sheet.where(header, c)}={sheet.text(header, c)!r}" for c in numeric[:8]
        )
        raise MisplacedHeader(
            f"{sheet.row_where(header)} is read as the header, but its cells {shown} are numbers "
            "that are not list numbers in ballot order: a data row was taken as the header. "
            "Check [layout] header_row and send the file again.",
            location=sheet.location(header, numeric[0]),
            cells=[sheet.location(header, c) for c in numeric[:20]],
        )

    def read_a(self, sheet: Sheet, header: int) -> None:
        roles, list_columns = self._header_columns(sheet, header)
        self.apply_meta(scan_metadata(sheet, range(header), self.builder))
        number_col = next((c for c, x in roles.items() if x == "unit_number"), None)
        name_col = next((c for c, x in roles.items() if x == "unit_name"), None)
        postal_col = next((c for c, x in roles.items() if x == "postal_code"), None)
        for c, role in roles.items():
            if role in ("total", "ignore", "votes") or role in LIST_ROLES:
                if role in ("total", "ignore"):
                    self.builder.tolerate(sheet, column=c)
                self.context.note(
                    "column-not-used",
                    f"{sheet.where(header, c)}: column {sheet.text(header, c)!r} ({role}) is not "
                    "copied; its numbers are counted as left over.",
                    sheet.location(header, c),
                )
        check_columns = [c for c in (*list_columns, *roles) if roles.get(c) not in UNIT_ROLES]
        stat_items = [(c, role) for c, role in roles.items() if is_number_field(role)]
        list_ids = list(list_columns.values())
        list_cols = list(list_columns)
        picker = RowPicker([c for c, _role in stat_items] + list_cols)
        layout = RowLayout(stat_items, list_ids, list_cols)
        key_columns = [c for c in (number_col, name_col) if c is not None]
        first_columns = range(min(3, sheet.width))
        builder = self.builder
        for r in range(header + 1, len(sheet.rows)):
            row = sheet.rows[r]
            keys = [cell_text(row, c) for c in key_columns]
            first_text = ""
            for c in first_columns:
                first_text = cell_text(row, c)
                if first_text:
                    break
            kind = (
                "total"
                if self.total_rows and sheet.row_numbers[r] in self.total_rows
                else self.total_of(*keys, first_text)
            )
            if kind == "subtotal":
                if any(looks_numeric(sheet.cell(r, c)) for c in check_columns):
                    label = next(t for t in (*keys, first_text) if total_kind(t) == "subtotal")
                    self.note_subtotal(sheet, r, key_columns[0] if key_columns else 0, label)
                    self.builder.tolerate(sheet, row=r)
                continue
            # Fast path: every statistic and list cell of the row empty or a plain count.
            fast = builder.fast_counts(sheet, r, picker)
            if fast is None or fast.count(None) == len(fast):
                row_has_numbers = any(looks_numeric(sheet.cell(r, c)) for c in check_columns)
                if not row_has_numbers:
                    # No count at all (a station without results): its number or code is
                    # an identifier, not a count; the row is left out (cells-left-over).
                    builder.tolerate(sheet, row=r)
                    continue
            if kind == "total":
                values = builder.total_values(f"the total row at {sheet.row_where(r)}")
            else:
                values = self.unit_values(sheet, r, number_col, name_col, postal_col)
            if fast is not None:
                builder.put_row(values, layout, fast, sheet, r)
                continue
            for c, role in roles.items():
                if is_number_field(role):
                    builder.set_number(values, role, sheet, r, c)
            for c, list_id in list_columns.items():
                builder.set_list(values, list_id, sheet, r, c)

    def _refuse_second_column(
        self, sheet: Sheet, header: int, c: int, list_id: str, list_columns: dict[int, str]
    ) -> None:
        """Two columns of one list (``VVD ... VVD``, or ``GL`` and ``GROENLINKS``): which
        column holds its votes cannot be told, so neither is guessed."""
        first = next((c0 for c0, known in list_columns.items() if known == list_id), None)
        if first is None:
            return
        name = self.builder.affiliations[list_id].name
        raise DuplicateValue(
            f"{sheet.where(header, c)}: the columns {sheet.text(header, first)!r} "
            f"({sheet.where(header, first)}) and {sheet.text(header, c)!r} "
            f"({sheet.where(header, c)}) are both list {list_id}"
            f"{f' ({name})' if name else ''}, so every station's votes for that list are stated "
            "twice. Remove or rename one of the columns (or correct the mapping's [lists]) and "
            "send the file again.",
            location=sheet.location(header, c),
            first=sheet.location(header, first),
            list_id=list_id,
        )


def header_signal(evidence: HeaderEvidence) -> str | None:
    """A station column with statistic or other headers, and no votes column."""
    e = evidence
    if e.units and (e.stats or e.others >= 2) and not e.votes:
        return (
            f"{e.sheet.row_where(e.row)}: a station column with {e.stats} statistic and "
            f"{e.others} other column headers"
        )
    return None


FAMILY = Family("a", "stations as rows", RowsReader, header_signal=header_signal)
