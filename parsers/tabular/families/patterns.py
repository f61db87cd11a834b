"""Labels that carry a number inside them, as proces-verbaal sheets write lists and candidates.

* a **list header** row: ``3 - Partij``, ``3. Partij``, ``Lijst 3: Partij``, ``Lijst 3``;
* a **candidate** row: ``1 - J. Jansen``, ``1. Jansen, J.``, ``Jansen, J. (1)``, or a
  mapping's own ``[layout] candidate_patterns`` (regular expressions with a ``position``
  group and optionally a ``name`` group).

``3. Partij`` and ``3. Jansen`` cannot be told apart by their text; the readers decide by
where the row stands (a list header carries no votes; a candidate row follows one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LIST_HEADER = (
    re.compile(
        r"^lijst\s*(?:nr\.?|nummer)?\s*(?P<number>\d{1,3})(?!\d)\s*[-.:)–]?\s*(?P<name>.*)$", re.I
    ),
    re.compile(r"^(?P<number>\d{1,3})\s*[-.:)–]\s*(?P<name>\D.*)$"),
)
_CANDIDATE = (
    re.compile(r"^(?P<position>\d{1,3})\s*[-.:)–]\s*(?P<name>\D.*)$"),
    re.compile(r"^(?P<name>\D.*?)\s*\((?P<position>\d{1,3})\)$"),
)


@dataclass(frozen=True)
class Numbered:
    number: int
    name: str


def list_header(label: str) -> Numbered | None:
    """``Lijst 3: Partij`` -> (3, 'Partij'); None when the label carries no list number."""
    text = label.strip()
    for pattern in _LIST_HEADER:
        match = pattern.match(text)
        if match and 1 <= int(match.group("number")) <= 999:
            return Numbered(int(match.group("number")), match.group("name").strip())
    return None


def is_prefixed_list_header(label: str) -> bool:
    """``Lijst 3...``: a list header whatever stands after it (never a candidate)."""
    match = _LIST_HEADER[0].match(label.strip())
    return match is not None


class CandidateLabels:
    """Candidate labels with the position inside, by the built-in patterns and a mapping's."""

    def __init__(self, extra: tuple[str, ...] = ()) -> None:
        self.patterns = tuple(re.compile(p) for p in extra) + _CANDIDATE

    def __call__(self, label: str) -> Numbered | None:
        text = label.strip()
        for pattern in self.patterns:
            match = pattern.match(text)
            if match:
                try:
                    position = int(match.group("position"))
                except (IndexError, ValueError):
                    continue
                name = match.groupdict().get("name") or ""
                if 1 <= position <= 999:
                    return Numbered(position, name.strip())
        return None
