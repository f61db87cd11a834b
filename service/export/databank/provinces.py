"""The province rows of a central Tweede Kamer count: the real files have them, a 510d has
its districts; each province whose every kieskring the count holds is their sum."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telnorm.parsers.conventions import id_sort_key
from telnorm.service.export.databank.notes import Notes
from telnorm.service.export.databank.regions import (
    COUNTRY,
    PROVINCE_NAMES,
    PROVINCE_OF_DISTRICT,
    Region,
)


def province_regions(
    regions: list[tuple[Region, Mapping[str, Any]]], notes: Notes
) -> list[tuple[Region, Mapping[str, Any]]]:
    """The province rows of a central count: the real files have them (P20-P31, P99), the
    count has its districts. Each province whose every kieskring the count holds gets its
    statistics and list totals summed from them; candidate votes are not summed (a list's
    candidate numbers may name different people in different districts)."""
    districts = {region.code: group for region, group in regions if region.code[:1] == "K"}
    if not districts:
        return []
    out: list[tuple[Region, Mapping[str, Any]]] = []
    for province in sorted({PROVINCE_OF_DISTRICT[k] for k in PROVINCE_OF_DISTRICT}, key=int):
        wanted = [f"K{k}" for k, p in PROVINCE_OF_DISTRICT.items() if p == province]
        present = [code for code in wanted if code in districts]
        if not present:
            continue
        code = "P" + province
        if len(present) < len(wanted):
            missing = ", ".join(code for code in wanted if code not in districts)
            notes.partial_provinces.append(f"{code} (no {missing})")
            continue
        region = Region(PROVINCE_NAMES.get(province), code, COUNTRY, None, True, summed=True)
        out.append((region, _summed([districts[k] for k in present])))
        notes.summed_provinces.append(code)
    return out


def _summed(groups: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The sum of vote groups: a number only where every group states it (a list absent
    from a district's ballot counts 0 there; one stated without votes leaves it unsummed)."""

    def total(values: list[Any]) -> int | None:
        if any(value is None for value in values):
            return None
        return sum(int(value) for value in values)

    rejected = [group.get("rejected_votes") or {} for group in groups]
    lists: dict[str, list[Any]] = {}
    for group in groups:
        for selection in group.get("selections") or []:
            lists.setdefault(str(selection["affiliation_id"]), []).append(
                selection.get("valid_votes")
            )
    return {
        "cast": total([group.get("cast") for group in groups]),
        "votes_cast": total([group.get("votes_cast") for group in groups]),
        "total_counted": total([group.get("total_counted") for group in groups]),
        "rejected_votes": {
            code: total([r.get(code) for r in rejected]) for code in ("blanco", "ongeldig")
        },
        "selections": [
            {"affiliation_id": number, "valid_votes": total(values), "candidates": []}
            for number, values in sorted(lists.items(), key=lambda item: id_sort_key(item[0]))
        ],
    }


__all__ = ["province_regions"]
