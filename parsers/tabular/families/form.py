"""Family d: sheet per station, laid out like the paper form: label/value pairs, then a
list table (``Lijstnummer, Partij, Volgnummer, Kandidaat, Stemmen``); a sheet named
``Totaal`` is the stated total."""

from __future__ import annotations

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
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.numbers import looks_numeric
from telnorm.parsers.tabular.vocabulary import LIST_ROLES, is_number_field, total_kind


class FormReader(FamilyReader):
    family = "d"

    def read(self, plan: Plan) -> None:
        self.read_d(plan.sheets, plan.label_column)

    def read_d(self, sheets: list[Sheet], label_col: int | None) -> None:
        for sheet in sheets:
            kind = total_kind(sheet.name or "")
            if kind == "subtotal":
                self.context.note(
                    "subtotal-left-over",
                    f"Sheet {sheet.name!r} is a subtotal, neither a polling station nor the "
                    "total; its numbers are left over (see cells-left-over).",
                    {"sheet": sheet.name},
                )
                self.builder.tolerate(sheet)
                continue
            self._read_form(sheet, label_col, total=kind == "total")

    def _read_form(self, sheet: Sheet, label_col: int | None, *, total: bool = False) -> None:
        meta = scan_metadata(sheet, range(len(sheet.rows)), self.builder)
        number: int | None = None
        name: str | None = None
        postal: str | None = None
        stats: list[tuple[str, int, int]] = []
        list_header: int | None = None
        for r in range(len(sheet.rows)):
            cells = [(c, sheet.text(r, c)) for c in range(sheet.width) if sheet.text(r, c)]
            if not cells:
                continue
            if len(cells) == 1:
                # A title line: 'Proces-verbaal stembureau 2: Stembureau De Linde', or
                # 'Postcode: 6658 CX' in one cell.
                identity = station_identity(cells[0][1])
                if identity is not None and number is None:
                    number, name = identity.number, name or identity.name
                    postal = postal or identity.postal_code
                    continue
                label, colon, rest = cells[0][1].partition(":")
                if colon and rest.strip() and self.labels(label) in ("postal_code", "unit_name"):
                    if self.labels(label) == "postal_code":
                        postal = rest.strip()
                    else:
                        name = name or rest.strip()
                    continue
            roles = [self.labels(text) for _c, text in cells]
            if any(x in LIST_ROLES for x in roles) and "votes" in roles:
                list_header = r
                break
            role = roles[0]
            value_cell = next(((c, t) for c, t in cells[1:]), None)
            if role == "unit_number" and value_cell:
                number = self.builder.count(sheet, r, value_cell[0], "polling-station number")
            elif role == "unit_name" and value_cell:
                name = value_cell[1]
                number = number if number is not None else unit_number_from(value_cell[1])
            elif role == "postal_code" and value_cell:
                postal = value_cell[1]
            elif is_number_field(role) and value_cell:
                assert role is not None
                stats.append((role, r, value_cell[0]))
        if number is None and sheet.name:
            identity = station_identity(sheet.name)
            if identity is not None:
                number, name = identity.number, name or identity.name
                postal = postal or identity.postal_code
            else:
                number = unit_number_from(sheet.name) or (
                    int(sheet.name) if sheet.name.strip().isdigit() else None
                )
        if total:
            # A sheet named 'Totaal' is the file's stated total, not a polling station.
            values = self.builder.total_values(f"sheet {sheet.name!r}")
        else:
            info = UnitInfo(number, name or sheet.name, postal, where=(sheet, 0, 0))
            values = self.builder.add_unit(info)
        for role, r, c in stats:
            self.builder.set_number(values, role, sheet, r, c)
        if list_header is not None:
            self._read_form_lists(sheet, list_header, values)
        self.apply_meta(meta)

    def _read_form_lists(self, sheet: Sheet, header: int, values: Values) -> None:
        roles: dict[str, int] = {}
        for c in range(sheet.width):
            role = self.labels(sheet.text(header, c))
            if role and role not in roles:
                roles[role] = c
        votes = roles["votes"]
        current: str | None = None
        for r in range(header + 1, len(sheet.rows)):
            if self._statistic_line(sheet, r, values):
                continue
            if sheet.cell(r, votes) is None:
                # No votes stated: a list or candidate number alone is an identifier.
                self.builder.tolerate(sheet, row=r)
                continue
            number_col = roles.get("list_number")
            name_col = roles.get("list_name")
            cand_col = roles.get("candidate_number")
            list_name = sheet.text(r, name_col) if name_col is not None else ""
            if self.is_total(list_name) or self.is_total(
                sheet.text(r, number_col) if number_col is not None else ""
            ):
                self.builder.tolerate(sheet, row=r)
                continue
            if cand_col is not None and sheet.text(r, cand_col) and current is not None:
                candidate = self.builder.position(sheet, r, cand_col, "candidate number")
                cname_col = roles.get("candidate_name")
                cname = sheet.text(r, cname_col) if cname_col is not None else ""
                self.builder.affiliations[current].candidates[candidate] = cname or None
                self.builder.set_candidate(values, current, candidate, (sheet, r, votes))
                continue
            if number_col is not None and looks_numeric(sheet.cell(r, number_col)):
                current = self.list_number(sheet, r, number_col, list_name)
            elif list_name:
                current = self.resolve_list(sheet, r, name_col or 0)
            else:
                continue
            self.builder.set_list(values, current, sheet, r, votes)

    def _statistic_line(self, sheet: Sheet, r: int, values: Values) -> bool:
        """A statistic written on a line under the list table (``Aantal blanco stemmen`` and
        its number further right): read as the station's statistic."""
        first = next((c for c in range(sheet.width) if sheet.text(r, c)), None)
        if first is None:
            return False
        role = self.labels(sheet.text(r, first))
        if not is_number_field(role):
            return False
        assert role is not None
        value = next(
            (c for c in range(first + 1, sheet.width) if sheet.cell(r, c) is not None), None
        )
        if value is not None:
            self.builder.set_number(values, role, sheet, r, value)
        return True


def column_signal(evidence: ColumnEvidence) -> str | None:
    """Statistic labels with numbers in one column."""
    if len(evidence.value_columns) == 1:
        return f"{evidence.where}: {len(evidence.stat_rows)} statistic labels with one value column"
    return None


FAMILY = Family(
    "d", "sheet per station (paper form)", FormReader, column_signal=column_signal, per_sheet=True
)
