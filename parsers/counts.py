"""One rule for what a count is, for every parser and for ``/validate``.

A count is a non-negative whole number written in the ASCII digits ``0``-``9`` (tabular files
may group thousands the Dutch way, ``1.234``; that is the tabular reader's business), at most
:data:`MAX_COUNT`. Everything else is refused with :class:`CountError`, whose ``reason`` a
clerk can act on; each caller turns it into an ``invalid-count`` problem with its location
(line and XPath, line and column, cell, JSON Pointer):

* a sign (``+400``, ``-3``): a count has none;
* digits of another script (Arabic-Indic ``٤٠٠``, full-width ``４００``): Python's ``int()``
  and ``str.isdigit`` accept them, the counting software never writes them, and a reader that
  took them would read a number nobody can check against the paper record;
* more than :data:`MAX_COUNT` (the signed 64-bit range): no count is that large, and JSON
  writers and databases downstream cannot hold it.
"""

from __future__ import annotations

from typing import Any

#: The largest count: the signed 64-bit range, which every consumer of the canonical JSON
#: can store (orjson, databases, the EML writers).
MAX_COUNT = 2**63 - 1
_MAX_DIGITS = len(str(MAX_COUNT))

__all__ = [
    "MAX_COUNT",
    "CountError",
    "check_count",
    "digits_to_count",
    "json_problem",
    "parse_count",
    "text_problem",
]


class CountError(ValueError):
    """The value is not a count; ``reason`` says why, in words for a clerk."""

    def __init__(self, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.value = value
        self.reason = reason


def parse_count(text: str) -> int:
    """A count from text (surrounding whitespace aside): ASCII digits only, at most
    :data:`MAX_COUNT`; anything else raises :class:`CountError`."""
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit():
        return digits_to_count(stripped, text)
    reason = text_problem(stripped)
    raise CountError(text, reason or "a count is a whole number written with the digits 0-9")


def digits_to_count(digits: str, value: Any = None) -> int:
    """ASCII digits as a count. The length is checked before ``int()``: a hostile file's
    100,000-digit "count" is refused at once (Python refuses such an ``int()`` with a
    ValueError of its own, which would surface as a crash)."""
    if len(digits) > _MAX_DIGITS and len(digits.lstrip("0")) > _MAX_DIGITS:
        raise CountError(
            value if value is not None else digits,
            f"a number of {len(digits)} digits is larger than any count can be "
            f"(at most {MAX_COUNT:,}); the number is damaged",
        )
    return check_count(int(digits), value)


def check_count(number: int, value: Any = None) -> int:
    """``number`` when it is a count (0 to :data:`MAX_COUNT`), else :class:`CountError`."""
    if number < 0:
        raise CountError(value if value is not None else number, "a count cannot be negative")
    if number > MAX_COUNT:
        raise CountError(
            value if value is not None else number,
            f"{_short(number)} is larger than any count can be (at most {MAX_COUNT:,}); "
            "the number is damaged",
        )
    return number


def text_problem(text: str) -> str | None:
    """Why ``text`` (spaces already removed) is not a count in plain ASCII digits, when the
    reason is one of the rule's own: a sign, digits of another script, or too many digits.
    None when the text is something else (a word, a fraction): the caller says what."""
    if not text:
        return None
    if text[0] in "+-" and len(text) > 1 and all(ch.isdigit() for ch in text[1:]):
        if text[0] == "-":
            return "a count cannot be negative"
        return "a count has no sign: write it without the '+'"
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return (
            "the number is written with digits other than 0-9 (for example Arabic-Indic or "
            "full-width digits); write it with the digits 0-9"
        )
    digits = text.replace(".", "")
    if digits.isascii() and digits.isdigit() and len(digits.lstrip("0")) > _MAX_DIGITS:
        return f"the number is larger than any count can be (at most {MAX_COUNT:,})"
    return None


def json_problem(value: Any) -> str | None:
    """Why a value of a JSON document is not a count, or None when it is one."""
    if type(value) is int:
        try:
            check_count(value)
        except CountError as exc:
            return exc.reason
        return None
    if isinstance(value, bool):
        return "true/false is not a count"
    if isinstance(value, float):
        if value.is_integer() and abs(value) > MAX_COUNT:
            return f"the number is larger than any count can be (at most {MAX_COUNT:,})"
        return "a count is a whole number"
    if isinstance(value, str):
        reason = text_problem(value.strip())
        return reason or "a count is a JSON number, not text"
    return "a count is a whole number"


def _short(number: int) -> str:
    text = str(number)
    return text if len(text) <= 24 else text[:12] + "..." + f" ({len(text)} digits)"
