"""Counts as Dutch tables write them.

``1.234`` is one thousand two hundred thirty-four (the dot groups thousands), ``1 234`` too;
an empty cell means "not stated" (None), never 0. Anything else in a count cell (``-``, ``n.v.t.``,
``12,5``, a negative number) is not guessed: the caller reports it with its location.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import orjson

from telnorm.parsers.counts import MAX_COUNT, check_count, digits_to_count, text_problem
from telnorm.parsers.counts import CountError as NotACount

# Spaces people and spreadsheets put inside numbers: normal, no-break, thin, narrow no-break.
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_PLAIN = re.compile(r"^[0-9]+$")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+$")
# A count exported as a number with an all-zero fraction: ``12,0`` or ``12.00``.
_NUMERIC = re.compile(r"^[+-]?(\d+|\d{1,3}(\.\d{3})+)([.,]\d+)?$")
_ZERO_FRACTION = re.compile(r"^([0-9]+)[.,]0{1,2}$")


def parse_count(value: Any) -> int | None:
    """A cell value as a count: int, None for empty, or :class:`NotACount`."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotACount(value, "a yes/no value is not a count")
    if isinstance(value, int):
        return check_count(value)
    if isinstance(value, float):
        if math.isnan(value) or value in (float("inf"), float("-inf")):
            raise NotACount(value, "not a number")
        if not value.is_integer():
            raise NotACount(value, "a count must be a whole number")
        return check_count(int(value), value)
    if not isinstance(value, str):
        raise NotACount(value, f"a {type(value).__name__} value is not a count")
    if value.isascii() and value.isdigit():
        return digits_to_count(value, value)  # the common case, without regular expressions
    text = _SPACES.sub("", value)
    if not text:
        return None
    # The one rule of telnorm.parsers.counts: no sign, no digits but 0-9, at most MAX_COUNT.
    reason = text_problem(text)
    if reason is not None:
        raise NotACount(value, reason)
    if _PLAIN.match(text):
        return digits_to_count(text, value)
    if _GROUPED.match(text):
        return digits_to_count(text.replace(".", ""), value)
    match = _ZERO_FRACTION.match(text)
    if match:
        return digits_to_count(match.group(1), value)
    if text.startswith("-") and _PLAIN.match(text[1:]):
        raise NotACount(value, "a count cannot be negative")
    if set(text) <= set("-–—"):
        raise NotACount(value, "a dash is not a count (leave the cell empty or write 0)")
    return _not_a_count(value, text)


def _not_a_count(value: Any, text: str) -> int:
    if re.match(r"^\+?\d+[.,]\d+$", text):
        raise NotACount(value, "a count must be a whole number")
    raise NotACount(value, "text where a count belongs")


_NONE_TYPE = type(None)
_INT_TYPES = frozenset({int, _NONE_TYPE})
_STR_TYPES = frozenset({str, _NONE_TYPE})


# A row of counts joined by \x1f, each plain ASCII digits or grouped by dots (``12.345``).
_COUNT = r"(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)"
_ROW_OF_COUNTS = re.compile(_COUNT + r"(?:\x1f" + _COUNT + r")*")


def _ints(digits: Sequence[str]) -> list[int | None]:
    """ASCII digit strings as ints: parsed by orjson as one JSON array (four times faster
    than ``int()`` per string), or ``int()`` where JSON differs (leading zeros, more than 18
    digits, which orjson would read as a float)."""
    if max(map(len, digits)) <= 18:
        try:
            parsed: list[int | None] = orjson.loads("[" + ",".join(digits) + "]")
        except orjson.JSONDecodeError:  # a leading zero: 007
            pass
        else:
            return parsed
    return list(map(int, digits))


def _grouped_row(values: Sequence[str]) -> list[int | None] | None:
    """The counts when every value is plain digits or Dutch thousands (``1.234``), as
    :func:`parse_count` reads them; checked with one regular expression for the whole row."""
    joined = "\x1f".join(values)
    if joined.count("\x1f") != len(values) - 1 or _ROW_OF_COUNTS.fullmatch(joined) is None:
        return None
    return _ints(joined.replace(".", "").split("\x1f"))


def plain_counts(values: Sequence[Any]) -> list[int | None] | None:
    """The counts of several cells at once when every cell is empty or a plain count (ASCII
    digits, or a non-negative int as spreadsheets give them); None when any cell needs
    :func:`parse_count` (which then gives the same numbers, or says what is wrong).

    The fast path of the readers: one type check, one ``join`` and one ``isdigit`` per row
    instead of a function call per cell.
    """
    types = set(map(type, values))
    if types <= _STR_TYPES:
        if max(map(len, filter(None, values)), default=0) > 18:
            return None  # may pass MAX_COUNT: parse_count decides, cell by cell
        if _NONE_TYPE in types:
            present = [v for v in values if v is not None]
            if not present:
                return [None] * len(values)
            joined = "".join(present)
            if joined.isdigit() and joined.isascii() and "" not in present:
                parsed = iter(_ints(present))
                return [None if v is None else next(parsed) for v in values]
            grouped = _grouped_row(present)
            if grouped is None:
                return None
            numbers = iter(grouped)
            return [None if v is None else next(numbers) for v in values]
        joined = "".join(values)
        if joined.isdigit() and joined.isascii() and "" not in values:
            return _ints(values)
        return _grouped_row(values)
    if types <= _INT_TYPES:
        present = [v for v in values if v is not None]
        if present and (min(present) < 0 or max(present) > MAX_COUNT):
            return None
        return list(values)
    return None


def looks_numeric(value: Any) -> bool:
    """Whether a cell holds a number (for cell accounting): parses as a count, or is a
    negative or fractional number. Empty cells and words are not numeric cells."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if not isinstance(value, str):
        return False
    if value.isascii() and value.isdigit():
        return True
    first = value[:1]
    if not (first.isdigit() or first in "+-" or first.isspace()):
        return False  # a number (after spaces are removed) starts with a sign or a digit
    if value.lower() != value.upper():
        return False  # a letter (postcodes, names with a number first)
    text = _SPACES.sub("", value)
    if not text:
        return False
    return bool(_NUMERIC.match(text))


__all__ = ["NotACount", "looks_numeric", "parse_count", "plain_counts"]
