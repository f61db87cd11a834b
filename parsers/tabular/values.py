"""What the readers store: one unit's values (:class:`Values`), unit and list descriptions,
and the per-row helpers of the fast path (:class:`RowPicker`, :class:`RowLayout`).

Plain data holders; the rules about them (duplicates, cell accounting, assembling the
document) live in :mod:`.store`, :mod:`.accounting` and :mod:`.assembly`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from telnorm.parsers.conventions import id_sort_key as id_key
from telnorm.parsers.tabular.grid import Cell, Sheet
from telnorm.parsers.tabular.numbers import plain_counts

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
        self.order = sorted(range(len(self.list_ids)), key=lambda i: id_key(self.list_ids[i]))


class Values:
    """The numbers of one unit (or of the total).

    ``number_refs`` keeps the cell of each statistic (a duplicate is reported with both
    cells); ``list_refs`` and ``candidate_refs`` keep the cells of list and candidate votes
    (a list or candidate stated twice is a 422 naming both cells). A unit read from one
    family-a row keeps that row's parsed counts (``row``) instead, and builds the ``lists``
    dict (and its cells) only if something asks for it; candidate rows stored by the
    C-level path of :meth:`DocBuilder.put_candidates` are remembered per row.
    """

    __slots__ = (
        "_candidate_refs",
        "_candidates",
        "_list_refs",
        "_lists",
        "_number_refs",
        "numbers",
        "row",
    )

    # The dicts besides ``numbers`` are made when first asked for: a unit read from one row
    # has none of them (five empty dicts are 320 bytes a unit, 38 MB for 120,000 units).
    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self._number_refs: dict[str, CellRef] | None = None
        self._lists: dict[str, int | None] | None = None
        self._list_refs: dict[str, CellRef] | None = None
        self._candidates: dict[str, dict[str, int]] | None = None
        self._candidate_refs: dict[tuple[str, str], CellRef] | None = None
        #: (layout, parsed row, sheet, row index) of a unit read by :meth:`DocBuilder.put_row`
        #: (the parsed row as an ``array`` of 64-bit counts when no cell is empty).
        self.row: tuple[RowLayout, Sequence[int | None], Sheet, int] | None = None

    @property
    def number_refs(self) -> dict[str, CellRef]:
        found = self._number_refs
        if found is None:
            found = self._number_refs = {}
        return found

    @property
    def list_refs(self) -> dict[str, CellRef]:
        found = self._list_refs
        if found is None:
            found = self._list_refs = {}
        return found

    @property
    def candidates(self) -> dict[str, dict[str, int]]:
        found = self._candidates
        if found is None:
            found = self._candidates = {}
        return found

    @property
    def candidate_refs(self) -> dict[tuple[str, str], CellRef]:
        found = self._candidate_refs
        if found is None:
            found = self._candidate_refs = {}
        return found

    @property
    def lists(self) -> dict[str, int | None]:
        if self.row is not None:
            layout, numbers, sheet, r = self.row
            self.row = None
            self._lists = dict(zip(layout.list_ids, numbers[layout.n_stats :], strict=True))
            # The cells stay known: a later value of the same list names this one.
            list_refs = self.list_refs
            for list_id, number, c in zip(
                layout.list_ids, numbers[layout.n_stats :], layout.list_cols, strict=True
            ):
                if number is not None:
                    list_refs[list_id] = (sheet, r, c)
        found = self._lists
        if found is None:
            found = self._lists = {}
        return found

    def number_ref(self, key: str) -> CellRef:
        found = self._number_refs.get(key) if self._number_refs else None
        if found is None and self.row is not None:
            layout, _numbers, sheet, r = self.row
            found = (sheet, r, layout.stat_cols[key])
        assert found is not None
        return found

    def empty(self) -> bool:
        return not (self.numbers or self.row or self.lists or self._candidates)


@functools.cache
def slot(key: str) -> tuple[str, str]:
    """A field key as (part of the VoteGroup, code): ``rejected:blanco`` ->
    (``rejected_votes``, ``blanco``); a plain field -> ("", key)."""
    if key.startswith("rejected:"):
        return "rejected_votes", key.split(":", 1)[1]
    if key.startswith("uncounted:"):
        return "uncounted_votes", key.split(":", 1)[1]
    return "", key


@dataclass(slots=True)
class UnitInfo:
    number: int | None
    name: str | None
    postal_code: str | None = None
    kind: str | None = "polling_station"
    unit_id: str | None = None
    where: CellRef | None = None


@dataclass
class Affiliation:
    id: str
    name: str | None
    candidates: dict[str, str | None] = field(default_factory=dict)
