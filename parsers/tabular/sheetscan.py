"""The extent of every sheet of an xlsx/xlsm or ods, read from its XML before calamine is.

calamine builds a sheet as one dense rectangle from the first to the last cell it meets: a
tiny file with a single cell at XFD1048576 (or an ods row repeated a million times) makes it
allocate hundreds of gigabytes, and Rust aborts the process on a failed allocation (no
exception to catch). So the sheet XML is scanned first, streaming, by regular expressions
over the tags (no tree, no per-cell objects), and a sheet beyond ``max_rows``,
``max_columns`` or ``max_cells`` is a 422 ``limit-exceeded`` before calamine opens the file.

* xlsx: the declared ``<dimension ref>``, every ``<row r>`` and ``<c r>`` (a row or cell
  without ``r`` follows the one before it, as in calamine).
* ods: rows and cells with ``table:number-rows-repeated`` / ``number-columns-repeated``.
  Repeats of empty rows and cells count only when something non-empty follows them: spreadsheet
  programs end every sheet with a million empty repeated rows, which calamine skips.

xlsb (binary records) is not scanned; calamine's own checks apply there.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import LimitExceeded

_CHUNK = 1 << 20
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_XLSX_TAG = re.compile(rb"<" + _PREFIX + rb"(row|c|dimension)(?=[\s/>])([^>]*)>", re.DOTALL)
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_REF_ATTR = re.compile(rb"""\sref\s*=\s*["']([^"']*)["']""")
_CELL_REF = re.compile(rb"^\$?([A-Za-z]{1,7})\$?(\d{1,12})$")
_ODS_TAG = re.compile(
    rb"<(/?)" + _PREFIX + rb"(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>",
    re.DOTALL,
)
_ROWS_REPEATED = re.compile(rb"""number-rows-repeated\s*=\s*["'](\d{1,12})["']""")
_COLUMNS_REPEATED = re.compile(rb"""number-columns-repeated\s*=\s*["'](\d{1,12})["']""")
_VALUE_TYPE = re.compile(rb"""value-type\s*=""")
_NAME = re.compile(rb"""[\s:]name\s*=\s*["']([^"']*)["']""")


@dataclass
class Extent:
    """How far a sheet reaches: its last row and column (1-based) and its stated cells."""

    name: str
    rows: int = 0
    columns: int = 0
    cells: int = 0

    def reach(self, row: int, column: int) -> None:
        self.rows = max(self.rows, row)
        self.columns = max(self.columns, column)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - 64)
    return number


def _cell_ref(ref: bytes) -> tuple[int, int] | None:
    match = _CELL_REF.match(ref.strip())
    if match is None:
        return None
    return int(match.group(2)), _column_number(match.group(1))


def _tags(handle: IO[bytes], pattern: re.Pattern[bytes]) -> Iterator[re.Match[bytes]]:
    for data in _chunks(handle):
        yield from pattern.finditer(data)


def _scan_xlsx_slow(handle: IO[bytes], name: str) -> Extent:
    """Tag by tag: for sheets whose rows or cells leave out ``r`` (each follows the one
    before it, as calamine places them)."""
    extent = Extent(name)
    row = 0
    column = 0
    for match in _tags(handle, _XLSX_TAG):
        tag, attributes = match.group(1), match.group(2)
        if tag == b"c":
            found = _R_ATTR.search(attributes)
            ref = _cell_ref(found.group(1)) if found else None
            if ref is not None:
                row, column = max(ref[0], 1), ref[1]
            else:
                column += 1
            extent.cells += 1
            extent.reach(max(row, 1), column)
        elif tag == b"row":
            found = _R_ATTR.search(attributes)
            row = int(found.group(1)) if found and found.group(1).isdigit() else row + 1
            column = 0
            extent.reach(row, 0)
        else:
            _declared(extent, attributes)
    return extent


def _declared(extent: Extent, attributes: bytes) -> None:
    """``<dimension ref="A1:XFD1048576"/>``: what the file declares counts as reached."""
    found = _REF_ATTR.search(attributes)
    if found:
        for part in found.group(1).split(b":"):
            ref = _cell_ref(part)
            if ref is not None:
                extent.reach(*ref)


#: Sheet XML up to this size is read tag by tag (exact, every reference); larger sheets get
#: one C-speed search for a reference beyond the row or column limit.
EXACT_SCAN_BYTES = 1 << 20


def _greater_than(number: int) -> bytes:
    """A regular expression for a decimal number larger than ``number`` (no leading 0)."""
    digits = str(number)
    options = [rb"[1-9]\d{%d,}" % len(digits)]
    for i, digit in enumerate(digits):
        if digit != "9":
            rest = len(digits) - i - 1
            options.append(digits[:i].encode() + b"[%d-9]" % (int(digit) + 1) + rb"\d" * rest)
    return b"(?:" + b"|".join(options) + b")"


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _letters_greater_than(number: int) -> bytes:
    """A regular expression for column letters after column ``number`` (upper case)."""
    letters = _column_letters(number)
    options = [rb"[A-Z]{%d,7}" % (len(letters) + 1)]
    for i, letter in enumerate(letters):
        if letter != "Z":
            rest = len(letters) - i - 1
            options.append(
                letters[:i].encode() + b"[%s-Z]" % chr(ord(letter) + 1).encode() + b"[A-Z]" * rest
            )
    return b"(?:" + b"|".join(options) + b")"


def _far_prefilter(limits: Limits) -> re.Pattern[bytes]:
    """References (`` r="..."``, as spreadsheet programs write them; the literal start lets
    the search skip ahead at C speed) that may lie past the column or row limit: more
    letters or digits than the limit has, or as many with a first character no smaller.
    Kept simple (no backtracking), the few matches are checked exactly."""
    letters = _column_letters(limits.max_columns)
    digits = str(limits.max_rows)
    column = rb"[A-Z]{%d,7}|[%s-Z][A-Z]{%d}" % (
        len(letters) + 1,
        letters[0].encode(),
        len(letters) - 1,
    )
    row = rb"\d{%d,12}|[%s-9]\d{%d}" % (len(digits) + 1, digits[0].encode(), len(digits) - 1)
    return re.compile(rb' r="\$?(?:(' + column + rb")\$?\d|[A-Z]{0,7}\$?(" + row + rb')")')


def _scan_xlsx_sheet(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits
) -> Extent:
    """A sheet of up to :data:`EXACT_SCAN_BYTES` is read tag by tag: its exact extent, so
    that a tiny hostile file is refused however it spreads its cells. A larger sheet (a real
    count) gets one C-speed search for a reference past the row or column limit and its
    declared dimension; a Python step per cell would cost as much as calamine's own read."""
    if info.file_size <= EXACT_SCAN_BYTES:
        with archive.open(info) as handle:
            return _scan_xlsx_slow(handle, name)
    extent = Extent(name)
    far = _far_prefilter(limits)
    with archive.open(info) as handle:
        for data in _chunks(handle):
            for found in far.finditer(data):
                column, row = found.group(1), found.group(2)
                extent.reach(int(row) if row else 0, _column_number(column) if column else 0)
            if b"dimension" in data:
                for match in _DIMENSION.finditer(data):
                    _declared(extent, match.group(1))
            if extent.rows > limits.max_rows or extent.columns > limits.max_columns:
                break
    return extent


_DIMENSION = re.compile(rb"<" + _PREFIX + rb"dimension(?=[\s/>])([^>]*)>")


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    """A member a chunk at a time, each ending before a ``<`` (no tag is cut in two)."""
    rest = b""
    while True:
        chunk = handle.read(_CHUNK)
        data = rest + chunk
        if not chunk:
            if data:
                yield data
            return
        cut = data.rfind(b"<")
        if cut <= 0:
            rest = data
            continue
        yield data[:cut]
        rest = data[cut:]


def _repeat(pattern: re.Pattern[bytes], attributes: bytes) -> int:
    found = pattern.search(attributes)
    return max(1, int(found.group(1))) if found else 1


def _scan_ods(handle: IO[bytes]) -> Iterator[Extent]:
    extent: Extent | None = None
    row = 0  # rows of this table before the current one
    row_repeat = 1
    column = 0  # cells of the current row before the current cell
    row_reach = 0  # the end of the row's last non-empty cell
    for match in _tags(handle, _ODS_TAG):
        closing, tag, attributes = match.group(1), match.group(2), match.group(3)
        self_closing = attributes.rstrip().endswith(b"/")
        if tag == b"table":
            if closing and extent is not None:
                yield extent
                extent = None
            elif not closing:
                found = _NAME.search(attributes)
                extent = Extent(found.group(1).decode("utf-8", "replace") if found else "?")
                row = 0
            continue
        if extent is None:
            continue
        if tag == b"table-row":
            if not closing:
                row_repeat = _repeat(_ROWS_REPEATED, attributes)
                column = row_reach = 0
            if closing or self_closing:
                if row_reach:
                    extent.reach(row + row_repeat, row_reach)
                    extent.cells += row_repeat * row_reach
                row += row_repeat
            continue
        if closing:
            continue
        repeat = _repeat(_COLUMNS_REPEATED, attributes)
        # a cell with a value type, or with content (not self-closing), is not empty
        if _VALUE_TYPE.search(attributes) or not self_closing:
            row_reach = column + repeat
        column += repeat
    if extent is not None:
        yield extent


def _check(extent: Extent, limits: Limits, total: list[int]) -> None:
    where = {"sheet": extent.name}
    if extent.rows > limits.max_rows or extent.columns > limits.max_columns:
        raise LimitExceeded(
            f"Sheet {extent.name!r} reaches row {extent.rows:,} and column {extent.columns:,} "
            f"(it declares or uses a cell that far out); the limits are {limits.max_rows:,} "
            f"rows and {limits.max_columns:,} columns. Delete the far-away cells, or export "
            "the sheet as CSV.",
            location=where,
        )
    area = extent.rows * extent.columns
    total[0] += max(area, extent.cells)
    if total[0] > limits.max_cells:
        raise LimitExceeded(
            f"The workbook spans more than {limits.max_cells:,} cells (limit), at sheet "
            f"{extent.name!r} ({extent.rows:,} rows by {extent.columns:,} columns).",
            location=where,
        )


_SHEET = re.compile(rb"<" + _PREFIX + rb"sheet(\s[^>]*)>")
_RELATIONSHIP = re.compile(rb"<" + _PREFIX + rb"Relationship(\s[^>]*)>")
_ID_ATTR = re.compile(rb"""\s(?:[\w.-]+:)?[iI]d\s*=\s*["']([^"']*)["']""")
_TARGET_ATTR = re.compile(rb"""\sTarget\s*=\s*["']([^"']*)["']""")


def _small_member(archive: zipfile.ZipFile, name: str) -> bytes:
    if name not in archive.NameToInfo:
        return b""
    with archive.open(name) as handle:
        return handle.read(4 << 20)


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet part (``xl/worksheets/sheet1.xml``) -> the name a clerk sees, for messages."""
    targets: dict[bytes, str] = {}
    for match in _RELATIONSHIP.finditer(_small_member(archive, "xl/_rels/workbook.xml.rels")):
        rid, target = _ID_ATTR.search(match.group(1)), _TARGET_ATTR.search(match.group(1))
        if rid and target:
            path = target.group(1).decode("utf-8", "replace").lstrip("/")
            targets[rid.group(1)] = path if path.startswith("xl/") else "xl/" + path
    names: dict[str, str] = {}
    for match in _SHEET.finditer(_small_member(archive, "xl/workbook.xml")):
        rid, name = _ID_ATTR.search(match.group(1)), _NAME.search(match.group(1))
        if rid and name and rid.group(1) in targets:
            names[targets[rid.group(1)]] = name.group(1).decode("utf-8", "replace")
    return names


def check_extents(archive: zipfile.ZipFile, kind: str, limits: Limits) -> None:
    """Raise LimitExceeded for a sheet of an xlsx/xlsm/ods that reaches beyond the limits.

    The archive has passed :func:`~telnorm.parsers.tabular.zipbundle.check_zip` (sizes,
    ratios, members), so every member read here is bounded.
    """
    total = [0]
    if kind == "ods":
        info = archive.NameToInfo.get("content.xml")
        if info is None or info.file_size > EXACT_SCAN_BYTES:
            return  # a large ods: calamine refuses far repeats itself (an error, no abort)
        with archive.open("content.xml") as handle:
            for extent in _scan_ods(handle):
                _check(extent, limits, total)
        return
    if kind not in ("xlsx", "xlsm"):
        return
    names = _sheet_names(archive)
    for info in archive.infolist():
        name = info.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            sheet = names.get(name, name.rsplit("/", 1)[-1].removesuffix(".xml"))
            _check(_scan_xlsx_sheet(archive, info, sheet, limits), limits, total)


__all__ = ["Extent", "check_extents"]
