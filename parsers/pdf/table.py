"""Per-station result tables printed to PDF (from the counting software or a spreadsheet).

Each page with a table becomes a sheet (:mod:`telnorm.parsers.pdf.grid`), and the sheets are
read by the tabular parser's layout families, exactly as the same table in a spreadsheet
would be. What the PDF adds is distrust: every value the tabular reader placed is located on
its page and box, and checked (:func:`check_document`) before the document is returned.
Corrections name a cell as ``p<page>!<cell>`` (``p1!F17``) and replace its text before the
table is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telnorm.parsers.api import ParseContext
from telnorm.parsers.canonical import Document
from telnorm.parsers.errors import InvalidValue, RequestError, TelnormError
from telnorm.parsers.pdf.checks import Doubts
from telnorm.parsers.pdf.grid import CellInfo, PageGrid, build_grid
from telnorm.parsers.pdf.layout import Line
from telnorm.parsers.pdf.record import Reading
from telnorm.parsers.pdf.words import location
from telnorm.parsers.tabular.grid import Workbook, column_letter


def cell_id(page: int, r: int, c: int) -> str:
    return f"p{page}!{column_letter(c)}{r + 1}"


def grids(lines: list[list[Line]]) -> list[tuple[int, PageGrid]]:
    """One sheet per table; a table continued on the next page (same columns at the same
    places, the header repeated or not) is one sheet, named after its first page."""
    found: list[tuple[int, PageGrid]] = []
    for number, page_lines in enumerate(lines, start=1):
        grid = build_grid(page_lines, f"page {number}")
        if grid is None:
            continue
        if found and found[-1][0] + _pages(found[-1][1]) == number:
            last = found[-1][1]
            if last.continues_with(grid):
                last.extend(grid)
                continue
        found.append((number, grid))
    return found


def _pages(grid: PageGrid) -> int:
    pages = {info.page for info in grid.cells.values()}
    return max(pages) - min(pages) + 1 if pages else 1


def _by_id(found: list[tuple[int, PageGrid]]) -> dict[str, tuple[PageGrid, int, int]]:
    index: dict[str, tuple[PageGrid, int, int]] = {}
    for page, grid in found:
        for r, c in grid.cells:
            index[cell_id(page, r, c)] = (grid, r, c)
    return index


def apply_corrections(
    found: list[tuple[int, PageGrid]], corrections: Mapping[str, int], context: ParseContext
) -> set[str]:
    index = _by_id(found)
    for key, value in corrections.items():
        if key not in index:
            raise RequestError(
                f"The correction for {key!r} names no cell of this table; use the ids listed "
                "in the doubtful-numbers problem (p<page>!<cell>, e.g. p1!F17).",
                pointer=key,
            )
        grid, r, c = index[key]
        info = grid.cells[(r, c)]
        context.note(
            "corrected",
            f"{key}: read as {info.text!r}, set to {value} by a supplied correction.",
            location(info.page, info.bbox),
        )
        grid.sheet.rows[r][c] = str(value)
        info.text = str(value)
        info.conf = None
    return set(corrections)


def read_tables(
    found: list[tuple[int, PageGrid]], context: ParseContext
) -> tuple[Document, dict[str, Reading]]:
    """The tabular reading of the grids, and a :class:`Reading` per located value."""
    from telnorm.parsers.tabular import parse_workbook

    inner = ParseContext(
        options={}, limits=context.limits, context=context.context, want_locations=True
    )
    sheets = {grid.sheet.name: (page, grid) for page, grid in found}
    workbook = Workbook([grid.sheet for _, grid in found], "pdf", "application/pdf")
    try:
        document = parse_workbook(workbook, None, inner)
    except TelnormError as error:
        raise _relocated(error, sheets) from None
    for note in inner.notes:
        context.note(note["code"], note["message"], _place(note["location"], sheets))
    readings: dict[str, Reading] = {}
    for pointer, where in inner.locations.items():
        page_grid = sheets.get(str(where.get("sheet")))
        cell = where.get("cell")
        if page_grid is None or not isinstance(cell, str):
            continue
        page, grid = page_grid
        r, c = _cell_index(cell)
        info = grid.cells.get((r, c))
        if info is None:
            continue
        value = _resolve(document, pointer)
        if not isinstance(value, int):
            continue
        readings[pointer] = _reading(info, value, pointer, cell_id(page, r, c))
        context.locate(pointer, {**location(info.page, info.bbox), "cell": cell})
    return document, readings


def _reading(info: CellInfo, value: int, pointer: str, ident: str) -> Reading:
    method = "ocr" if info.conf is not None else "text"
    return Reading(info.text, value, info.page, info.bbox, info.conf, method, pointer, False, ident)


def _cell_index(cell: str) -> tuple[int, int]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    c = 0
    for ch in letters:
        c = c * 26 + (ord(ch.upper()) - 64)
    return int(digits) - 1, c - 1


def _resolve(document: Any, pointer: str) -> Any:
    node = document
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node.get(token)
        else:
            return None
    return node


def _place(where: Any, sheets: dict[str | None, tuple[int, PageGrid]]) -> Any:
    """A tabular location (sheet 'page N', cell) as ``{page, bbox, cell}``."""
    if not isinstance(where, dict) or where.get("sheet") not in sheets:
        return where
    page, grid = sheets[where["sheet"]]
    cell = where.get("cell")
    if isinstance(cell, str):
        info = grid.cells.get(_cell_index(cell))
        if info is not None:
            return {**location(info.page, info.bbox), "cell": cell}
    return {"page": page}


def _relocated(error: TelnormError, sheets: dict[str | None, tuple[int, PageGrid]]) -> Exception:
    """A tabular error, located on the page; a cell that is not a count is a doubtful one."""
    where = _place(error.location, sheets)
    if isinstance(error, InvalidValue) and isinstance(where, dict) and "bbox" in where:
        from telnorm.parsers.errors import DoubtfulNumbers

        first, grid = sheets[str((error.location or {}).get("sheet"))]
        page = where["page"]
        r, c = _cell_index(str(where["cell"]))
        entry = {
            "id": cell_id(first, r, c),
            "pointer": None,
            "page": page,
            "bbox": where["bbox"],
            "read": grid.cells[(r, c)].text,
            "value": None,
            "reason": "not-a-number",
            "message": error.message,
        }
        return DoubtfulNumbers(
            f"A number of this table cannot be read: {error.message} Send its value as a "
            f'correction, e.g. {{"{entry["id"]}": 123}}.',
            location={"page": page, "bbox": where["bbox"]},
            doubtful=[entry],
        )
    first_page = min(page for page, _ in sheets.values())
    error.location = where if where else {"page": first_page}
    return error


def check_document(document: Document, readings: dict[str, Reading], doubts: Doubts) -> None:
    """The arithmetic of a table: per unit and for the total, plus units adding up."""
    groups: list[tuple[str, Any]] = [("/total_votes", document["total_votes"])]
    groups += [
        (f"/reporting_unit_votes/{i}", unit)
        for i, unit in enumerate(document.get("reporting_unit_votes") or [])
    ]
    for base, group in groups:
        _group_checks(base, group, readings, doubts)
    _stations_sum(document, readings, doubts)


def _group_checks(base: str, group: Any, readings: dict[str, Reading], doubts: Doubts) -> None:
    selections = group.get("selections") or []
    lists: list[Reading] = []
    for i, selection in enumerate(selections):
        stated = readings.get(f"{base}/selections/{i}/valid_votes")
        if stated is not None:
            lists.append(stated)
        parts = [
            readings.get(f"{base}/selections/{i}/candidates/{j}/valid_votes")
            for j in range(len(selection.get("candidates") or []))
        ]
        if parts and all(p is not None for p in parts):
            doubts.equation(
                "candidates-sum", stated, [p for p in parts if p], f"{base}: list total"
            )
    counted = readings.get(f"{base}/total_counted")
    if counted is not None and len(lists) == len(selections):
        if not selections and counted.value:
            doubts.add(
                counted,
                "lists-sum",
                f"{base}: {counted.value} valid votes are stated, but no list votes were read.",
            )
        doubts.equation("lists-sum", counted, lists, f"{base}: valid votes")
    parts3 = [readings.get(f"{base}/{k}") for k in ("total_counted",)] + [
        readings.get(f"{base}/rejected_votes/{k}") for k in ("blanco", "ongeldig")
    ]
    if all(p is not None for p in parts3):
        doubts.equation(
            "votes-cast",
            readings.get(f"{base}/votes_cast"),
            [p for p in parts3 if p],
            f"{base}: ballots counted",
        )


def _stations_sum(document: Document, readings: dict[str, Reading], doubts: Doubts) -> None:
    units = document.get("reporting_unit_votes") or []
    if not units:
        return
    # a unit with no number at all (an empty column with a heading) takes no part
    stating = [
        i
        for i in range(len(units))
        if any(p.startswith(f"/reporting_unit_votes/{i}/") for p in readings)
    ]
    prefix = "/total_votes/"
    for pointer, stated in readings.items():
        if not pointer.startswith(prefix):
            continue
        rest = pointer[len(prefix) :]
        parts = [readings.get(f"/reporting_unit_votes/{i}/{rest}") for i in stating]
        if all(p is not None for p in parts):
            doubts.equation("stations-sum", stated, [p for p in parts if p], f"Total {rest}")
