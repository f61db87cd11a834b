"""Assembling the canonical document from the value store: units in order, lists and
candidates in ballot order, the file's total or one derived from the units (noted), and the
locations of the values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.store import ValueStore
from telnorm.parsers.tabular.values import Values, slot


class DocBuilder(ValueStore):
    """Collects values cell by cell; :meth:`finish` returns the canonical document."""

    def __init__(self, context: ParseContext, sheets: list[Sheet]) -> None:
        super().__init__(context, sheets)
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
        for key, number in values.numbers.items():
            part, code = slot(key)
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

    def _locate_lists(self, values: Values, pointer: str) -> None:
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
