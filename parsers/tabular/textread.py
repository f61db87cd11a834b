"""Text tables (CSV and friends) into a :class:`~telnorm.parsers.tabular.grid.Sheet`.

Encoding by the ladder of :mod:`telnorm.parsers.text`; the delimiter by counting fields per line
over the
first lines (the candidate giving the most lines with the same number of fields, > 1, wins), so
title rows above the header do not fool it; an Excel ``sep=;`` first line is obeyed and skipped.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from typing import Any, cast

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import LimitExceeded, MalformedInput, RequestError
from telnorm.parsers.tabular.grid import Cell, Sheet, Workbook
from telnorm.parsers.text import decode

DELIMITERS = (";", ",", "\t", "|")
_SNIFF_LINES = 60


def _field_counts(lines: list[str], delimiter: str) -> Counter[int]:
    counts: Counter[int] = Counter()
    for line in lines:
        if not line.strip():
            continue
        try:
            fields = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        counts[len(fields)] += 1
    return counts


def sniff_delimiter(lines: list[str]) -> tuple[str, str]:
    """``(delimiter, why)`` from the first lines of a text table."""
    best: tuple[int, int, int] = (0, 0, 0)
    chosen = ";"
    for rank, delimiter in enumerate(DELIMITERS):
        counts = _field_counts(lines, delimiter)
        consistent = [(n, fields) for fields, n in counts.items() if fields > 1]
        if not consistent:
            continue
        lines_agreeing, fields = max(consistent)
        score = (lines_agreeing, fields, -rank)
        if score > best:
            best, chosen = score, delimiter
    if best[0] == 0:
        return ";", "no delimiter found in the first lines; one column assumed"
    name = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}[chosen]
    return chosen, f"{name}: {best[0]} of the first lines have {best[1]} fields"


def check_line_length(text: str, limit: int) -> None:
    """LimitExceeded (with the line) for a line longer than ``limit`` characters."""
    if len(text) <= limit:
        return
    start, line, size = 0, 1, len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            end = size
        if end - start > limit:
            raise LimitExceeded(
                f"Line {line} is {end - start:,} characters long; the limit is {limit:,}. A "
                "table's line is never that long: the file is damaged or not a table.",
                location={"line": line},
            )
        start, line = end + 1, line + 1


def delimiter_option(options: Mapping[str, Any]) -> str | None:
    """The ``delimiter`` option (one character), or None to detect it."""
    delimiter = options.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise RequestError("The delimiter option must be one character, such as ';' or ','.")
    return delimiter


def read_text_table(data: bytes, limits: Limits, *, delimiter: str | None = None) -> Workbook:
    """Decode and split a text table; every row remembers its line in the original file."""
    decoded = decode(data)
    text = decoded.text
    check_line_length(text, limits.max_line_length)
    notes: list[tuple[str, str, dict[str, Any] | None]] = []
    first_line = 1
    head_end = text.find("\n")
    first = text[: head_end if head_end >= 0 else len(text)].strip()
    if first.lower().startswith("sep=") and len(first) == 5:
        # Excel's hint line: it names the delimiter and is not part of the table.
        delimiter = delimiter or first[4]
        text = text[head_end + 1 :] if head_end >= 0 else ""
        first_line = 2
        notes.append(("sep-line", f"The first line {first!r} names the delimiter.", {"line": 1}))
    if delimiter is None:
        sample = text[:200_000].splitlines()[:_SNIFF_LINES]
        delimiter, why = sniff_delimiter(sample)
        notes.append(("delimiter", f"Delimiter chosen: {why}.", None))
    csv.field_size_limit(max(limits.max_line_length, 1024))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    cells = 0
    previous_end = 0
    try:
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if len(rows) >= limits.max_rows:
                raise LimitExceeded(
                    f"The table has more than {limits.max_rows} rows (limit), at line "
                    f"{start + first_line - 1}. Split the file or ask for a higher limit.",
                    location={"line": start + first_line - 1},
                )
            if len(record) > limits.max_columns:
                raise LimitExceeded(
                    f"Line {start + first_line - 1} has {len(record)} columns; the limit is "
                    f"{limits.max_columns}.",
                    location={"line": start + first_line - 1},
                )
            cells += len(record)
            if cells > limits.max_cells:
                raise LimitExceeded(
                    f"The table has more than {limits.max_cells} cells (limit), at line "
                    f"{start + first_line - 1}.",
                    location={"line": start + first_line - 1},
                )
            if any(map(str.isspace, record)):
                rows.append([value if value.strip() else None for value in record])
            elif "" in record:
                rows.append([value or None for value in record])
            else:
                rows.append(cast(list[Cell], record))  # no empty cell: the reader's fresh list
            numbers.append(start + first_line - 1)
    except csv.Error as exc:
        line = previous_end + first_line
        raise MalformedInput(
            f"The text table cannot be split into cells at line {line}: {exc}. Check for an "
            "unclosed quote or an over-long line.",
            location={"line": line},
        ) from exc
    sheet = Sheet(None, rows, numbers)
    workbook = Workbook(
        [sheet], "csv", "text/csv", encoding=decoded.encoding, delimiter=delimiter, notes=notes
    )
    workbook.notes.append(
        ("encoding", f"Text decoded as {decoded.encoding} (by {decoded.method}).", None)
    )
    return workbook
