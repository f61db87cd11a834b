"""The rows of a stations-as-columns table (families b and pivot): statistics, lists,
candidates, list totals and grand totals, each row read over every station column.

Row kinds, by label:

* a statistic label: the statistic of every station;
* a list row with votes (``VVD``, ``1. VVD``, a number left of the label): the list's votes;
* a **list header** without votes (``3 - Partij``, ``Lijst 3: Partij``, or a name followed by
  candidate rows): the list the next rows belong to;
* a **candidate** row after a list header, its position in the label (``1 - J. Jansen``,
  ``1. Jansen, J.``, ``Jansen, J. (1)``) or in a candidate-number column;
* a **total** row (``Totaal``, ``Totaal lijst 3``): after a list header's candidates, the
  list's stated total; otherwise a grand total, left over (noted) and compared with the sum of
  the lists, each disagreement noted (validation reports it; nothing is "fixed").
"""

from __future__ import annotations

import re

from telnorm.parsers.tabular.builder import RowPicker, Values
from telnorm.parsers.tabular.families.base import FamilyReader
from telnorm.parsers.tabular.families.patterns import (
    CandidateLabels,
    Numbered,
    is_prefixed_list_header,
    list_header,
)
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.numbers import NotACount, looks_numeric, parse_count
from telnorm.parsers.tabular.vocabulary import is_number_field

Targets = list[tuple[int, Values]]


class ListRows:
    """One pass over the data rows of one sheet (see the module docstring)."""

    def __init__(
        self,
        reader: FamilyReader,
        sheet: Sheet,
        label_col: int,
        targets: Targets,
        columns: tuple[int | None, int | None, int],
        total_rows: frozenset[int] = frozenset(),
    ) -> None:
        self.reader = reader
        self.builder = reader.builder
        self.sheet = sheet
        self.label_col = label_col
        self.targets = targets
        self.list_col, self.cand_col, self.cand_name_col = columns
        self.total_rows = total_rows
        self.picker = RowPicker([c for c, _v in targets])
        self.target_values = [values for _c, values in targets]
        self.candidates = CandidateLabels(reader.candidate_patterns)
        self.current_list: str | None = None
        #: A list header without votes was seen: numbered labels after it are candidates.
        self.by_header = False
        self.list_total_done = True
        self.grand_rows: list[int] = []
        self.lists_by_header: list[str] = []
        self.lists_without_total = 0

    def read(self, data_rows: list[int]) -> None:
        sheet, label_col = self.sheet, self.label_col
        following = {
            r: data_rows[i + 1] if i + 1 < len(data_rows) else None for i, r in enumerate(data_rows)
        }
        for r in data_rows:
            if (
                self.cand_col is not None
                and looks_numeric(sheet.cell(r, self.cand_col))
                and not (self.list_col is not None and sheet.text(r, self.list_col))
            ):
                self._candidate_in_column(r, self.cand_col)
                continue
            label = sheet.text(r, label_col)
            if not label:
                continue
            role = self.reader.labels(label)
            if is_number_field(role):
                assert role is not None
                self._statistic(r, role)
                continue
            has_numbers = any(looks_numeric(sheet.cell(r, c)) for c, _v in self.targets)
            if (
                role == "total"
                or sheet.row_numbers[r] in self.total_rows
                or self.reader.is_total(label)
            ):
                self._total_row(r, has_numbers)
                continue
            if role is not None:
                if role == "ignore":
                    self.builder.tolerate(sheet, row=r)
                continue
            if not has_numbers:
                # No votes: a list header, or a row whose list or candidate number (an
                # identifier, not a count) stands alone.
                self.builder.tolerate(sheet, row=r)
                self._maybe_list_header(r, label, following[r])
                continue
            if self.by_header and self.current_list is not None:
                candidate = self.candidates(label)
                if candidate is not None and not is_prefixed_list_header(label):
                    self._candidate_in_label(r, candidate)
                    continue
            self._list_row(r, label)
        self._check_grand_totals()

    # --- row kinds ------------------------------------------------------------------

    def _statistic(self, r: int, role: str) -> None:
        builder, sheet = self.builder, self.sheet
        fast = builder.fast_counts(sheet, r, self.picker)
        if fast is not None:
            for (c, values), number in zip(self.targets, fast, strict=True):
                if number is not None:
                    builder.put_number(values, role, number, sheet, r, c)
            return
        for c, values in self.targets:
            builder.set_number(values, role, sheet, r, c)

    def _list_row(self, r: int, label: str) -> None:
        sheet = self.sheet
        if self.list_col is not None and looks_numeric(sheet.cell(r, self.list_col)):
            list_id = self.reader.list_number(sheet, r, self.list_col, label)
        else:
            list_id = self.reader.resolve_list(sheet, r, self.label_col)
        self.current_list = list_id
        self.list_total_done = True  # the row states the list's votes itself
        self._put_list(r, list_id)

    def _put_list(self, r: int, list_id: str) -> None:
        builder, sheet = self.builder, self.sheet
        fast = builder.fast_counts(sheet, r, self.picker)
        if fast is not None:
            builder.put_list_over(self.target_values, list_id, fast, sheet, r, self.picker.columns)
            return
        for c, values in self.targets:
            builder.set_list(values, list_id, sheet, r, c)

    def _maybe_list_header(self, r: int, label: str, next_row: int | None) -> None:
        """A row without votes: a list header when it carries a list number, or when the next
        row is a candidate row (a list named only by name)."""
        numbered = list_header(label)
        if numbered is None and not self._is_candidate_row(next_row):
            return
        if self.by_header and not self.list_total_done:
            self.lists_without_total += 1  # the previous list ended without a 'Totaal' row
        self.current_list = self._header_list(r, label, numbered)
        self.by_header = True
        self.list_total_done = False
        self.lists_by_header.append(self.current_list)

    def _is_candidate_row(self, r: int | None) -> bool:
        if r is None:
            return False
        label = self.sheet.text(r, self.label_col)
        return (
            bool(label)
            and self.reader.labels(label) is None
            and not self.reader.is_total(label)
            and self.candidates(label) is not None
            and any(looks_numeric(self.sheet.cell(r, c)) for c, _v in self.targets)
        )

    def _header_list(self, r: int, label: str, numbered: Numbered | None) -> str:
        sheet = self.sheet
        if numbered is None:
            return self.reader.resolve_list(sheet, r, self.label_col)
        list_id = self.reader.resolver.number(
            str(numbered.number),
            numbered.name or None,
            sheet.where(r, self.label_col),
            sheet.location(r, self.label_col),
            header=label,
        )
        self.builder.affiliation(list_id, numbered.name or None)
        self.reader.note_list(sheet, r, self.label_col, label, list_id, "list number in the label")
        return list_id

    def _candidate_in_label(self, r: int, candidate: Numbered) -> None:
        assert self.current_list is not None
        builder, sheet = self.builder, self.sheet
        candidate_id = str(candidate.number)
        builder.affiliations[self.current_list].candidates[candidate_id] = candidate.name or None
        fast = builder.fast_counts(sheet, r, self.picker)
        if fast is not None:
            builder.put_candidates(
                self.target_values,
                self.current_list,
                candidate_id,
                fast,
                sheet,
                r,
                self.picker.columns,
            )
            return
        for c, values in self.targets:
            builder.set_candidate(values, self.current_list, candidate_id, (sheet, r, c))

    def _candidate_in_column(self, r: int, cand_col: int) -> None:
        """A row with a candidate's position in its own column (and name) under its list."""
        sheet = self.sheet
        if self.current_list is None:
            self.reader.context.note(
                "candidate-before-list",
                f"{sheet.row_where(r)}: a candidate row before any list row is skipped.",
                sheet.location(r, cand_col),
            )
            return
        candidate_id = self.builder.position(sheet, r, cand_col, "candidate number")
        name = sheet.text(r, self.cand_name_col)
        self.builder.affiliations[self.current_list].candidates[candidate_id] = name or None
        for c, values in self.targets:
            self.builder.set_candidate(values, self.current_list, candidate_id, (sheet, r, c))

    def _total_row(self, r: int, has_numbers: bool) -> None:
        if (
            self.by_header
            and self.current_list is not None
            and not self.list_total_done
            and not self._is_grand_total(r)
        ):
            # 'Totaal' under a list's candidates: the list's stated total.
            self.list_total_done = True
            if has_numbers:
                self._put_list(r, self.current_list)
            return
        self.builder.tolerate(self.sheet, row=r)
        if has_numbers:
            self.grand_rows.append(r)

    # --- grand totals ---------------------------------------------------------------------

    def _is_grand_total(self, r: int) -> bool:
        """A 'Totaal' row after the last list's candidates is that list's total only when the
        sheet writes a total per list: not when earlier lists ended without one, and not when
        its numbers are the sum of all lists (and not of this list's candidates). ``Totaal
        lijst 3`` names its list."""
        label = self.sheet.text(r, self.label_col)
        named = re.search(r"(?i)\blijst\s*(\d{1,3})\b", label)
        if named is not None:
            return False
        if self.lists_without_total:
            return True
        if len(self.lists_by_header) < 2:
            return False
        assert self.current_list is not None
        grand = own = True
        for c, values in self.targets:
            try:
                stated = parse_count(self.sheet.cell(r, c))
            except NotACount:
                return False
            if stated is None:
                continue
            own_sum = sum(values.candidates.get(self.current_list, {}).values())
            all_sum = sum(
                sum(values.candidates.get(list_id, {}).values()) for list_id in self.lists_by_header
            )
            grand = grand and stated == all_sum
            own = own and stated == own_sum
        return grand and not own

    def _check_grand_totals(self) -> None:
        """A grand-total row states, per station, the sum of the lists: each cell that
        disagrees with the lists as read is noted (the units and the total stay as stated)."""
        sheet = self.sheet
        for r in self.grand_rows:
            wrong: list[str] = []
            for c, values in self.targets:
                if values is self.builder.total:
                    continue
                try:
                    stated = parse_count(sheet.cell(r, c))
                except NotACount:
                    stated = None
                if stated is None:
                    continue
                lists = [n for n in values.lists.values() if n is not None]
                if not lists:
                    continue
                if sum(lists) != stated:
                    wrong.append(
                        f"{sheet.where(r, c)} states {stated}, the lists add up to {sum(lists)}"
                    )
            if wrong:
                self.reader.context.note(
                    "total-disagrees",
                    f"{sheet.row_where(r)} ({sheet.text(r, self.label_col)!r}) is a total of the "
                    f"lists that disagrees with them: {'; '.join(wrong[:10])}"
                    f"{f' and {len(wrong) - 10} more' if len(wrong) > 10 else ''}. The numbers "
                    "are kept as stated; correct the file where it is wrong.",
                    sheet.location(r, self.label_col),
                )
