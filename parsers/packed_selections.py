"""A reporting unit's selections kept as the JSON bytes they will be written as.

A large count holds most of its numbers in candidate selections: 776,300 in a 700-station
Tweede Kamer count, one small dict each, about 150 MiB of Python objects, for values that are
read once or twice and then written out as JSON. A parser that has finished a unit can
:func:`pack` its selections: they are serialised once with orjson (a few microseconds per
unit) and held as one ``bytes`` object, about a fifth of the memory.

:class:`PackedSelections` is a read-only sequence of the same dicts: iterating, indexing,
``len`` and ``==`` work as on the list. Decoding happens on access (orjson reads a unit of
1,100 selections in about 0.1 ms) and the last decoded unit is kept, so a rule that walks one
unit's selections several times decodes it once. Writers never decode: :func:`json_default`
hands orjson the bytes as a :class:`orjson.Fragment`.

The decoded dicts are shared with that one-unit cache: consumers must not change them (none
does; builders change lists before packing them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import orjson

from telnorm.parsers.canonical import Selection
from telnorm.parsers.location_map import LocationMap

__all__ = ["PackedSelections", "json_default", "pack", "unpacked"]


class PackedSelections(Sequence[Selection]):
    """A unit's selections as JSON bytes; reads like the list it was packed from."""

    __slots__ = ("_length", "raw")

    def __init__(self, raw: bytes, length: int) -> None:
        self.raw = raw
        self._length = length

    def _decoded(self) -> list[Selection]:
        global _LAST
        last = _LAST
        if last is not None and last[0] is self:
            return last[1]
        decoded: list[Selection] = orjson.loads(self.raw)
        _LAST = (self, decoded)
        return decoded

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Selection: ...

    @overload
    def __getitem__(self, index: slice) -> list[Selection]: ...

    def __getitem__(self, index: int | slice) -> Selection | list[Selection]:
        return self._decoded()[index]

    def __iter__(self) -> Iterator[Selection]:
        return iter(self._decoded())

    def __reversed__(self) -> Iterator[Selection]:
        return reversed(self._decoded())

    def __contains__(self, value: object) -> bool:
        return value in self._decoded()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedSelections):
            return self.raw == other.raw
        if isinstance(other, list):
            return self._decoded() == other
        return NotImplemented

    def __hash__(self) -> int:  # a list is not hashable; neither is this
        raise TypeError("unhashable type: 'PackedSelections'")

    def __repr__(self) -> str:
        return f"PackedSelections({self._length} selections, {len(self.raw)} bytes)"

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled (between processes) as the plain list it stands for
        return (list, (list(self._decoded()),))

    def __deepcopy__(self, memo: dict[int, Any]) -> PackedSelections:
        return self  # immutable

    def __copy__(self) -> PackedSelections:
        return self


#: The last unit decoded: (its packed selections, the list).
_LAST: tuple[PackedSelections, list[Selection]] | None = None


def pack(selections: list[Selection]) -> Sequence[Selection]:
    """``selections`` serialised once; kept as the list when orjson cannot write them (an
    integer beyond 64 bits), so that the final dump refuses it with its place
    (:mod:`telnorm.service.jsonsafe`)."""
    try:
        raw = orjson.dumps(selections)
    except TypeError:
        return selections
    # orjson hands back its whole output buffer (measured: 8 KB of memory for a unit of
    # 1.7 KB of JSON); an exact copy keeps only what the bytes need.
    return PackedSelections(bytes(memoryview(raw)), len(selections))


def json_default(value: object) -> Any:
    """orjson's ``default=`` for documents that may hold packed selections, or a location map
    that writes itself (:class:`telnorm.parsers.location_map.LocationMap`)."""
    if isinstance(value, PackedSelections):
        return orjson.Fragment(value.raw)
    if isinstance(value, LocationMap):
        return orjson.Fragment(b"".join(value.iter_json()))
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def unpacked(document: Any) -> Any:
    """``document`` with every packed selections list decoded and a location map that
    writes itself made a dict (for a JSON Schema check, which sees only plain JSON values);
    the document itself is not changed."""
    if not isinstance(document, dict):
        return document

    def plain(group: Any) -> Any:
        if isinstance(group, dict) and isinstance(group.get("selections"), PackedSelections):
            return {**group, "selections": orjson.loads(group["selections"].raw)}
        return group

    copy = dict(document)
    if "total_votes" in copy:
        copy["total_votes"] = plain(copy["total_votes"])
    units = copy.get("reporting_unit_votes")
    if isinstance(units, list):
        copy["reporting_unit_votes"] = [plain(unit) for unit in units]
    locations = copy.get("locations")
    if isinstance(locations, LocationMap):
        copy["locations"] = orjson.loads(b"".join(locations.iter_json()))
    return copy
