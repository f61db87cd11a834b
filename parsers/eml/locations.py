"""Source locations of an EML count, computed when a pointer is asked for.

The ``locations`` map (``?locations=true``) has one entry per value: 776,300 dicts and
XPath strings for a 700-station count, more memory than the document. Validation needs the
places of its findings only, usually a handful. So with ``ParseContext.defer_locations`` the
reader keeps what a location is made of, compactly (per vote group, the line of each
``Selection`` in an ``array`` and the few scalar locations), and :class:`DeferredLocations`
answers ``get(pointer)`` with exactly the entry the full map would hold, computing the
positional XPath from the document (a candidate's ``Selection`` position is the count of
selections before it). It is a read-only mapping, so the validator's locator uses it as it
uses the full map; it never goes into an output document.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

GROUP_XPATH = "/EML/Count/Election/Contests/Contest/"
TOTAL = "/total_votes"
UNITS = "/reporting_unit_votes/"


class GroupLines:
    """What the locations of one vote group are made of."""

    __slots__ = ("scalars", "selections")

    def __init__(self) -> None:
        #: The source line of each Selection element, in document order (0: unknown).
        self.selections: array[int] = array("L")
        #: Pointer suffix (``/cast``, ``/rejected_votes/blanco``) -> its location entry.
        self.scalars: dict[str, dict[str, Any]] = {}


def group_xpath(index: int) -> str:
    """The XPath of a vote group: the total (-1) or the unit at ``index``."""
    if index < 0:
        return GROUP_XPATH + "TotalVotes"
    return GROUP_XPATH + f"ReportingUnitVotes[{index + 1}]"


class DeferredLocations(Mapping[str, dict[str, Any]]):
    """The location map of an EML count, one entry computed per lookup."""

    def __init__(
        self,
        total: Mapping[str, Any] | None,
        units: Sequence[Mapping[str, Any]],
        lines: Mapping[int, GroupLines],
    ) -> None:
        self._total = total
        self._units = units
        self._lines = lines
        self._starts: dict[int, list[int]] = {}

    # --- one group ---------------------------------------------------------------------

    @staticmethod
    def _split(pointer: str) -> tuple[int, str] | None:
        """(group index, the rest of the pointer), or None outside the vote groups."""
        if pointer.startswith(TOTAL):
            rest = pointer[len(TOTAL) :]
            return (-1, rest) if not rest or rest.startswith("/") else None
        if pointer.startswith(UNITS):
            head, _, rest = pointer[len(UNITS) :].partition("/")
            if head.isdigit() and not (len(head) > 1 and head[0] == "0"):
                return int(head), "/" + rest if rest else ""
        return None

    def _group(self, index: int) -> Mapping[str, Any] | None:
        if index < 0:
            return self._total
        return self._units[index] if index < len(self._units) else None

    def _starts_of(self, index: int, selections: Sequence[Mapping[str, Any]]) -> list[int]:
        """1-based position of each list's Selection among the group's Selection elements."""
        starts = self._starts.get(index)
        if starts is None:
            starts, position = [], 1
            for selection in selections:
                starts.append(position)
                position += 1 + len(selection.get("candidates") or ())
            self._starts = {index: starts}  # one group at a time: findings come in order
        return starts

    def _entry(self, index: int, position: int) -> dict[str, Any]:
        lines = self._lines.get(index)
        line = lines.selections[position - 1] if lines and position <= len(lines.selections) else 0
        return {
            "line": line or None,
            "xpath": f"{group_xpath(index)}/Selection[{position}]/ValidVotes",
        }

    def _selection_entry(self, index: int, rest: str) -> dict[str, Any] | None:
        # /selections/{s}/valid_votes or /selections/{s}/candidates/{c}/valid_votes
        parts = rest.split("/")
        if len(parts) not in (4, 6) or parts[1] != "selections" or parts[-1] != "valid_votes":
            return None
        if not all(_index(part) for part in parts[2:-1:2]) or (
            len(parts) == 6 and parts[3] != "candidates"
        ):
            return None
        group = self._group(index)
        selections = group.get("selections") if group is not None else None
        s = int(parts[2])
        if not selections or s >= len(selections):
            return None
        position = self._starts_of(index, selections)[s]
        if len(parts) == 6:
            c = int(parts[4])
            if c >= len(selections[s].get("candidates") or ()):
                return None
            position += 1 + c
        return self._entry(index, position)

    def _keys_of(self, index: int) -> Iterator[str]:
        group = self._group(index)
        if group is None:
            return
        prefix = TOTAL if index < 0 else f"{UNITS}{index}"
        for s, selection in enumerate(group.get("selections") or ()):
            yield f"{prefix}/selections/{s}/valid_votes"
            for c in range(len(selection.get("candidates") or ())):
                yield f"{prefix}/selections/{s}/candidates/{c}/valid_votes"
        lines = self._lines.get(index)
        for suffix in lines.scalars if lines else ():
            yield prefix + suffix

    # --- the mapping -------------------------------------------------------------------

    def __getitem__(self, pointer: str) -> dict[str, Any]:
        found: dict[str, Any] | None = self.get(pointer)
        if found is None:
            raise KeyError(pointer)
        return found

    def get(self, pointer: str, default: Any = None) -> Any:
        split = self._split(pointer)
        if split is None:
            return default
        index, rest = split
        if self._group(index) is None:
            return default
        lines = self._lines.get(index)
        if lines is not None and rest in lines.scalars:
            return lines.scalars[rest]
        found = self._selection_entry(index, rest)
        return default if found is None else found

    def __contains__(self, pointer: object) -> bool:
        return isinstance(pointer, str) and self.get(pointer) is not None

    def __iter__(self) -> Iterator[str]:
        for index in range(-1, len(self._units)):
            yield from self._keys_of(index)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def first_below(self, prefix: str) -> str | None:
        """The first located pointer below ``prefix`` (in document order), looking only at
        the vote group ``prefix`` lies in."""
        split = self._split(prefix)
        if split is None:
            return None
        head = prefix + "/"
        return next((key for key in self._keys_of(split[0]) if key.startswith(head)), None)


def _index(part: str) -> bool:
    return part.isdigit() and not (len(part) > 1 and part[0] == "0")
