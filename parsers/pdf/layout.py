"""Lines from word positions, and strict reading of a count token.

Lines are rebuilt by clustering words on their vertical middle (a word joins the line whose
middle is within half a typical word height), then ordered left to right. Nothing depends
on ruling lines, so the same code serves a born-digital table and an OCR'd scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from telnorm.parsers.pdf.words import BBox, Word, union
from telnorm.parsers.tabular.vocabulary import normalise_label

_DIGITS = re.compile(r"^\d+$")
#: Thousands grouped with a dot or a thin space, as Dutch records print them: ``128.971``.
_GROUPED = re.compile(r"^\d{1,3}(?:[.\u202f\u2009]\d{3})+$")
#: Characters OCR confuses with digits; a token made of digits and these is a damaged number.
_DIGIT_LOOKALIKE = re.compile(r"^[\dOoIlSBZ|’'`.,\-—]+$")


@dataclass
class Line:
    words: list[Word]

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def label(self) -> str:
        return normalise_label(self.text)

    @property
    def bbox(self) -> BBox:
        return union(self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)


def lines_of(words: list[Word]) -> list[Line]:
    """Words of one page grouped into lines, top to bottom, each left to right."""
    if not words:
        return []
    tolerance = max(1.0, median(w.height for w in words) * 0.5)
    ordered = sorted(words, key=lambda w: (w.mid_y, w.x0))
    groups: list[list[Word]] = []
    middles: list[float] = []
    for word in ordered:
        if groups and abs(word.mid_y - middles[-1]) <= tolerance:
            groups[-1].append(word)
            group = groups[-1]
            middles[-1] = sum(w.mid_y for w in group) / len(group)
        else:
            groups.append([word])
            middles.append(word.mid_y)
    return [Line(sorted(group, key=lambda w: w.x0)) for group in groups]


def read_count(text: str) -> int | None:
    """A whole, non-negative count, or ``None`` when the token is not exactly one.

    Accepts plain digits and dot-grouped thousands (``128.971``); never guesses at a
    damaged token (``8’lO``) or a decimal (``82,1%``).
    """
    token = text.strip()
    if _DIGITS.match(token):
        return int(token)
    if _GROUPED.match(token):
        return int(re.sub(r"\D", "", token))
    return None


def looks_like_number(text: str) -> bool:
    """A token that is a number or a damaged one (at least one digit, only digits and the
    characters OCR takes for digits)."""
    token = text.strip()
    return any(ch.isdigit() for ch in token) and bool(_DIGIT_LOOKALIKE.match(token))
