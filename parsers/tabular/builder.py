"""Assembling a canonical document from values found in cells, with their locations.

The layout readers (osv4-3, families a-d) only say "this cell holds the value of field F of
unit U" through :class:`DocBuilder`; the builder keeps each value's cell, orders lists and
candidates, derives the total when the file has none (and says so), records locations, and
does the cell accounting: every numeric cell of the input is either mapped into the document
or reported in ``notes`` with its location.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter, setitem
from typing import Any, NoReturn, cast

from telnorm.parsers.api import ParseContext
from telnorm.parsers.canonical import (
    FORMAT_VERSION,
    CandidateVotes,
    Document,
    ReportingUnit,
    Selection,
    VoteGroup,
    clean_unit_name,
    normalise_postcode,
)
from telnorm.parsers.conventions import escape_pointer as pointer_escape
from telnorm.parsers.conventions import id_sort_key as _id_key
from telnorm.parsers.errors import DuplicateValue, InvalidCount, InvalidValue
from telnorm.parsers.tabular.grid import Cell, Sheet
from telnorm.parsers.tabular.numbers import NotACount, looks_numeric, parse_count, plain_counts
from telnorm.parsers.tabular.vocabulary import describe_field

CellRef = tuple[Sheet, int, int]
#: The largest list number or candidate position a ballot can have.
MAX_POSITION = 999
#: What a value is the votes of, in one unit: ``(list_id, None)`` for a list's votes,
#: ``(list_id, candidate_id)`` for a candidate's.
VoteKey = tuple[str, str | None]


class RowPicker:
    """The cells of fixed columns of a row, parsed at once on the readers' fast path."""

    def __init__(self, columns: Sequence[int]) -> None:
        self.columns = list(columns)
        self.every = frozenset(self.columns)
        self.last = max(self.columns, default=-1)
        self._get = itemgetter(*self.columns) if len(self.columns) > 1 else None

    def counts(self, row: list[Cell]) -> list[int | None] | None:
        """Every picked cell as a count when all are plain (see :func:`plain_counts`), else
        None: the caller then reads the row cell by cell, which reports a bad cell."""
        if not self.columns or len(row) <= self.last:
            return None
        values = self._get(row) if self._get is not None else (row[self.columns[0]],)
        return plain_counts(values)


class RowLayout:
    """How the count cells of a family-a row map to one unit's fields: statistics first, then
    lists, as the reader's :class:`RowPicker` picks them. A unit read from such a row keeps the
    parsed row itself (:meth:`DocBuilder.put_row`) instead of a dict per value."""

    def __init__(
        self,
        stat_items: Sequence[tuple[int, str]],
        list_ids: Sequence[str],
        list_cols: Sequence[int],
    ) -> None:
        self.stat_keys = [key for _c, key in stat_items]
        self.stat_items = list(stat_items)
        self.stat_cols = {key: c for c, key in reversed(stat_items)}
        self.n_stats = len(self.stat_keys)
        self.list_ids = tuple(list_ids)
        self.list_cols = list(list_cols)
        #: Rows can be kept as they are only when no field or list is named twice.
        self.unique = len(set(self.stat_keys)) == len(self.stat_keys) and len(
            set(self.list_ids)
        ) == len(self.list_ids)
        self.order = sorted(range(len(self.list_ids)), key=lambda i: _id_key(self.list_ids[i]))


class _Values:
    """The numbers of one unit (or of the total).

    ``number_refs`` keeps the cell of each statistic (a duplicate is reported with both
    cells); ``list_refs`` and ``candidate_refs`` keep the cells of list and candidate votes
    (a list or candidate stated twice is a 422 naming both cells). A unit read from one
    family-a row keeps that row's parsed counts (``row``) instead, and builds the ``lists``
    dict (and its cells) only if something asks for it; candidate rows stored by the
    C-level path of :meth:`DocBuilder.put_candidates` are remembered per row.
    """

    __slots__ = (
        "_lists",
        "candidate_refs",
        "candidates",
        "list_refs",
        "number_refs",
        "numbers",
        "row",
    )

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.number_refs: dict[str, CellRef] = {}
        self._lists: dict[str, int | None] = {}
        self.list_refs: dict[str, CellRef] = {}
        self.candidates: dict[str, dict[str, int]] = {}
        self.candidate_refs: dict[tuple[str, str], CellRef] = {}
        #: (layout, parsed row, sheet, row index) of a unit read by :meth:`DocBuilder.put_row`.
        self.row: tuple[RowLayout, list[int | None], Sheet, int] | None = None

    @property
    def lists(self) -> dict[str, int | None]:
        if self.row is not None:
            layout, numbers, sheet, r = self.row
            self.row = None
            self._lists = dict(zip(layout.list_ids, numbers[layout.n_stats :], strict=True))
            # The cells stay known: a later value of the same list names this one.
            for list_id, number, c in zip(
                layout.list_ids, numbers[layout.n_stats :], layout.list_cols, strict=True
            ):
                if number is not None:
                    self.list_refs[list_id] = (sheet, r, c)
        return self._lists

    def number_ref(self, key: str) -> CellRef:
        found = self.number_refs.get(key)
        if found is None and self.row is not None:
            layout, _numbers, sheet, r = self.row
            found = (sheet, r, layout.stat_cols[key])
        assert found is not None
        return found

    def empty(self) -> bool:
        return not (self.numbers or self.row or self.lists or self.candidates)


@functools.cache
def _slot(key: str) -> tuple[str, str]:
    """A field key as (part of the VoteGroup, code): ``rejected:blanco`` ->
    (``rejected_votes``, ``blanco``); a plain field -> ("", key)."""
    if key.startswith("rejected:"):
        return "rejected_votes", key.split(":", 1)[1]
    if key.startswith("uncounted:"):
        return "uncounted_votes", key.split(":", 1)[1]
    return "", key


@dataclass
class UnitInfo:
    number: int | None
    name: str | None
    postal_code: str | None = None
    kind: str | None = "polling_station"
    unit_id: str | None = None
    where: CellRef | None = None


@dataclass
class _Affiliation:
    id: str
    name: str | None
    candidates: dict[str, str | None] = field(default_factory=dict)


class DocBuilder:
    """Collects values cell by cell; :meth:`finish` returns the canonical document."""

    def __init__(self, context: ParseContext, sheets: list[Sheet]) -> None:
        self.context = context
        self.sheets = sheets
        self.election: dict[str, Any] = {
            "id": None,
            "name": None,
            "category": None,
            "subcategory": None,
            "date": None,
            "domain": None,
        }
        self.contest: dict[str, Any] = {"id": None, "name": None}
        self.authority: dict[str, Any] = {"id": None, "name": None}
        self.affiliations: dict[str, _Affiliation] = {}
        self.units: list[tuple[UnitInfo, _Values]] = []
        self.total: _Values | None = None
        self.total_label: str | None = None
        self.want_locations = context.want_locations
        # Cells whose value is in the document, per sheet: row -> columns. Only cells read by
        # count() (or a reader's fast path, which parsed them as counts) go in here, so they
        # are numeric cells; a row often shares one frozenset with its neighbours.
        self._marks: list[dict[int, AbstractSet[int]]] = [{} for _ in sheets]
        # Cells marked without being read as counts (metadata such as a municipality code).
        self._loose: set[tuple[int, int, int]] = set()
        self._sheet_index = {id(sheet): i for i, sheet in enumerate(sheets)}
        self._order_cache: dict[tuple[str, ...], list[str]] = {}
        self._candidate_dicts: dict[
            tuple[int, str], tuple[Sequence[_Values], list[dict[str, int]]]
        ] = {}
        self._unions: dict[tuple[frozenset[int], frozenset[int]], frozenset[int]] = {}
        # Rows stored by put_candidates' C-level loop (no per-cell reference), to name the
        # first cell when a value is stated again.
        self._row_writes: dict[
            VoteKey, list[tuple[Sequence[_Values], Sheet, int, Sequence[int]]]
        ] = {}

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

    # --- structure ----------------------------------------------------------------

    def add_unit(self, info: UnitInfo) -> _Values:
        values = _Values()
        self.units.append((info, values))
        return values

    def total_values(self, label: str) -> _Values:
        if self.total is None:
            self.total = _Values()
            self.total_label = label
        return self.total

    def affiliation(self, list_id: str, name: str | None) -> _Affiliation:
        known = self.affiliations.get(list_id)
        if known is None:
            known = self.affiliations[list_id] = _Affiliation(list_id, name)
        elif name and not known.name:
            known.name = name
        return known

    def set_number(self, values: _Values, key: str, sheet: Sheet, r: int, c: int) -> None:
        number = self.count(sheet, r, c, lambda: describe_field(key))
        if number is not None:
            self.put_number(values, key, number, sheet, r, c)

    def put_number(
        self, values: _Values, key: str, number: int, sheet: Sheet, r: int, c: int
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
        self, values: _Values, layout: RowLayout, numbers: list[int | None], sheet: Sheet, r: int
    ) -> None:
        """A family-a row's parsed counts (statistics, then lists) for one unit. A fresh unit
        keeps the row itself; otherwise, or with locations wanted, value by value."""
        if (
            layout.unique
            and not self.want_locations
            and not (values.numbers or values.row or values._lists)
        ):
            values.numbers = {
                key: number
                for key, number in zip(layout.stat_keys, numbers, strict=False)
                if number is not None
            }
            values.row = (layout, numbers, sheet, r)
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
        values: _Values,
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

    def _previous_ref(self, values: _Values, key: VoteKey) -> CellRef | None:
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

    def _unit_label(self, values: _Values) -> str:
        if values is self.total:
            return f"the total ({self.total_label})"
        for info, found in self.units:
            if found is values:
                if info.name:
                    return f"unit {info.name!r}"
                return f"unit {info.number}" if info.number is not None else "a unit"
        return "a unit"

    def _duplicate(
        self, values: _Values, key: VoteKey, previous: int, number: int, cell: CellRef
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

    def set_list(self, values: _Values, list_id: str, sheet: Sheet, r: int, c: int) -> None:
        number = self.count(sheet, r, c, lambda: f"votes of list {list_id}")
        self._put_vote(values, (list_id, None), number, sheet, r, c)

    def put_lists(
        self,
        values: _Values,
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
        targets: Sequence[_Values],
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

    def set_candidate(
        self, values: _Values, list_id: str, candidate_id: str, cell: CellRef
    ) -> None:
        sheet, r, c = cell
        number = self.count(
            sheet, r, c, lambda: f"votes of candidate {candidate_id} of list {list_id}"
        )
        self._put_vote(values, (list_id, candidate_id), number, sheet, r, c)

    def put_candidates(
        self,
        targets: Sequence[_Values],
        list_id: str,
        candidate_id: str,
        numbers: Sequence[int | None],
        sheet: Sheet,
        r: int,
        columns: Sequence[int],
    ) -> None:
        """The fast path's :meth:`set_candidate` for one candidate over many units."""
        key: VoteKey = (list_id, candidate_id)
        if None not in numbers and len(targets) == len(numbers) and not self.want_locations:
            # The common row: every unit has a number; one C-level loop stores them, after a
            # C-level check that no unit has this candidate yet. The row is remembered (not
            # each cell) so that a later duplicate can name this one.
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
                return
        put = self._put_vote
        for values, number, c in zip(targets, numbers, columns, strict=True):
            put(values, key, number, sheet, r, c)

    # --- the document -------------------------------------------------------------

    def _ordered(self, ids: tuple[str, ...]) -> list[str]:
        """Ids in ballot order (numbers first, by value); cached, units share their lists."""
        found = self._order_cache.get(ids)
        if found is None:
            found = self._order_cache[ids] = sorted(set(ids), key=_id_key)
        return found

    def _group(self, values: _Values, pointer: str) -> VoteGroup:
        group: VoteGroup = {
            "cast": None,
            "total_counted": None,
            "rejected_votes": {},
            "uncounted_votes": {},
        }
        want = self.want_locations
        for key, number in values.numbers.items():
            part, code = _slot(key)
            if part:
                group[part][code] = number  # type: ignore[literal-required]
            else:
                group[key] = number  # type: ignore[literal-required]
            if want:
                path = f"{pointer}/{part}/{pointer_escape(code)}" if part else f"{pointer}/{key}"
                sheet, r, c = values.number_ref(key)
                self.context.locate(path, sheet.location(r, c))
        if "votes_cast" not in values.numbers:
            group.pop("votes_cast", None)
        if values.row is not None and not values.candidates and not want:
            layout, numbers, _sheet, _r = values.row
            ids, n = layout.list_ids, layout.n_stats
            group["selections"] = [
                {"affiliation_id": ids[i], "valid_votes": numbers[n + i], "candidates": []}
                for i in layout.order
            ]
            return group
        lists = values.lists
        candidates_of = values.candidates
        if not candidates_of:
            lists_get = lists.get
            group["selections"] = [
                {"affiliation_id": list_id, "valid_votes": lists_get(list_id), "candidates": []}
                for list_id in self._ordered(tuple(lists))
            ]
            if want:
                self._locate_lists(values, pointer)
            return group
        selections: list[Selection] = []
        list_ids = self._ordered((*lists, *candidates_of))
        for s, list_id in enumerate(list_ids):
            by_candidate = candidates_of.get(list_id)
            candidates: list[CandidateVotes] = (
                [
                    {"candidate_id": candidate_id, "valid_votes": by_candidate[candidate_id]}
                    for candidate_id in self._ordered(tuple(by_candidate))
                ]
                if by_candidate
                else []
            )
            selections.append(
                {
                    "affiliation_id": list_id,
                    "valid_votes": lists.get(list_id),
                    "candidates": candidates,
                }
            )
            if want:
                for k, item in enumerate(candidates):
                    sheet, r, c = values.candidate_refs[(list_id, item["candidate_id"])]
                    self.context.locate(
                        f"{pointer}/selections/{s}/candidates/{k}/valid_votes",
                        sheet.location(r, c),
                    )
                ref = values.list_refs.get(list_id) if lists.get(list_id) is not None else None
                if ref is not None:
                    self.context.locate(
                        f"{pointer}/selections/{s}/valid_votes", ref[0].location(ref[1], ref[2])
                    )
        group["selections"] = selections
        return group

    def _locate_lists(self, values: _Values, pointer: str) -> None:
        lists = values.lists
        for s, list_id in enumerate(self._ordered(tuple(lists))):
            ref = values.list_refs.get(list_id) if lists.get(list_id) is not None else None
            if ref is not None:
                self.context.locate(
                    f"{pointer}/selections/{s}/valid_votes", ref[0].location(ref[1], ref[2])
                )

    def _derived_total(self) -> VoteGroup:
        total: VoteGroup = {
            "cast": None,
            "total_counted": None,
            "rejected_votes": {},
            "uncounted_votes": {},
            "selections": [],
        }
        numbers: dict[str, int] = {}
        lists: dict[str, int | None] = {}
        candidates: dict[str, dict[str, int]] = {}
        # Units with the same lists in the same order (nearly always all of them) are summed
        # column by column; keys keep the order of their first appearance, as unit by unit.
        same_lists: dict[tuple[str, ...], list[Iterable[int | None]]] = {}
        same_numbers: dict[tuple[str, ...], list[Iterable[int]]] = {}
        for _info, values in self.units:
            same_numbers.setdefault(tuple(values.numbers), []).append(values.numbers.values())
            if values.row is not None:
                layout, row_numbers, _sheet, _r = values.row
                same_lists.setdefault(layout.list_ids, []).append(row_numbers[layout.n_stats :])
            else:
                same_lists.setdefault(tuple(values.lists), []).append(values.lists.values())
            for list_id, by_candidate in values.candidates.items():
                target = candidates.setdefault(list_id, {})
                for candidate_id, number in by_candidate.items():
                    target[candidate_id] = target.get(candidate_id, 0) + number
        for keys, number_rows in same_numbers.items():
            for key, column in zip(keys, zip(*number_rows, strict=True), strict=True):
                numbers[key] = numbers.get(key, 0) + sum(column)
        for list_ids, rows in same_lists.items():
            for list_id, column in zip(list_ids, zip(*rows, strict=True), strict=True):
                if None in column:
                    stated = [n for n in column if n is not None]
                    if not stated:
                        lists.setdefault(list_id, None)
                        continue
                    list_total = sum(stated)
                else:
                    list_total = sum(column)
                lists[list_id] = (lists.get(list_id) or 0) + list_total
        for key, number in numbers.items():
            if key.startswith("rejected:"):
                total["rejected_votes"][key.split(":", 1)[1]] = number
            elif key.startswith("uncounted:"):
                total["uncounted_votes"][key.split(":", 1)[1]] = number
            else:
                total[key] = number  # type: ignore[literal-required]
        for list_id in sorted(set(lists) | set(candidates), key=_id_key):
            total["selections"].append(
                {
                    "affiliation_id": list_id,
                    "valid_votes": lists.get(list_id),
                    "candidates": [
                        {"candidate_id": cid, "valid_votes": n}
                        for cid, n in sorted(
                            candidates.get(list_id, {}).items(), key=lambda i: _id_key(i[0])
                        )
                    ],
                }
            )
        return total

    def finish(self, level: str = "municipality") -> Document:
        authority_id = self.authority.get("id")
        units: list[ReportingUnit] = []
        seen_ids: dict[str, int] = {}
        for index, (info, values) in enumerate(self.units):
            pointer = f"/reporting_unit_votes/{index}"
            name, postal_from_name = clean_unit_name(info.name)
            unit_id = info.unit_id
            if unit_id is None:
                tail = f"SB{info.number}" if info.number is not None else f"U{index + 1}"
                unit_id = f"{authority_id}::{tail}" if authority_id else tail
            if unit_id in seen_ids:
                # Kept as it is (as the EML parser does): validation reports S.101 for it, an
                # error; renaming it would hide that two columns or rows claim one station.
                self.context.note(
                    "duplicate-unit",
                    f"Two units share the id {unit_id} (units {seen_ids[unit_id] + 1} and "
                    f"{index + 1}); both are kept with that id (validation reports S.101). "
                    "Correct the station name or number in the file.",
                    info.where[0].location(info.where[1], info.where[2]) if info.where else None,
                )
            else:
                seen_ids[unit_id] = index
            unit: ReportingUnit = {
                "id": unit_id,
                "number": info.number,
                "name": name,
                "postal_code": normalise_postcode(info.postal_code) or postal_from_name,
                "kind": info.kind,
            }
            if info.name and name != info.name.strip():
                unit["raw_name"] = info.name
            unit.update(self._group(values, pointer))  # type: ignore[typeddict-item]
            units.append(unit)
        if self.total is not None and not self.total.empty():
            total = self._group(self.total, "/total_votes")
            self.context.note(
                "total-from-file",
                f"total_votes is the file's own total ({self.total_label}).",
                None,
            )
        else:
            total = self._derived_total()
            self.context.note(
                "total-derived",
                f"The file has no total; total_votes is the sum of the {len(units)} units.",
                None,
            )
        affiliations = []
        for list_id in sorted(self.affiliations, key=_id_key):
            aff = self.affiliations[list_id]
            affiliations.append(
                {
                    "id": aff.id,
                    "name": aff.name,
                    "candidates": [
                        {"id": cid, "name": cname, "short_code": None}
                        for cid, cname in sorted(
                            aff.candidates.items(), key=lambda i: _id_key(i[0])
                        )
                    ],
                }
            )
        return {
            "format_version": FORMAT_VERSION,
            "document": {"eml_id": None, "level": level, "created": None, "transaction_id": None},
            "election": dict(self.election),
            "contest": dict(self.contest),
            "managing_authority": dict(self.authority),
            "affiliations": affiliations,
            "total_votes": total,
            "reporting_unit_votes": units,
            "notes": [],
        }

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


_CATEGORIES = (
    ("tweede kamer", "TK"),
    ("eerste kamer", "EK"),
    ("europees parlement", "EP"),
    ("provinciale staten", "PS"),
    ("gemeenteraad", "GR"),
    ("waterschap", "AB"),
    ("algemeen bestuur", "AB"),
    ("bestuurscommissie", "BC"),
    ("eilandsraad", "ER"),
    ("kiescollege", "GC"),
)


def infer_election(
    builder: DocBuilder, name: str | None, date: str | None, domain_name: str | None
) -> None:
    """Election fields from a free-text name such as ``Gemeenteraad West Maas en Waal 2022``."""
    election = builder.election
    election["name"] = name
    if date and re.match(r"^\d{4}-\d{2}-\d{2}$", date):
        election["date"] = date
    elif date:
        match = re.match(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$", date)
        if match:
            day, month, year_text = match.groups()
            election["date"] = f"{year_text}-{int(month):02d}-{int(day):02d}"
    if not name:
        return
    lowered = name.lower()
    category = next((cat for text, cat in _CATEGORIES if text in lowered), None)
    year_match = re.search(r"(19|20)\d{2}", name)
    year = year_match.group(0) if year_match else (election["date"] or "")[:4] or None
    election["category"] = category
    if category in ("TK", "EK", "EP"):
        election["subcategory"] = category
    if category and year:
        if category in ("TK", "EK", "EP"):
            election["id"] = f"{category}{year}"
        elif domain_name:
            place = re.sub(r"^(gemeente|provincie|waterschap)\s+", "", domain_name, flags=re.I)
            election["id"] = f"{category}{year}_{re.sub(r'[^A-Za-z0-9]', '', place)}"
        builder.context.note(
            "election-inferred",
            f"Election id {election['id']!r} and category {category!r} are inferred from the "
            f"name {name!r}; supply the candidate list to take them from the Kiesraad's file.",
            None,
        )


def apply_candidate_list_election(builder: DocBuilder, candidate_list: Any) -> None:
    """Take election and contest from a candidate list (they are authoritative there)."""
    election = getattr(candidate_list, "election", None) or {}
    for key in ("id", "name", "category", "subcategory", "date", "domain"):
        if election.get(key) is not None:
            builder.election[key] = election[key]
    # A municipal election's candidate list is issued by the municipality itself (a CBS code);
    # a TK/PS list comes from the CSB or a district and says nothing about this count's author.
    authority = getattr(candidate_list, "authority", None) or {}
    if builder.authority.get("id") is None and re.fullmatch(r"\d{4}", str(authority.get("id"))):
        builder.authority["id"] = authority["id"]
        builder.authority["name"] = builder.authority.get("name") or authority.get("name")
        builder.context.note(
            "authority-from-candidate-list",
            f"The file does not name its municipality; {authority['id']} is taken from the "
            "candidate list.",
            None,
        )
    contest = getattr(candidate_list, "contest", None) or {}
    for key in ("id", "name"):
        if contest.get(key) is not None:
            builder.contest[key] = contest[key]
