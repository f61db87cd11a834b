"""Assembling the canonical document from the value store: units in order, lists and
candidates in ballot order, the file's total or one derived from the units (noted), and the
locations of the values.

Each unit's selections are packed (:func:`telnorm.parsers.packed_selections.pack`: its
orjson bytes, a fifth of the memory of the dicts) as soon as the unit is built, and the
unit's stored values are released then: the document grows as the store shrinks.
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

import orjson

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
from telnorm.parsers.conventions import id_sort_key as id_key
from telnorm.parsers.packed_selections import PackedSelections, pack
from telnorm.parsers.tabular.grid import Sheet, column_letter
from telnorm.parsers.tabular.locations import TabularLocations
from telnorm.parsers.tabular.store import ValueStore
from telnorm.parsers.tabular.values import RowLayout, Values, slot

_letters = functools.cache(column_letter)


@functools.cache
def _field_path(key: str) -> str:
    """The pointer tail of a statistic's field key: ``/cast``, ``/rejected_votes/blanco``."""
    part, code = slot(key)
    return f"/{part}/{pointer_escape(code)}" if part else f"/{key}"


@functools.cache
def _votes_paths(n: int) -> list[str]:
    """``0/valid_votes``, ``1/valid_votes`` ...: the tails of ``n`` candidates' pointers
    after ``.../candidates/``."""
    return [f"{k}/valid_votes" for k in range(n)]


class DocBuilder(ValueStore):
    """Collects values cell by cell; :meth:`finish` returns the canonical document."""

    def __init__(self, context: ParseContext, sheets: list[Sheet], *, packed: bool = True) -> None:
        super().__init__(context, sheets)
        #: Selections packed per unit (False: plain lists, for a caller that walks the
        #: document with ``isinstance(..., list)``, as the PDF reader's pointer lookup does).
        self.packed = packed
        #: The location map: compact row records written as a stream (parsers/tabular/
        #: locations.py); a plain dict for the PDF reader, which reads the context's map.
        self._locations: TabularLocations | dict[str, dict[str, Any]] = (
            TabularLocations() if packed else context.locations
        )
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
        self._order_cache: dict[tuple[str, ...], list[str]] = {}
        self._templates: dict[int, tuple[RowLayout, str, Callable[[Any], tuple[Any, ...]]]] = {}
        # Per row layout (by id, with the layout to tell a reused id): pointer tail and column
        # of each statistic; pointer tail, index into the parsed row and column of each list,
        # in selection order.
        #: (layout, statistic keys) -> the located (tail, column) pairs of such a row
        self._row_pairs: dict[
            tuple[int, tuple[str, ...]],
            tuple[Any, list[tuple[str, int]], list[tuple[str, int]], list[tuple[str, int]]],
        ] = {}
        self._row_items: dict[
            int, tuple[RowLayout, dict[str, tuple[str, int]], list[tuple[str, int, int]]]
        ] = {}

    # --- the document -------------------------------------------------------------

    def _ordered(self, ids: tuple[str, ...]) -> list[str]:
        """Ids in ballot order (numbers first, by value); cached, units share their lists."""
        found = self._order_cache.get(ids)
        if found is None:
            found = self._order_cache[ids] = sorted(set(ids), key=id_key)
        return found

    def _group(self, values: Values, pointer: str) -> VoteGroup:
        group: VoteGroup = {
            "cast": None,
            "total_counted": None,
            "rejected_votes": {},
            "uncounted_votes": {},
        }
        want = self.want_locations
        locations = self._locations
        for key, number in values.numbers.items():
            part, code = slot(key)
            if part:
                group[part][code] = number  # type: ignore[literal-required]
            else:
                group[key] = number  # type: ignore[literal-required]
        if "votes_cast" not in values.numbers:
            group.pop("votes_cast", None)
        if want and values.row is None:
            for key in values.numbers:
                sheet, r, c = values.number_ref(key)
                locations[pointer + _field_path(key)] = sheet.location(r, c)
        if values.row is not None and not values._candidates:
            layout, numbers, sheet, r = values.row
            ids, n = layout.list_ids, layout.n_stats
            if self.packed and type(numbers) is array and layout.order:
                # Every list stated: the packed JSON straight from the row, by one format
                # operation (what orjson writes for the dicts below, byte for byte).
                template, pick = self._row_template(layout)
                text = template % pick(numbers)
                group["selections"] = PackedSelections(text.encode(), len(layout.order))
            else:
                group["selections"] = self._pack(
                    [
                        {"affiliation_id": ids[i], "valid_votes": numbers[n + i], "candidates": []}
                        for i in layout.order
                    ]
                )
            if want:
                self._locate_row(values, pointer)
            return group
        if want and values.row is not None:
            for key in values.numbers:  # a row with candidates: the rest below
                sheet, r, c = values.number_ref(key)
                locations[pointer + _field_path(key)] = sheet.location(r, c)
        lists = values.lists
        candidates_of = values.candidates
        if not candidates_of:
            lists_get = lists.get
            group["selections"] = self._pack(
                [
                    {"affiliation_id": list_id, "valid_votes": lists_get(list_id), "candidates": []}
                    for list_id in self._ordered(tuple(lists))
                ]
            )
            if want:
                self._locate_lists(values, pointer)
            return group
        selections: list[Selection] = []
        list_ids = self._ordered((*lists, *candidates_of))
        list_refs = values.list_refs
        candidate_refs = values.candidate_refs
        for s, list_id in enumerate(list_ids):
            by_candidate = candidates_of.get(list_id) or {}
            order = self._ordered(tuple(by_candidate)) if by_candidate else []
            candidates: list[CandidateVotes] = [
                {"candidate_id": candidate_id, "valid_votes": by_candidate[candidate_id]}
                for candidate_id in order
            ]
            selections.append(
                {
                    "affiliation_id": list_id,
                    "valid_votes": lists.get(list_id),
                    "candidates": candidates,
                }
            )
            if want:
                base = f"{pointer}/selections/{s}"
                if candidates and isinstance(self._locations, TabularLocations):
                    # one record: the entries come from the cells the reader kept anyway
                    self._locations.add_candidates(
                        base + "/candidates/", list_id, order, candidate_refs
                    )
                elif candidates:
                    inner = base + "/candidates/"
                    plain = self._plain()
                    for tail, item in zip(_votes_paths(len(candidates)), candidates, strict=True):
                        sheet, r, c = candidate_refs[(list_id, item["candidate_id"])]
                        plain[inner + tail] = (
                            {"line": sheet.row_numbers[r], "column": c + 1}
                            if sheet.name is None
                            else sheet.location(r, c)
                        )
                ref = list_refs.get(list_id) if lists.get(list_id) is not None else None
                if ref is not None:
                    self._plain()[base + "/valid_votes"] = ref[0].location(ref[1], ref[2])
        group["selections"] = self._pack(selections)
        return group

    def _locate_row(self, values: Values, pointer: str) -> None:
        """The locations of a unit read from one family-a row, in bulk: statistics, then
        list votes in selection order; pointer tails and columns come from the row layout
        (computed once per layout), the row's line or sheet row from the row."""
        assert values.row is not None
        layout, numbers, sheet, r = values.row
        locations = self._locations
        found = self._row_items.get(id(layout))
        if found is None or found[0] is not layout:
            n = layout.n_stats
            stats = {key: (_field_path(key), c) for key, c in layout.stat_cols.items()}
            lists = [
                (f"/selections/{s}/valid_votes", n + i, layout.list_cols[i])
                for s, i in enumerate(layout.order)
            ]
            found = self._row_items[id(layout)] = (layout, stats, lists)
        _layout, stat_items, list_items = found
        if sheet.name is None and not values._number_refs:
            # The common case: a text table, every statistic from this row.
            line = sheet.row_numbers[r]
            if isinstance(locations, TabularLocations):  # one record for the row
                keys = tuple(values.numbers)
                cache_key = (id(layout), keys)
                shared = self._row_pairs.get(cache_key)
                if shared is None or shared[0] is not layout:
                    stat_pairs = [(stat_items[key][0], stat_items[key][1] + 1) for key in keys]
                    list_pairs = [(tail, c + 1) for tail, _at, c in list_items]
                    shared = self._row_pairs[cache_key] = (
                        layout,
                        stat_pairs,
                        list_pairs,
                        stat_pairs + list_pairs,
                    )
                _same, stat_pairs, list_pairs, every = shared
                pairs: list[tuple[str, int]]
                if type(numbers) is array:  # no list empty: one list shared by such rows
                    pairs = every
                else:
                    pairs = stat_pairs + [
                        pair
                        for pair, (_tail, at, _c) in zip(list_pairs, list_items, strict=True)
                        if numbers[at] is not None
                    ]
                locations.add_row(pointer, line, pairs)
                return
            for key in values.numbers:
                tail, c = stat_items[key]
                locations[pointer + tail] = {"line": line, "column": c + 1}
            if type(numbers) is array:  # no list empty
                for tail, _at, c in list_items:
                    locations[pointer + tail] = {"line": line, "column": c + 1}
            else:
                for tail, at, c in list_items:
                    if numbers[at] is not None:
                        locations[pointer + tail] = {"line": line, "column": c + 1}
            return
        refs = values.number_refs
        for key in values.numbers:
            ref = refs.get(key)
            if ref is None:
                tail, c = stat_items[key]
                locations[pointer + tail] = sheet.location(r, c)
            else:  # stated in another row or column of this unit
                locations[pointer + _field_path(key)] = ref[0].location(ref[1], ref[2])
        if sheet.name is None:
            line = sheet.row_numbers[r]
            for tail, at, c in list_items:
                if numbers[at] is not None:
                    locations[pointer + tail] = {"line": line, "column": c + 1}
        else:
            name, row_number = sheet.name, str(sheet.row_numbers[r])
            first = sheet.first_column
            for tail, at, c in list_items:
                if numbers[at] is not None:
                    locations[pointer + tail] = {
                        "sheet": name,
                        "cell": _letters(c + first) + row_number,
                    }

    def _row_template(self, layout: RowLayout) -> tuple[str, Callable[[Any], tuple[Any, ...]]]:
        """A family-a layout's selections as a ``%`` format of the row's counts (list ids
        written by orjson, as in the packed JSON), and the getter of those counts in order."""
        found = self._templates.get(id(layout))
        if found is None or found[0] is not layout:
            parts = [
                '{"affiliation_id":'
                + orjson.dumps(layout.list_ids[i]).decode().replace("%", "%%")
                + ',"valid_votes":%d,"candidates":[]}'
                for i in layout.order
            ]
            picked = [layout.n_stats + i for i in layout.order]
            getter = itemgetter(*picked)
            pick = getter if len(picked) > 1 else (lambda row: (getter(row),))
            found = self._templates[id(layout)] = (layout, "[" + ",".join(parts) + "]", pick)
        return found[1], found[2]

    def _plain(self) -> dict[str, dict[str, Any]]:
        """Where plain location entries go now (a dict either way)."""
        located = self._locations
        return located.plain() if isinstance(located, TabularLocations) else located

    def _pack(self, selections: list[Selection]) -> Sequence[Selection]:
        if not self.packed:
            return selections
        return pack(selections)

    def _locate_lists(self, values: Values, pointer: str) -> None:
        lists = values.lists
        list_refs = values.list_refs
        locations = self._plain()
        for s, list_id in enumerate(self._ordered(tuple(lists))):
            ref = list_refs.get(list_id) if lists.get(list_id) is not None else None
            if ref is not None:
                locations[f"{pointer}/selections/{s}/valid_votes"] = ref[0].location(ref[1], ref[2])

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
            for list_id, by_candidate in (values._candidates or {}).items():
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
        selections: list[Selection] = []
        total["selections"] = selections
        for list_id in sorted(set(lists) | set(candidates), key=id_key):
            selections.append(
                {
                    "affiliation_id": list_id,
                    "valid_votes": lists.get(list_id),
                    "candidates": [
                        {"candidate_id": cid, "valid_votes": n}
                        for cid, n in sorted(
                            candidates.get(list_id, {}).items(), key=lambda i: id_key(i[0])
                        )
                    ],
                }
            )
        total["selections"] = self._pack(selections)
        return total

    def finish(self, level: str = "municipality") -> Document:
        """The document. Consumes the store: each unit's values are released once the unit
        is built (``units`` is empty afterwards)."""
        if self.want_locations and isinstance(self._locations, TabularLocations):
            # filled as units are built; written as a stream (or read per finding)
            self.context.deferred_locations = self._locations
        elif self.context.defer_locations and not self.context.want_locations:
            self.context.deferred_locations = self.context.locations
        authority_id = self.authority.get("id")
        units: list[ReportingUnit] = []
        seen_ids: dict[str, int] = {}
        # Only for naming the first cell of a value stated twice, while reading.
        self._candidate_dicts.clear()
        self._row_writes.clear()
        file_total = self.total is not None and not self.total.empty()
        derived = None if file_total else self._derived_total()  # from every unit's values
        stored = self.units[::-1]  # popped from the end: the values go as the unit is built
        self.units = []
        for index in range(len(stored)):
            info, values = stored.pop()
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
        if self.total is not None and derived is None:
            total = self._group(self.total, "/total_votes")
            self.context.note(
                "total-from-file",
                f"total_votes is the file's own total ({self.total_label}).",
                None,
            )
        else:
            assert derived is not None
            total = derived
            self.context.note(
                "total-derived",
                f"The file has no total; total_votes is the sum of the {len(units)} units.",
                None,
            )
        affiliations = []
        for list_id in sorted(self.affiliations, key=id_key):
            aff = self.affiliations[list_id]
            affiliations.append(
                {
                    "id": aff.id,
                    "name": aff.name,
                    "candidates": [
                        {"id": cid, "name": cname, "short_code": None}
                        for cid, cname in sorted(aff.candidates.items(), key=lambda i: id_key(i[0]))
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
