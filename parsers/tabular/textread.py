"""Text tables (CSV and friends) into a :class:`~telnorm.parsers.tabular.grid.Sheet`.

Encoding by the ladder of :mod:`telnorm.parsers.text`; the delimiter by counting fields per line
over the
first lines (the candidate giving the most lines with the same number of fields, > 1, wins), so
title rows above the header do not fool it; an Excel ``sep=;`` first line is obeyed and skipped.
"""

from __future__ import annotations

import csv
import io
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import LimitExceeded, MalformedInput, RequestError, SwallowedRows
from telnorm.parsers.tabular.grid import Cell, Sheet, Workbook
from telnorm.parsers.text import decode

DELIMITERS = (";", ",", "\t", "|")
_SNIFF_LINES = 60
#: Line breaks of ``str.splitlines`` besides ``\n`` and ``\r``. Reading with universal
#: newlines (``io.StringIO(text, newline="")``, what the csv module expects) breaks lines at
#: ``\n``, ``\r`` and ``\r\n`` only; without these characters both split alike.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: How many distinct cell texts :class:`_Cells` keeps before it starts again.
_SHARED_CELLS = 1 << 16
#: Texts from this many characters on share equal cells (hashing every cell costs about 60
#: ns; worth it where the grid's memory matters, not for a table of a few MB).
SHARE_CELLS_FROM = 16 * 1024 * 1024


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


def _refuse_swallowed_rows(record: list[str], delimiter: str, line: int, extra: int) -> None:
    """A quoted field over several lines is fine (a header cell with a line break), but one
    holding the delimiter on a later line has swallowed whole rows: an opening quote was never
    closed. The rows inside it would be lost, so the table is refused."""
    for c, value in enumerate(record):
        if "\n" not in value and "\r" not in value:
            continue
        later = value.splitlines()[1:]
        if any(delimiter in part for part in later):
            raise SwallowedRows(
                f"Line {line}, column {c + 1}: a quote opens a cell that runs over the next "
                f"{extra} line(s), swallowing their rows into one cell (it starts "
                f"{value[:40]!r}). A quote is missing or stray: correct it (or remove the "
                "quote) and send the file again.",
                location={"line": line, "column": c + 1},
                lines=[line, line + extra],
            )


def text_lines(text: str) -> Iterable[str]:
    """The lines of ``text`` for the csv module, with their line ends, as universal-newline
    reading gives them (``\n``, ``\r``, ``\r\n``). Split at once by ``str.splitlines`` (a
    ``StringIO`` of the text would hold it again at four bytes a character: 160 MB for a 40
    MB file) and handed out one by one, each line freed once read."""
    if _OTHER_BREAKS.search(text) is not None:
        return io.StringIO(text, newline="")
    lines = text.splitlines(keepends=True)
    lines.reverse()
    return _popped(lines)


def _popped(lines: list[str]) -> Iterator[str]:
    while lines:
        yield lines.pop()


class _Cells:
    """One string object for equal cell texts (counts repeat: ``0``, ``12``, ``1.234``): a
    table of 4.8 million cells holds a few hundred thousand distinct ones. Bounded: the
    table starts again after :data:`_SHARED_CELLS` distinct texts."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def shared(self, record: list[str]) -> list[str]:
        known = self.known
        if len(known) > _SHARED_CELLS:
            known.clear()
        return list(map(known.setdefault, record, record))

    @staticmethod
    def kept(record: list[str]) -> list[str]:
        return record


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
    encoding, method = decoded.encoding, decoded.method
    del decoded  # the text is held by ``text`` only, and freed once split into lines
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
    cells_of = _Cells().shared if len(text) >= SHARE_CELLS_FROM else _Cells.kept
    lines = text_lines(text)
    del text
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    rows: list[list[Cell]] = []
    # Line numbers kept unboxed while reading, made ints after the cells: long-lived objects
    # allocated between the cells would keep the cells' memory from being given back when
    # the grid is released (Sheet.release_cells).
    numbers = array("q")
    cells = 0
    previous_end = 0
    try:
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if previous_end > start:
                _refuse_swallowed_rows(
                    record, delimiter, start + first_line - 1, previous_end - start
                )
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
                rows.append([value if value.strip() else None for value in cells_of(record)])
            elif "" in record:
                rows.append([value or None for value in cells_of(record)])
            else:  # no empty cell: the reader's fresh list, or one of shared cells
                rows.append(cast(list[Cell], cells_of(record)))
            numbers.append(start + first_line - 1)
    except csv.Error as exc:
        line = previous_end + first_line
        raise MalformedInput(
            f"The text table cannot be split into cells at line {line}: {exc}. Check for an "
            "unclosed quote or an over-long line.",
            location={"line": line},
        ) from exc
    sheet = Sheet(None, rows, numbers.tolist())
    workbook = Workbook(
        [sheet], "csv", "text/csv", encoding=encoding, delimiter=delimiter, notes=notes
    )
    workbook.notes.append(("encoding", f"Text decoded as {encoding} (by {method}).", None))
    return workbook
