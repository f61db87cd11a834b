"""A printed table back into rows and columns, from word positions only.

Rows are the lines (:func:`telnorm.parsers.pdf.layout.lines_of`). Columns come from the data
rows (lines with at least three numbers): the horizontal extents of their cells are merged
where they overlap, so right-aligned numbers of one column fall in one span and a gap no
cell crosses separates two columns; ruling lines are not needed. Header lines above the first
data row join the column they overlap most (a station name printed on two lines becomes one
cell). Each cell remembers its page, box and the lowest OCR confidence of its words, so a
value read from it can be located and vouched for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from telnorm.parsers.pdf.layout import Line, read_count
from telnorm.parsers.pdf.words import BBox, Word, union
from telnorm.parsers.tabular.grid import Cell, Sheet

#: A data row holds at least this many numeric cells.
MIN_NUMBERS = 3


@dataclass
class CellInfo:
    page: int
    bbox: BBox
    text: str
    conf: float | None


@dataclass
class PageGrid:
    sheet: Sheet
    #: (row, column) of the sheet -> where the cell was printed.
    cells: dict[tuple[int, int], CellInfo] = field(default_factory=dict)
    spans: list[tuple[float, float]] = field(default_factory=list)
    has_header: bool = False

    def continues_with(self, other: PageGrid, tolerance: float = 4.0) -> bool:
        """The next page continues this table: the same columns at the same places."""
        if len(self.spans) != len(other.spans):
            return False
        return all(
            abs(a[1] - b[1]) <= tolerance or abs(a[0] - b[0]) <= tolerance
            for a, b in zip(self.spans, other.spans, strict=True)
        )

    def extend(self, other: PageGrid) -> None:
        """Append the next page's rows (without its header when it repeats this one's)."""
        skip = 0
        if other.has_header and self.has_header and other.sheet.rows[0] == self.sheet.rows[0]:
            skip = 1
        offset = len(self.sheet.rows) - skip
        for (r, c), info in other.cells.items():
            if r >= skip:
                self.cells[(r + offset, c)] = info
        self.sheet.rows.extend(other.sheet.rows[skip:])
        self.sheet.row_numbers = list(range(1, len(self.sheet.rows) + 1))


def _is_number(word: Word) -> bool:
    return read_count(word.text) is not None


def phrases(line: Line) -> list[list[Word]]:
    """Words of a line grouped into cells: neighbouring words of text closer than a word's
    height belong together; a number is always a cell of its own."""
    groups: list[list[Word]] = []
    for word in line.words:
        if groups:
            previous = groups[-1][-1]
            close = word.x0 - previous.x1 < 0.8 * max(word.height, previous.height)
            if close and not _is_number(word) and not _is_number(previous):
                groups[-1].append(word)
                continue
        groups.append([word])
    return groups


def _spans(rows: list[list[list[Word]]]) -> list[tuple[float, float]]:
    intervals = sorted((min(w.x0 for w in g), max(w.x1 for w in g)) for row in rows for g in row)
    spans: list[tuple[float, float]] = []
    for x0, x1 in intervals:
        if spans and x0 <= spans[-1][1] + 0.5:
            spans[-1] = (spans[-1][0], max(spans[-1][1], x1))
        else:
            spans.append((x0, x1))
    return spans


def _column(spans: list[tuple[float, float]], x0: float, x1: float) -> int:
    """The span a cell overlaps most (the nearest one when it overlaps none)."""
    best, best_overlap = 0, -1.0
    for index, (s0, s1) in enumerate(spans):
        overlap = min(x1, s1) - max(x0, s0)
        if overlap <= 0:
            overlap = -min(abs(x0 - s1), abs(s0 - x1)) / 1000.0
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    return best


def build_grid(lines: list[Line], name: str) -> PageGrid | None:
    """The table of one page as a sheet, or ``None`` when the page holds no table."""
    grouped = [phrases(line) for line in lines]
    data = [
        i
        for i, row in enumerate(grouped)
        if sum(1 for g in row if len(g) == 1 and _is_number(g[0])) >= MIN_NUMBERS
    ]
    if len(data) < 2:
        return None
    spans = _spans([grouped[i] for i in data])
    first = data[0]
    rows: list[list[Cell]] = []
    grid = PageGrid(Sheet(name, [], []), spans=spans)
    header: dict[int, list[Word]] = {}
    top = first
    while top > 0 and lines[top].top - lines[top - 1].bbox[3] <= 1.5 * _height(lines[top]):
        top -= 1  # the header: the lines right above the first data row, without a gap
    for index in range(top, first):
        # Header words one by one: a header line's words run together across columns.
        for word in lines[index].words:
            header.setdefault(_column(spans, word.x0, word.x1), []).append(word)
    if header:
        rows.append(_row(grid, 0, header, spans))
        grid.has_header = True
    for index in range(first, len(grouped)):
        cells: dict[int, list[Word]] = {}
        for group in grouped[index]:
            cells.setdefault(_column(spans, group[0].x0, group[-1].x1), []).extend(group)
        rows.append(_row(grid, len(rows), cells, spans))
    grid.sheet.rows = rows
    grid.sheet.row_numbers = list(range(1, len(rows) + 1))
    return grid


def _height(line: Line) -> float:
    return max(w.height for w in line.words)


def _row(
    grid: PageGrid, r: int, cells: dict[int, list[Word]], spans: list[tuple[float, float]]
) -> list[Cell]:
    row: list[Cell] = [None] * len(spans)
    for c, words in cells.items():
        ordered = sorted(words, key=lambda w: (round(w.top), w.x0))
        # a word broken at a hyphen over two lines is joined without a space
        text = "".join(
            w.text if i == 0 or ordered[i - 1].text.endswith("-") else " " + w.text
            for i, w in enumerate(ordered)
        )
        confs = [w.conf for w in words if w.conf is not None]
        row[c] = text
        grid.cells[(r, c)] = CellInfo(
            words[0].page, union(words), text, min(confs) if confs else None
        )
    return row
