"""Family c: long. One row per station and list (and candidate), a votes column;
statistic rows carry their label in the list-name column."""

from __future__ import annotations

from telnorm.parsers.errors import NoHeader
from telnorm.parsers.tabular.builder import Values
from telnorm.parsers.tabular.families.base import (
    Family,
    FamilyReader,
    HeaderEvidence,
    Plan,
    scan_metadata,
)
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.numbers import looks_numeric
from telnorm.parsers.tabular.vocabulary import is_number_field


class LongReader(FamilyReader):
    family = "c"

    def read(self, plan: Plan) -> None:
        self.read_c(plan.sheets[0], plan.header())

    def read_c(self, sheet: Sheet, header: int) -> None:
        roles: dict[str, int] = {}
        for c in range(sheet.width):
            role = self.labels(sheet.text(header, c))
            if role and role not in roles:
                roles[role] = c
        if "votes" not in roles or not ({"list_name", "list_number"} & set(roles)):
            missing = (
                "a votes column (Stemmen/Aantal)"
                if "votes" not in roles
                else "a list column (Partij/Lijstnummer)"
            )
            raise NoHeader(
                f"{sheet.row_where(header)}: family c needs {missing}, and this header row has "
                "none. Set [labels] in the mapping to say which header is which (or check "
                "[layout] header_row), and send the file again.",
                location=sheet.location(header, 0),
            )
        votes = roles["votes"]
        units: dict[tuple[str, str], Values] = {}
        meta = scan_metadata(sheet, range(header), self.builder)
        for r in range(header + 1, len(sheet.rows)):
            if sheet.cell(r, votes) is None:
                # No votes stated: the row's station or list numbers are identifiers only.
                self.builder.tolerate(sheet, row=r)
                continue
            key = (
                sheet.text(r, roles["unit_number"]) if "unit_number" in roles else "",
                sheet.text(r, roles["unit_name"]) if "unit_name" in roles else "",
            )
            kind = self.total_of(*key)
            if kind == "subtotal":
                self.note_subtotal(sheet, r, roles.get("unit_name", votes), key[1] or key[0])
                self.builder.tolerate(sheet, row=r)
                continue
            if kind == "total":
                values = self.builder.total_values(f"rows named {key[0] or key[1]!r}")
            elif key in units:
                values = units[key]
                # The unit's number, repeated on each of its rows, is read (it names the unit).
                number_col = roles.get("unit_number")
                if number_col is not None and looks_numeric(sheet.cell(r, number_col)):
                    self.builder.mark(sheet, r, number_col)
            else:
                values = units[key] = self.unit_values(
                    sheet,
                    r,
                    roles.get("unit_number"),
                    roles.get("unit_name"),
                    roles.get("postal_code"),
                )
            list_name = sheet.text(r, roles["list_name"]) if "list_name" in roles else ""
            list_cell = roles.get("list_number")
            stat = self.labels(list_name) if list_name else None
            if list_name and (stat == "total" or self.is_total(list_name)):
                # A total (or subtotal) of the unit's lists, never a list: left over.
                self._note_total_row(sheet, r, roles["list_name"], list_name)
                self.builder.tolerate(sheet, row=r)
                continue
            if (list_cell is None or not sheet.text(r, list_cell)) and is_number_field(stat):
                assert stat is not None
                self.builder.set_number(values, stat, sheet, r, votes)
                continue
            if list_cell is not None and looks_numeric(sheet.cell(r, list_cell)):
                list_id = self.list_number(sheet, r, list_cell, list_name)
            elif list_name:
                list_id = self.resolve_list(sheet, r, roles["list_name"])
            else:
                continue
            cand_col = roles.get("candidate_number")
            if cand_col is not None and sheet.text(r, cand_col):
                candidate = self.builder.position(sheet, r, cand_col, "candidate number")
                name_col = roles.get("candidate_name")
                name = sheet.text(r, name_col) if name_col is not None else ""
                self.builder.affiliations[list_id].candidates[candidate] = name or None
                self.builder.set_candidate(values, list_id, candidate, (sheet, r, votes))
            else:
                self.builder.set_list(values, list_id, sheet, r, votes)
        self.apply_meta(meta)

    def _note_total_row(self, sheet: Sheet, r: int, c: int, label: str) -> None:
        if label not in self._noted_lists:
            self._noted_lists.add(label)
            self.context.note(
                "total-row-left-over",
                f"{sheet.where(r, c)}: {label!r} rows (a total of a unit's lists) are not "
                "copied; their numbers are left over (see cells-left-over).",
                sheet.location(r, c),
            )


def header_signal(evidence: HeaderEvidence) -> str | None:
    """Station, list and votes columns."""
    if evidence.units and evidence.lists and evidence.votes:
        return f"{evidence.sheet.row_where(evidence.row)}: station, list and votes columns"
    return None


FAMILY = Family("c", "long (station, list, votes)", LongReader, header_signal=header_signal)
