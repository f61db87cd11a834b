"""The postcode-to-neighbourhood table (``--neighbourhoods``) and stations' neighbourhoods.

The table is the one the Council's tool reads: a CSV with the columns ``zip_code``,
``neighbourhood_code`` and ``ambiguous`` (CBS "wijk" codes per postcode). A postcode listed
more than once has no single neighbourhood, as in the Council's tool. Stations named for
postal voting, stations at a railway station, mobile or temporary stations serve no
neighbourhood of their own and are left out of every neighbourhood.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telnorm.parsers.csvlines import located_rows
from telnorm.parsers.errors import ContextFileError, LimitExceeded
from telnorm.parsers.text import decode

ROLE = "neighbourhoods"
COLUMNS = ("zip_code", "neighbourhood_code", "ambiguous")
#: More rows than the Netherlands has postcodes (about 470,000) means this is not the table.
MAX_ROWS = 1_000_000
#: A postcode, a neighbourhood code and a yes/no: a longer line means this is not the table.
MAX_LINE = 1024
#: Station names that are not tied to a neighbourhood (the Council's tool uses these words).
NOT_A_NEIGHBOURHOOD = re.compile(r"brief|station|mobiel|metro|cabin|tent|tijdelijk", re.I)


def normalise_postcode(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


@dataclass(frozen=True)
class NeighbourhoodTable:
    """Postcode (``1234AB``) to neighbourhood code; None for a postcode listed twice."""

    by_postcode: Mapping[str, str | None]

    def neighbourhood_of(self, unit: Mapping[str, Any]) -> str | None:
        postcode = unit.get("postal_code")
        name = unit.get("raw_name") or unit.get("name") or ""
        if not postcode or NOT_A_NEIGHBOURHOOD.search(str(name)):
            return None
        return self.by_postcode.get(normalise_postcode(str(postcode)))


def _delimiter(header: str) -> str:
    return max((";", ",", "\t"), key=header.count)


def parse_neighbourhoods(text: str, filename: str = "neighbourhoods.csv") -> NeighbourhoodTable:
    """Read the table from its text; a wrong header or a row without a postcode is a 422."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines:
        raise ContextFileError(f"The neighbourhood table ({filename}) is empty.", role=ROLE)

    def refuse(line: int, reason: str) -> ContextFileError:
        return ContextFileError(
            f"Line {line} of the neighbourhood table ({filename}) cannot be read ({reason}).",
            role=ROLE,
            location={"line": line},
        )

    # Checked here rather than by the csv module's field cap, which is process-wide.
    long = next((n for n, line in enumerate(lines, 1) if len(line) > MAX_LINE), None)
    if long is not None:
        raise refuse(long, f"longer than {MAX_LINE:,} characters")
    reader = located_rows(
        csv.reader(io.StringIO("\n".join(lines)), delimiter=_delimiter(lines[0])), refuse
    )
    header = tuple(cell.strip() for cell in next(reader, (1, []))[1])
    if header != COLUMNS:
        raise ContextFileError(
            f"The neighbourhood table ({filename}) must have the columns "
            f"{', '.join(COLUMNS)} (it has {', '.join(header) or 'none'}).",
            role=ROLE,
            location={"line": 1},
        )
    found: dict[str, str | None] = {}
    for number, row in reader:
        if number > MAX_ROWS:
            raise LimitExceeded(
                f"The neighbourhood table ({filename}) has more than {MAX_ROWS:,} rows.",
                location={"line": number},
            )
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise ContextFileError(
                f"Line {number} of the neighbourhood table ({filename}) has no postcode or "
                "no neighbourhood code.",
                role=ROLE,
                location={"line": number},
            )
        postcode = normalise_postcode(row[0])
        found[postcode] = None if postcode in found else row[1].strip()
    return NeighbourhoodTable(found)


def read_neighbourhoods(path: Path, filename: str | None = None) -> NeighbourhoodTable:
    name = filename or path.name
    return parse_neighbourhoods(decode(path.read_bytes()).text, name)


__all__ = [
    "NOT_A_NEIGHBOURHOOD",
    "NeighbourhoodTable",
    "normalise_postcode",
    "parse_neighbourhoods",
    "read_neighbourhoods",
]
