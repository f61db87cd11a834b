"""The value store: every statistic, list and candidate value a reader finds, with its cell.

No number is overwritten: a value stated twice for one unit is a 422 ``duplicate-value``
naming both cells (a statistic stated twice alike is read once and noted).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import setitem
from typing import NoReturn, cast

from telnorm.parsers.api import ParseContext
from telnorm.parsers.errors import DuplicateValue
from telnorm.parsers.tabular.accounting import CellAccounting
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.values import (
    Affiliation,
    CellRef,
    RowLayout,
    UnitInfo,
    Values,
    VoteKey,
)
from telnorm.parsers.tabular.vocabulary import describe_field

_CandidateRefs = dict[tuple[str, str], CellRef]


class ValueStore(CellAccounting):
    """Units, the total and lists with their values and cells."""

    def __init__(self, context: ParseContext, sheets: list[Sheet]) -> None:
        super().__init__(context, sheets)
        self.affiliations: dict[str, Affiliation] = {}
        self.units: list[tuple[UnitInfo, Values]] = []
        self.total: Values | None = None
        self.total_label: str | None = None
        self._candidate_dicts: dict[
            tuple[int, str], tuple[Sequence[Values], list[dict[str, int]]]
        ] = {}
        # Rows stored by put_candidates' C-level loop (no per-cell reference), to name the
        # first cell when a value is stated again.
        self._row_writes: dict[
            VoteKey, list[tuple[Sequence[Values], Sheet, int, Sequence[int]]]
        ] = {}

    # --- structure ----------------------------------------------------------------

    def add_unit(self, info: UnitInfo) -> Values:
        values = Values()
        self.units.append((info, values))
        return values

    def total_values(self, label: str) -> Values:
        if self.total is None:
            self.total = Values()
            self.total_label = label
        return self.total

    def affiliation(self, list_id: str, name: str | None) -> Affiliation:
        known = self.affiliations.get(list_id)
        if known is None:
            known = self.affiliations[list_id] = Affiliation(list_id, name)
        elif name and not known.name:
            known.name = name
        return known

    def set_number(self, values: Values, key: str, sheet: Sheet, r: int, c: int) -> None:
        number = self.count(sheet, r, c, lambda: describe_field(key))
        if number is not None:
            self.put_number(values, key, number, sheet, r, c)

    def put_number(
        self, values: Values, key: str, number: int, sheet: Sheet, r: int, c: int
    ) -> None:
        """A statistic read from cell (r, c). Stated twice alike: noted; stated twice with
        different numbers: refused (which is right cannot be told)."""
        if key in values.numbers:
            previous = values.numbers[key]
            ps, pr, pc = values.number_ref(key)
            if previous != number:
                raise DuplicateValue(
                    f"{sheet.where(r, c)}: {describe_field(key)} for "
                    f"{self._unit_label(values)} is stated twice: {previous} at "
                    f"{ps.where(pr, pc)} and {number} at {sheet.where(r, c)}. The numbers "
                    "cannot both be right: remove the repeated row or column and send the "
                    "file again.",
                    location=sheet.location(r, c),
                    first=ps.location(pr, pc),
                    field=key,
                )
            self.context.note(
                "duplicate-value",
                f"{describe_field(key)} is stated twice with the same number ({number}), at "
                f"{ps.where(pr, pc)} and {sheet.where(r, c)}; it is read once.",
                sheet.location(r, c),
            )
            return
        values.numbers[key] = number
        values.number_refs[key] = (sheet, r, c)

    def put_row(
        self, values: Values, layout: RowLayout, numbers: list[int | None], sheet: Sheet, r: int
    ) -> None:
        """A family-a row's parsed counts (statistics, then lists) for one unit. A fresh unit
        keeps the row itself (its cells, for locations, follow from the layout); otherwise
        value by value."""
        if layout.unique and not (values.numbers or values.row or values._lists):
            values.numbers = {
                key: number
                for key, number in zip(layout.stat_keys, numbers, strict=False)
                if number is not None
            }
            # Kept unboxed when no cell is empty: 8 bytes a count instead of an int object
            # and a list slot (about 40 bytes).
            kept = numbers if None in numbers else array("q", cast(list[int], numbers))
            values.row = (layout, kept, sheet, r)
            return
        for (c, key), number in zip(layout.stat_items, numbers, strict=False):
            if number is not None:
                self.put_number(values, key, number, sheet, r, c)
        self.put_lists(
            values, layout.list_ids, numbers[layout.n_stats :], sheet, r, layout.list_cols
        )

    # --- votes of lists and candidates ------------------------------------------------
    #
    # Every value of a list or a candidate goes through _put_vote (the per-row fast paths
    # check first and fall back to it), so a list or candidate stated twice for one unit is
    # always a 422 duplicate-value naming both cells: the numbers cannot both be right.

    def _put_vote(
        self,
        values: Values,
        key: VoteKey,
        number: int | None,
        sheet: Sheet,
        r: int,
        c: int,
    ) -> None:
        list_id, candidate_id = key
        if candidate_id is None:
            lists = values.lists
            if number is None:
                lists.setdefault(list_id, None)
                return
            previous = lists.get(list_id)
            if previous is not None:
                self._duplicate(values, key, previous, number, (sheet, r, c))
            lists[list_id] = number
            values.list_refs[list_id] = (sheet, r, c)
            return
        if number is None:
            return
        found = values.candidates.get(list_id)
        if found is None:
            found = values.candidates[list_id] = {}
        previous = found.get(candidate_id)
        if previous is not None:
            self._duplicate(values, key, previous, number, (sheet, r, c))
        found[candidate_id] = number
        values.candidate_refs[(list_id, candidate_id)] = (sheet, r, c)

    def _previous_ref(self, values: Values, key: VoteKey) -> CellRef | None:
        list_id, candidate_id = key
        found = (
            values.list_refs.get(list_id)
            if candidate_id is None
            else values.candidate_refs.get((list_id, candidate_id))
        )
        if found is not None:
            return found
        for targets, sheet, r, columns in self._row_writes.get(key, ()):
            for target, c in zip(targets, columns, strict=False):
                if target is values:
                    return (sheet, r, c)
        return None

    def _unit_label(self, values: Values) -> str:
        if values is self.total:
            return f"the total ({self.total_label})"
        for info, found in self.units:
            if found is values:
                if info.name:
                    return f"unit {info.name!r}"
                return f"unit {info.number}" if info.number is not None else "a unit"
        return "a unit"

    def _duplicate(
        self, values: Values, key: VoteKey, previous: int, number: int, cell: CellRef
    ) -> NoReturn:
        list_id, candidate_id = key
        sheet, r, c = cell
        name = self.affiliations[list_id].name if list_id in self.affiliations else None
        what = f"list {list_id}{f' ({name})' if name else ''}"
        if candidate_id is not None:
            what = f"candidate {candidate_id} of {what}"
        first = self._previous_ref(values, key)
        first_where = first[0].where(first[1], first[2]) if first else "an earlier cell"
        raise DuplicateValue(
            f"{sheet.where(r, c)}: the votes of {what} for {self._unit_label(values)} are "
            f"stated twice: {previous} at {first_where} and {number} at {sheet.where(r, c)}. "
            "The numbers cannot both be right: remove the repeated row or column (or correct "
            "the name or number that makes two of them the same list) and send the file again.",
            location=sheet.location(r, c),
            first=first[0].location(first[1], first[2]) if first else None,
            list_id=list_id,
            candidate_id=candidate_id,
        )

    def set_list(self, values: Values, list_id: str, sheet: Sheet, r: int, c: int) -> None:
        number = self.count(sheet, r, c, lambda: f"votes of list {list_id}")
        self._put_vote(values, (list_id, None), number, sheet, r, c)

    def put_lists(
        self,
        values: Values,
        list_ids: Sequence[str],
        numbers: Sequence[int | None],
        sheet: Sheet,
        r: int,
        columns: Sequence[int],
    ) -> None:
        """The fast path's :meth:`set_list` for a whole row (cells already parsed)."""
        put = self._put_vote
        for list_id, number, c in zip(list_ids, numbers, columns, strict=True):
            put(values, (list_id, None), number, sheet, r, c)

    def put_list_over(
        self,
        targets: Sequence[Values],
        list_id: str,
        numbers: Sequence[int | None],
        sheet: Sheet,
        r: int,
        columns: Sequence[int],
    ) -> None:
        """The fast path's :meth:`set_list` for one list over many units (a list row)."""
        key: VoteKey = (list_id, None)
        put = self._put_vote
        for values, number, c in zip(targets, numbers, columns, strict=True):
            put(values, key, number, sheet, r, c)

    def set_candidate(self, values: Values, list_id: str, candidate_id: str, cell: CellRef) -> None:
        sheet, r, c = cell
        number = self.count(
            sheet, r, c, lambda: f"votes of candidate {candidate_id} of list {list_id}"
        )
        self._put_vote(values, (list_id, candidate_id), number, sheet, r, c)

    def put_candidates(
        self,
        targets: Sequence[Values],
        list_id: str,
        candidate_id: str,
        numbers: Sequence[int | None],
        sheet: Sheet,
        r: int,
        columns: Sequence[int],
    ) -> None:
        """The fast path's :meth:`set_candidate` for one candidate over many units."""
        key: VoteKey = (list_id, candidate_id)
        if None not in numbers and len(targets) == len(numbers):
            # The common row: every unit has a number; one C-level loop stores them, after a
            # C-level check that no unit has this candidate yet. The row is remembered (not
            # each cell) so that a later duplicate can name this one; with locations, each
            # unit's cell is stored by a C-level loop too.
            cache_key = (id(targets), list_id)
            dicts = self._candidate_dicts.get(cache_key)
            if dicts is None or dicts[0] is not targets:
                found_dicts = [values.candidates.setdefault(list_id, {}) for values in targets]
                dicts = self._candidate_dicts[cache_key] = (targets, found_dicts)
            if not any(map(dict.__contains__, dicts[1], repeat(candidate_id))):
                counts = cast(Sequence[int], numbers)  # no None: checked above
                store: Callable[[dict[str, int], str, int], None] = setitem
                deque(map(store, dicts[1], repeat(candidate_id), counts), maxlen=0)
                self._row_writes.setdefault(key, []).append((targets, sheet, r, columns))
                if self.want_locations:
                    refs = [values.candidate_refs for values in targets]
                    cells = zip(repeat(sheet), repeat(r), columns)
                    put_ref: Callable[
                        [dict[tuple[str, str], CellRef], tuple[str, str], CellRef], None
                    ]
                    put_ref = setitem
                    deque(map(put_ref, refs, repeat((list_id, candidate_id)), cells), maxlen=0)
                return
        put = self._put_vote
        for values, number, c in zip(targets, numbers, columns, strict=True):
            put(values, key, number, sheet, r, c)
