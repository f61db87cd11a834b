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

import orjson

from telnorm.parsers.location_map import LocationMap

GROUP_XPATH = "/EML/Count/Election/Contests/Contest/"
TOTAL = "/total_votes"
UNITS = "/reporting_unit_votes/"


class GroupLines:
    """What the locations of one vote group are made of."""

    __slots__ = ("count", "scalars", "selections", "starts")

    def __init__(self) -> None:
        #: The source line of each Selection element, in document order (0: unknown).
        self.selections: array[int] = array("L")
        #: The 1-based position of each list's Selection among the group's Selections.
        self.starts: array[int] = array("L")
        #: The group's Selection elements (lists and candidates).
        self.count = 0
        #: Pointer suffix (``/cast``, ``/rejected_votes/blanco``) -> its location entry.
        self.scalars: dict[str, dict[str, Any]] = {}

    def keep_shape(self, selections: Sequence[Mapping[str, Any]]) -> None:
        """Where each list's Selection stands, from the group's selections (a list each)."""
        position = 1
        for selection in selections:
            self.starts.append(position)
            position += 1 + len(selection.get("candidates") or ())
        self.count = position - 1

    def candidates(self, s: int) -> int:
        """How many candidates list ``s`` has."""
        end = self.starts[s + 1] if s + 1 < len(self.starts) else self.count + 1
        return end - self.starts[s] - 1


def group_xpath(index: int) -> str:
    """The XPath of a vote group: the total (-1) or the unit at ``index``."""
    if index < 0:
        return GROUP_XPATH + "TotalVotes"
    return GROUP_XPATH + f"ReportingUnitVotes[{index + 1}]"


class DeferredLocations(LocationMap):
    """The location map of an EML count, one entry computed per lookup."""

    def __init__(self, lines: Mapping[int, GroupLines]) -> None:
        #: By group: -1 the total, else the unit's index.
        self._lines = lines

    # --- one group ---------------------------------------------------------------------

    @staticmethod
    def _split(pointer: str) -> tuple[int, str] | None:
        """(group index, the rest of the pointer), or None outside the vote groups."""
        if pointer.startswith(TOTAL):
            rest = pointer[len(TOTAL) :]
            return (-1, rest) if not rest or rest.startswith("/") else None
        if pointer.startswith(UNITS):
            head, _, rest = pointer[len(UNITS) :].partition("/")
            if _index(head):
                return int(head), "/" + rest if rest else ""
        return None

    def _entry(self, index: int, lines: GroupLines, position: int) -> dict[str, Any]:
        known = lines.selections
        line = known[position - 1] if position <= len(known) else 0
        return {
            "line": line or None,
            "xpath": f"{group_xpath(index)}/Selection[{position}]/ValidVotes",
        }

    def _selection_entry(self, index: int, lines: GroupLines, rest: str) -> dict[str, Any] | None:
        # /selections/{s}/valid_votes or /selections/{s}/candidates/{c}/valid_votes
        parts = rest.split("/")
        if len(parts) not in (4, 6) or parts[1] != "selections" or parts[-1] != "valid_votes":
            return None
        if not all(_index(part) for part in parts[2:-1:2]) or (
            len(parts) == 6 and parts[3] != "candidates"
        ):
            return None
        s = int(parts[2])
        if s >= len(lines.starts):
            return None
        position = lines.starts[s]
        if len(parts) == 6:
            c = int(parts[4])
            if c >= lines.candidates(s):
                return None
            position += 1 + c
        return self._entry(index, lines, position)

    @staticmethod
    def _prefix(index: int) -> str:
        return TOTAL if index < 0 else f"{UNITS}{index}"

    def _selection_keys(self, index: int, only: int | None = None) -> Iterator[str]:
        lines = self._lines.get(index)
        if lines is None:
            return
        prefix = self._prefix(index)
        chosen = range(len(lines.starts)) if only is None else range(only, only + 1)
        for s in chosen:
            if s >= len(lines.starts):
                return
            yield f"{prefix}/selections/{s}/valid_votes"
            for c in range(lines.candidates(s)):
                yield f"{prefix}/selections/{s}/candidates/{c}/valid_votes"

    def _scalar_keys(self, index: int) -> Iterator[str]:
        lines = self._lines.get(index)
        prefix = self._prefix(index)
        for suffix in lines.scalars if lines else ():
            yield prefix + suffix

    def _keys_of(self, index: int) -> Iterator[str]:
        """The group's keys in document order: its Selections come before its scalars."""
        yield from self._selection_keys(index)
        yield from self._scalar_keys(index)

    # --- the mapping -------------------------------------------------------------------

    def get(self, pointer: str, default: Any = None) -> Any:
        split = self._split(pointer)
        lines = self._lines.get(split[0]) if split is not None else None
        if split is None or lines is None:
            return default
        rest = split[1]
        if rest in lines.scalars:
            return lines.scalars[rest]
        found = self._selection_entry(split[0], lines, rest)
        return default if found is None else found

    def __iter__(self) -> Iterator[str]:
        for index in sorted(self._lines):  # the total (-1) first, then the units in order
            yield from self._keys_of(index)

    def __len__(self) -> int:
        return sum(lines.count + len(lines.scalars) for lines in self._lines.values())

    def __bool__(self) -> bool:
        return bool(self._lines)

    def iter_json(self) -> Iterator[bytes]:
        """The map as JSON, the bytes ``orjson.dumps(dict(self))`` writes, a group at a time
        (``locations=true`` of a 700-station count: 776,000 entries that are never built as
        objects)."""
        yield b"{"
        first = True
        for index in sorted(self._lines):
            lines = self._lines[index]
            prefix = self._prefix(index)
            xpath = group_xpath(index)
            known = lines.selections
            parts: list[str] = []
            for s, start in enumerate(lines.starts):
                for c in range(-1, lines.candidates(s)):
                    position = start + 1 + c
                    line = known[position - 1] if position <= len(known) else 0
                    key = (
                        f"{prefix}/selections/{s}/valid_votes"
                        if c < 0
                        else (f"{prefix}/selections/{s}/candidates/{c}/valid_votes")
                    )
                    parts.append(
                        f'"{key}":{{"line":{line or "null"},'
                        f'"xpath":"{xpath}/Selection[{position}]/ValidVotes"}}'
                    )
            chunk = ",".join(parts).encode()
            scalars = b",".join(
                orjson.dumps(prefix + suffix) + b":" + orjson.dumps(where)
                for suffix, where in lines.scalars.items()
            )
            for piece in (chunk, scalars):
                if piece:
                    yield piece if first else b"," + piece
                    first = False
        yield b"}"

    def first_below(self, prefix: str) -> str | None:
        """The first located pointer below ``prefix`` (in document order), looking only at
        the vote group ``prefix`` lies in."""
        split = self._split(prefix)
        if split is None or split[0] not in self._lines:
            return None
        index, rest = split
        keys: Iterator[str]
        if rest.startswith("/selections/"):  # only that selection's keys can lie below
            number = rest.split("/")[2]
            keys = self._selection_keys(index, int(number)) if _index(number) else iter(())
        elif rest in ("", "/selections"):
            keys = self._keys_of(index)  # the first one is the answer
        else:  # a scalar family (rejected_votes, ...) or a value the file does not state
            keys = self._scalar_keys(index)
        head = prefix + "/"
        return next((key for key in keys if key.startswith(head)), None)


def _index(part: str) -> bool:
    return part.isdigit() and not (len(part) > 1 and part[0] == "0")
