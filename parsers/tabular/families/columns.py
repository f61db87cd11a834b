"""Family b: stations as columns. Statistics and lists as rows (a list number may sit
left of the label), optionally candidate rows under each list row."""

from __future__ import annotations

from itertools import pairwise

from telnorm.parsers.errors import MisplacedHeader, NoHeader
from telnorm.parsers.tabular.builder import UnitInfo, Values
from telnorm.parsers.tabular.families.base import (
    ColumnEvidence,
    Family,
    FamilyReader,
    Plan,
    scan_metadata,
    station_identity,
    unit_number_from,
)
from telnorm.parsers.tabular.families.listrows import ListRows
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.numbers import looks_numeric
from telnorm.parsers.tabular.vocabulary import DESCRIBING_ROLES, is_number_field


class ColumnsReader(FamilyReader):
    family = "b"

    def read(self, plan: Plan) -> None:
        self.read_b(plan.sheets[0], plan.label(), plan.header_row)

    def read_b(self, sheet: Sheet, label_col: int, header_row: int | None = None) -> None:
        header = self._header_row(sheet, label_col, header_row)
        station_cols, total_col, described = self._header_columns(sheet, label_col, header)
        meta = scan_metadata(sheet, range(header), self.builder)
        targets, data_rows = self._units(sheet, label_col, header, station_cols, total_col)
        described.update(self.columns)  # the mapping's [layout] *_column keys win
        list_col, cand_col = self._number_columns(sheet, label_col, data_rows, targets, described)
        cand_name_col = described.get("candidate_name", label_col)
        rows = ListRows(
            self,
            sheet,
            label_col,
            targets,
            (list_col, cand_col, cand_name_col),
            frozenset(self.total_rows),
        )
        rows.read(data_rows)
        self.apply_meta(meta)

    def _header_row(self, sheet: Sheet, label_col: int, given: int | None = None) -> int:
        """The row of station names: the nearest row above the first statistic label with
        text right of the label column (a number or postcode row is not it); for a table
        without statistics (a pivot export), the row detection or the mapping gives."""
        stat_rows = [
            r
            for r in range(len(sheet.rows))
            if is_number_field(self.labels(sheet.text(r, label_col)))
        ]
        if given is not None and (not stat_rows or given < stat_rows[0]):
            return given
        if not stat_rows:
            raise NoHeader(
                f"No statistic labels in column {label_col + 1} of {sheet.row_where(0)}."
            )
        header = next(
            (
                r
                for r in range(stat_rows[0] - 1, -1, -1)
                if any(sheet.text(r, c) for c in range(label_col + 1, sheet.width))
                and self.labels(sheet.text(r, label_col)) not in ("unit_number", "postal_code")
            ),
            None,
        )
        if header is None:
            raise NoHeader(
                f"No header row with station names above {sheet.row_where(stat_rows[0])}.",
                location=sheet.location(stat_rows[0], label_col),
            )
        return header

    def _header_columns(
        self, sheet: Sheet, label_col: int, header: int
    ) -> tuple[list[int], int | None, dict[str, int]]:
        """(station columns, total column, list/candidate number and name columns)."""
        station_cols: list[int] = []
        total_col: int | None = None
        described: dict[str, int] = {}  # list/candidate number and name columns by header
        mapped = set(self.columns.values())
        for c in range(label_col + 1, sheet.width):
            label = sheet.text(header, c)
            if not label or c in mapped:
                continue
            role = self.labels(label)
            kind = "total" if role == "total" or c in self.total_columns else self.total_of(label)
            if kind == "subtotal":
                self.note_subtotal(sheet, header, c, label)
                self.builder.tolerate(sheet, column=c)
            elif kind == "total":
                total_col = c
            elif role == "ignore":
                self.builder.tolerate(sheet, column=c)
            elif role in DESCRIBING_ROLES and not station_cols:
                described.setdefault(role, c)  # 'Volgnummer', 'Kandidaat' before the stations
            else:
                station_cols.append(c)
        return station_cols, total_col, described

    def _refuse_numbers_as_stations(
        self, sheet: Sheet, label_col: int, header: int, station_cols: list[int]
    ) -> None:
        """Station headers written as numbers are station numbers only when they look like
        them (distinct, increasing) and the row is not a data row (its label a statistic or
        a list). Otherwise a data row was taken as the header: its votes would become station
        names and be lost from the count, so it is refused."""
        numeric = [c for c in station_cols if looks_numeric(sheet.cell(header, c))]
        if len(numeric) < 2:
            return
        label = sheet.text(header, label_col)
        texts = [sheet.text(header, c) for c in numeric]
        increasing = all(
            a.isdigit() and b.isdigit() and int(a) < int(b) for a, b in pairwise(texts)
        )
        data_label = bool(label) and (
            is_number_field(self.labels(label)) or self.resolver.is_list_name(label)
        )
        if increasing and not data_label:
            return
        shown = ", ".join(
            f"{sheet.where(header, c)}={sheet.text(header, c)!r}" for c in numeric[:8]
        )
        raise MisplacedHeader(
            f"{sheet.row_where(header)} is read as the row of station names, but its cells "
            f"{shown} are numbers of a data row{f' ({label!r})' if label else ''}: the header "
            "row was taken from the wrong place. Check [layout] header_row and send the file "
            "again.",
            location=sheet.location(header, numeric[0]),
            cells=[sheet.location(header, c) for c in numeric[:20]],
        )

    def _units(
        self,
        sheet: Sheet,
        label_col: int,
        header: int,
        station_cols: list[int],
        total_col: int | None,
    ) -> tuple[list[tuple[int, Values]], list[int]]:
        """The units of the station columns (numbers and postcodes from their rows) and the
        total's column, as (column, values) targets; and the rows left to read."""
        numbers: dict[int, int | None] = {}
        postcodes: dict[int, str] = {}
        data_rows = []
        for r in range(header + 1, len(sheet.rows)):
            role = self.labels(sheet.text(r, label_col))
            if role == "unit_number":
                for c in station_cols:
                    numbers[c] = self.builder.count(sheet, r, c, "polling-station number")
            elif role == "postal_code":
                for c in station_cols:
                    postcodes[c] = sheet.text(r, c)
            else:
                data_rows.append(r)
        self._refuse_numbers_as_stations(sheet, label_col, header, station_cols)
        targets: list[tuple[int, Values]] = []
        for c in station_cols:
            name = sheet.text(header, c)
            if looks_numeric(sheet.cell(header, c)):
                self.builder.mark(sheet, header, c)  # a station named by its number
            number = numbers.get(c)
            postcode = postcodes.get(c)
            identity = station_identity(name)
            if identity is not None:
                # 'SB 3 Dorpshuis (1234 AB)': number, name and postcode from the header.
                number = number if number is not None else identity.number
                postcode = postcode or identity.postal_code
                name = identity.name or name
            if number is None:
                number = unit_number_from(name)
            info = UnitInfo(number, name, postcode, where=(sheet, header, c))
            targets.append((c, self.builder.add_unit(info)))
        if total_col is not None:
            targets.append((total_col, self.builder.total_values("the total column")))
        return targets, data_rows

    def _number_columns(
        self,
        sheet: Sheet,
        label_col: int,
        data_rows: list[int],
        targets: list[tuple[int, Values]],
        described: dict[str, int],
    ) -> tuple[int | None, int | None]:
        """(list-number column, candidate-number column) of a family-b table.

        Columns headed as such win. Otherwise the list number is the number left of the
        label; with two number columns left of it (``Lijst | Volgnr | Naam``, as osv4-3 lays
        out lists and candidates) that are never both filled on a row, the one filled first
        (on the first list row) holds list numbers and the other candidates' positions.
        """
        if "list_number" in described or "candidate_number" in described:
            return described.get("list_number", label_col - 1 if label_col > 0 else None), (
                described.get("candidate_number")
            )
        if label_col < 2:
            return (label_col - 1 if label_col > 0 else None), None
        outer, inner = label_col - 2, label_col - 1
        first: dict[int, int] = {}
        for r in data_rows:
            label = sheet.text(r, label_col)
            if label and (self.labels(label) is not None or self.is_total(label)):
                continue  # statistics and totals: only list and candidate rows tell
            filled = [c for c in (outer, inner) if looks_numeric(sheet.cell(r, c))]
            if len(filled) == 2:
                return inner, None  # both on one row: not a list/candidate pair
            if filled and any(looks_numeric(sheet.cell(r, c)) for c, _v in targets):
                first.setdefault(filled[0], r)
        if len(first) < 2:
            return inner, None
        list_col = min(first, key=first.__getitem__)
        return list_col, (inner if list_col == outer else outer)


def column_signal(evidence: ColumnEvidence) -> str | None:
    """Statistic labels with numbers in two or more columns."""
    if len(evidence.value_columns) >= 2:
        return (
            f"{evidence.where}: {len(evidence.stat_rows)} statistic labels, "
            f"{len(evidence.value_columns)} value columns"
        )
    return None


FAMILY = Family("b", "stations as columns", ColumnsReader, column_signal=column_signal)
