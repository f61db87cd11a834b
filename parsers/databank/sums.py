"""The databank file's higher regions checked against the regions under them.

A whole election's file states every number at each level: the municipalities (``G``, ``O``),
their district (``K``), the province (``P``) and the country (``L528``). The document keeps
the municipalities and the top region; the numbers of the levels in between are sums of the
regions under them, so they are checked, not dropped unsaid. A district whose list total is
not the sum of its municipalities' is the Boxmeer case (a district office that keyed only
lists 1-4): each such difference is a note naming the region, the number, its line and the
regions it should add up from.

Statistics and list totals are checked. Candidate votes are not: above a district, a list's
candidate numbers may name different people in different districts (a party may hand in
another list per district), so they do not add up by number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

#: At most this many differences get a note each; the rest are counted in one more.
NAMED_DIFFERENCES = 20


class Region(Protocol):
    """What the check reads of a region of the file (see ``parsers.databank._Region``)."""

    code: str
    name: str
    parent: str

    @property
    def totals(self) -> Mapping[tuple[str, str], tuple[int, int]]:
        """(VeldType, list number or "") -> (value, line): statistics and list totals."""


@dataclass(frozen=True)
class Difference:
    region: str
    name: str
    veld_type: str
    list_number: str
    stated: int
    line: int
    summed: int
    parts: tuple[str, ...]

    def message(self) -> str:
        what = self.veld_type + (f" of list {self.list_number}" if self.list_number else "")
        under = ", ".join(self.parts[:6]) + (
            f" and {len(self.parts) - 6} more" if len(self.parts) > 6 else ""
        )
        return (
            f"{self.region} ({self.name}) states {what} as {self.stated:,} (line {self.line}), "
            f"but the {len(self.parts)} region(s) under it add up to {self.summed:,} "
            f"({under}): the file's levels disagree; check which count is right before "
            "using this file as a reference."
        )


@dataclass
class SumCheck:
    #: Regions whose numbers were checked, per level letter.
    checked_regions: dict[str, int]
    #: Numbers checked and found equal to the sum.
    equal: int
    differences: list[Difference]
    #: Numbers of a checked region that some region under it does not state: not checked.
    unchecked: int


def check_sums(regions: Iterable[Region]) -> SumCheck:
    """Every region that has regions under it (by their ``OuderRegioCode``), number by number:
    the stated value against the sum of the same number in the regions under it, where
    each of them states it."""
    everything = list(regions)
    children: dict[str, list[Region]] = defaultdict(list)
    for region in everything:
        if region.parent:
            children[region.parent].append(region)
    result = SumCheck(checked_regions={}, equal=0, differences=[], unchecked=0)
    for region in everything:
        below = children.get(region.code)
        if not below:
            continue
        result.checked_regions[region.code[:1]] = result.checked_regions.get(region.code[:1], 0) + 1
        tables = [child.totals for child in below]
        for key, (stated, line) in region.totals.items():
            values = [table.get(key) for table in tables]
            if any(value is None for value in values):
                result.unchecked += 1
                continue
            summed = sum(value[0] for value in values if value is not None)
            if summed == stated:
                result.equal += 1
            else:
                result.differences.append(
                    Difference(
                        region.code,
                        region.name,
                        key[0],
                        key[1],
                        stated,
                        line,
                        summed,
                        tuple(f"{c.code} {c.name}".strip() for c in below),
                    )
                )
    return result


def report(check: SumCheck, note: Callable[[str, str, dict[str, object] | None], None]) -> None:
    """The check as notes: one per difference (up to :data:`NAMED_DIFFERENCES`), and one
    saying what was checked."""
    for difference in check.differences[:NAMED_DIFFERENCES]:
        note("databank-sum-differs", difference.message(), {"line": difference.line})
    more = len(check.differences) - NAMED_DIFFERENCES
    if more > 0:
        note("databank-sum-differs", f"{more} more number(s) differ from their sums.", None)
    if not check.checked_regions:
        return
    counted = sorted(check.checked_regions.items())
    levels = ", ".join(f"{count} {_LEVELS.get(letter, letter)}" for letter, count in counted)
    unchecked = (
        f"; {check.unchecked:,} could not be checked (a region under it does not state them)"
        if check.unchecked
        else ""
    )
    note(
        "databank-sums-checked",
        f"The statistics and list totals of {levels} were checked against the regions under "
        f"them: {check.equal:,} equal, {len(check.differences):,} different{unchecked}.",
        None,
    )


_LEVELS = {
    "G": "municipality(ies)",
    "O": "public body(ies)",
    "K": "district(s)",
    "P": "province(s)",
    "L": "country",
}
