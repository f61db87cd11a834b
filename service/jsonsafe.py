"""Numbers no count can be: integers beyond 64 bits, on the way in and on the way out.

orjson refuses to write an integer outside the 64-bit range (``TypeError``: a 500 if it
reaches a route's encoder) and reads one silently as a float (``1.2345678901234568e+29``: a
wrong count). Both are answered here as 422 ``invalid-value`` with the JSON Pointer of the
number (and its place in the source file when the document has a ``locations`` map):

* :func:`dumps` serialises, and on a number out of range finds where it is;
* :func:`check_json_numbers` checks JSON as read: a cheap scan of the bytes for a run of 19 or
  more digits outside a string, then, only then, a walk of the parsed value to find it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from telnorm.parsers.errors import InvalidValue
from telnorm.parsers.location_map import LocationMap
from telnorm.parsers.packed_selections import json_default

#: What orjson writes: signed 64-bit from below, unsigned 64-bit from above.
INT_MIN = -(1 << 63)
INT_MAX = (1 << 64) - 1
#: A float this large was an integer in the JSON text too large to read exactly.
FLOAT_LIMIT = float(1 << 63)
#: A number token of 19 digits or more (2**63 has 19): where to look more closely.
_LONG_NUMBER = re.compile(rb"[:\[,]\s*-?\d{19,}")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _items(value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """Every (pointer, value) below ``value``, depth first, without recursion."""
    stack: list[tuple[str, Any]] = [(pointer, value)]
    while stack:
        here, item = stack.pop()
        yield here, item
        if isinstance(item, dict):
            stack.extend((f"{here}/{_escape(str(k))}", v) for k, v in reversed(item.items()))
        elif isinstance(item, list | tuple):
            stack.extend((f"{here}/{i}", v) for i, v in reversed(list(enumerate(item))))


def out_of_range(value: Any, floats: bool = False) -> tuple[str, Any] | None:
    """The first (pointer, number) that is an integer beyond 64 bits (with ``floats``, also a
    float of 2**63 or more: what such an integer became when read)."""
    for pointer, item in _items(value, ""):
        if isinstance(item, bool):
            continue
        if isinstance(item, int) and not INT_MIN <= item <= INT_MAX:
            return pointer, item
        if floats and isinstance(item, float) and abs(item) >= FLOAT_LIMIT:
            return pointer, item
    return None


def _error(pointer: str, number: Any, document: Any) -> InvalidValue:
    # a float is what orjson made of an integer too long to read: show its magnitude only
    text = str(number) if isinstance(number, int) else f"about {number:.6g}"
    shown = text if len(text) <= 40 else text[:20] + "..." + text[-6:]
    location: dict[str, Any] = {"pointer": pointer}
    locations = document.get("locations") if isinstance(document, dict) else None
    if isinstance(locations, Mapping) and isinstance(locations.get(pointer), dict):
        location.update(locations[pointer])
    return InvalidValue(
        f"The number {shown} at {pointer or '/'} is larger than any count can be (more than "
        "64 bits): the file is damaged or the value is in the wrong column.",
        location=location,
    )


def dumps(value: Any, option: int | None = None) -> bytes:
    """``orjson.dumps``, with a 422 naming the place of an integer beyond 64 bits."""
    try:
        return orjson.dumps(value, option=option, default=json_default)
    except TypeError as exc:
        if "64-bit" not in str(exc):
            raise
        found = out_of_range(value)
        if found is None:  # pragma: no cover - orjson and this walk disagree
            raise
        raise _error(found[0], found[1], value) from None


#: The one top-level member written unit by unit by :func:`iter_dumps`.
_UNITS = "reporting_unit_votes"
_UNITS_EMPTY = b'"reporting_unit_votes":[]'
_LOCATIONS_EMPTY = b'"locations":{}'


def iter_dumps(document: Any) -> Iterator[bytes]:
    """:func:`dumps` of a canonical document in pieces, the same bytes: the members around
    ``reporting_unit_votes``, then one unit at a time, so that no bytes object of the whole
    document is made (the writer's memory does not grow with the output).

    A number beyond 64 bits in a unit is found only when that unit is written: it raises
    InvalidValue with its place after earlier pieces were yielded, so a caller writes to a
    temporary file and keeps it only when the last piece came."""
    units = document.get(_UNITS) if isinstance(document, dict) else None
    if not isinstance(units, list) or len(units) < 2:
        yield dumps(document)
        return
    # a location map that writes itself (EML's) is streamed too, in its own place
    locations = document.get("locations")
    streamed = isinstance(locations, LocationMap)
    try:
        outer = orjson.dumps(
            {**document, _UNITS: [], **({"locations": {}} if streamed else {})},
            default=json_default,
        )
    except TypeError:
        yield dumps(document)  # raises InvalidValue with the pointer (or the TypeError)
        return
    head, marker, tail = outer.partition(_UNITS_EMPTY)
    middle, located, end = tail.rpartition(_LOCATIONS_EMPTY) if streamed else (tail, b"", b"")
    if not marker or _UNITS_EMPTY in tail or (streamed and not located):  # pragma: no cover
        yield dumps(document)  # each key is written once
        return
    yield head + b'"reporting_unit_votes":['
    for index, unit in enumerate(units):
        try:
            piece = orjson.dumps(unit, default=json_default)
        except TypeError:
            dumps(document)  # raises InvalidValue with the pointer
            raise
        yield piece if index == 0 else b"," + piece
    yield b"]" + middle
    if streamed:
        yield b'"locations":'
        yield from locations.iter_json()
        yield end


def check_numbers(value: Any) -> None:
    """Raise InvalidValue for an integer beyond 64 bits anywhere in ``value`` (C-speed probe
    first: orjson fails on exactly those, so the walk runs only when there is one). A
    document is probed unit by unit, so no copy of it as JSON is kept."""
    for _piece in iter_dumps(value):
        pass


def check_json_numbers(data: bytes, value: Any) -> None:
    """Raise InvalidValue when JSON text ``data`` (parsed as ``value``) holds a number too
    large to be a count, which orjson read as an approximate float."""
    if _LONG_NUMBER.search(data) is None:
        return
    found = out_of_range(value, floats=True)
    if found is not None:
        raise _error(found[0], found[1], value)


__all__ = [
    "INT_MAX",
    "INT_MIN",
    "check_json_numbers",
    "check_numbers",
    "dumps",
    "iter_dumps",
    "out_of_range",
]
