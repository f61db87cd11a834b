"""Small conventions every layer shares, defined once.

* JSON Pointer reference tokens (RFC 6901): how a reason code such as ``geen/verkeerde`` is
  written in a pointer (notes, locations, validation findings);
* the order of list numbers and candidate positions in a document (numeric, then the rest);
* the detection confidence from which telnorm trusts a parser to read a file alone (the
  plugin contract kit holds plugins to the same number).
"""

from __future__ import annotations

#: Below this confidence a parser is not trusted to read a file on its own.
MIN_CONFIDENCE = 0.5


def escape_pointer(token: str) -> str:
    """One JSON Pointer reference token: ``~`` as ``~0``, ``/`` as ``~1`` (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def id_sort_key(value: str) -> tuple[int, int, str]:
    """Sort list numbers and positions numerically, anything else after them by text."""
    # a short ASCII number only: int() of a hostile 100,000-digit id would raise
    if value.isascii() and value.isdigit() and len(value) < 16:
        return (0, int(value), "")
    return (1, 0, value)
