"""Which record a PDF holds, by its content: the model code and the headings of its first pages.

The file name is never consulted. OCR reads the letter O of ``Model O 3`` as a zero now and
then, so the code is matched with that confusion allowed; a heading alone is enough too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telnorm.parsers.pdf.layout import Line

_CODE = re.compile(r"\bmodel\s*([no0])\s*(\d{1,2})(?:\s*-\s*(\d))?\b", re.IGNORECASE)

#: (model, level, heading words that identify it without a code)
MODELS = (
    ("O 3", "district", "proces verbaal van het hoofdstembureau"),
    ("N 11", "municipality", "proces verbaal van het gemeentelijk stembureau"),
    ("N 11", "municipality", "proces verbaal van de burgemeester"),
    ("N 10-1", "polling_station", "proces verbaal van een stembureau"),
    ("N 10-1", "polling_station", "proces verbaal van het stembureau"),
)
LEVELS = {model: level for model, level, _ in MODELS}


@dataclass(frozen=True)
class Identified:
    model: str
    level: str
    evidence: tuple[str, ...]


def identify(first_pages: list[list[Line]]) -> Identified | None:
    """The record model from the lines of the first pages, or ``None``."""
    evidence: list[str] = []
    model: str | None = None
    for lines in first_pages:
        for line in lines:
            found = _CODE.search(line.text)
            if found and model is None:
                letter = "O" if found.group(1) in "oO0" else "N"
                code = f"{letter} {found.group(2)}" + (
                    f"-{found.group(3)}" if found.group(3) else ""
                )
                if code in LEVELS:
                    model = code
                    evidence.append(f"model code {code!r} on page {line.page}")
            label = line.label
            for candidate, _, heading in MODELS:
                if heading in label:
                    evidence.append(f"heading {heading!r} on page {line.page}")
                    model = model or candidate
                    break
    if model is None:
        return None
    return Identified(model, LEVELS[model], tuple(dict.fromkeys(evidence)))
