"""Spreadsheets (xlsx, xlsm, xlsb, xls, ods) into :class:`~telnorm.parsers.tabular.grid.Sheet` s.

python-calamine reads every format, fast, and gives formulas' cached values and merged-cell
ranges, so openpyxl is not needed here. Cells are kept with absolute coordinates (row 1 is
row 1) so locations match what a clerk sees. A merged range's text (a header spanning
columns) is repeated over the range; numbers never are (that would count them twice).
Hidden sheets are read too, and noted.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from typing import Any

import olefile
import python_calamine as calamine

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import LimitExceeded, MalformedInput
from telnorm.parsers.tabular.grid import Cell, Sheet, Workbook

KINDS: dict[bytes, tuple[str, str]] = {
    b"\xd0\xcf\x11\xe0": ("xls", "application/vnd.ms-excel"),
}
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    "xlsb": "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
    "xls": "application/vnd.ms-excel",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


#: The first bytes of an OLE2 compound file (xls and other old Office formats).
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


_ODS_MEDIA = b"application/vnd.oasis.opendocument.spreadsheet"


def _head_members(head: bytes) -> tuple[list[str], bytes | None]:
    """The member names a zip's head shows, walking its local headers one by one (never a
    search of the bytes: a compressed or stored member, such as an xlsx inside a bundle, may
    hold anything), and the ``mimetype`` member's content when it is stored."""
    names: list[str] = []
    mimetype: bytes | None = None
    at = 0
    while head.startswith(b"PK\x03\x04", at) and at + 30 <= len(head) and len(names) < 100:
        flags, method = struct.unpack_from("<HH", head, at + 6)
        size, name_length, extra_length = struct.unpack_from("<I4xHH", head, at + 18)
        start = at + 30 + name_length + extra_length
        name = head[at + 30 : at + 30 + name_length].decode("utf-8", "replace")
        names.append(name)
        if name == "mimetype" and method == 0:
            mimetype = head[start : start + min(size, 200)]
        if flags & 0x8:  # sizes in a data descriptor after the data: cannot skip ahead
            break
        at = start + size
    return names, mimetype


def spreadsheet_kind(head: bytes, names: list[str] | None = None) -> str | None:
    """``xlsx``/``xlsm``/``xlsb``/``ods``/``xls`` from the first bytes, by the member names of
    a zip (``names`` from its central directory when the whole file is at hand, else those
    its head shows), stored or deflated alike."""
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if not head.startswith(b"PK\x03\x04"):
        return None
    seen, mimetype = _head_members(head)
    probe = set(names if names is not None else seen)
    # the first member's own name and content only: a stored or deflated bundle member may
    # hold another package's bytes, "mimetype" and all, a few bytes further on
    if (mimetype or b"").strip() == _ODS_MEDIA:
        return "ods"
    if "xl/workbook.bin" in probe:
        return "xlsb"
    if "xl/vbaProject.bin" in probe:
        return "xlsm"
    if "[Content_Types].xml" in probe or any(n.startswith("xl/") for n in probe):
        return "xlsx"
    # an OpenDocument package whose mimetype member is compressed or not first
    if "content.xml" in probe and "META-INF/manifest.xml" in probe:
        return "ods"
    return None


def _ods_mimetype(archive: Any, info: Any) -> bool:
    """The ``mimetype`` member says ods (read capped; a damaged member says nothing)."""
    if info is None or info.file_size >= 200 or info.flag_bits & 1:
        return False
    try:
        with archive.open(info) as handle:
            return bool(handle.read(200).strip() == _ODS_MEDIA)
    except Exception:  # any damage: the member names decide instead
        return False


def zip_spreadsheet_kind(data: bytes) -> str | None:
    """:func:`spreadsheet_kind` of a whole file: a zip's member names come from its central
    directory (and an ods's ``mimetype`` member is read), so a package is recognised whatever
    order, and compression, its members have. Falls back to the head when the zip cannot be
    opened (a head alone, or a damaged file)."""
    head = data[:65536]
    if not head.startswith(b"PK\x03\x04"):
        return spreadsheet_kind(head)
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            if _ods_mimetype(archive, infos.get("mimetype")):
                return "ods"
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,  # "zip file version 6.5": a damaged directory entry
    ):
        return spreadsheet_kind(head)
    return spreadsheet_kind(head, list(infos))


def _cell(value: Any) -> Cell:
    if value == "" or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return value.isoformat() if not isinstance(value, dt.timedelta) else str(value)
    text = str(value)
    return text if text.strip() else None


_FLOATS = frozenset({float})
_FLOATS_AND_TEXT = frozenset({float, str})


def _convert_row(raw: list[Any]) -> list[Cell]:
    """``[_cell(v) for v in raw]``, a row at a time: a row of whole numbers (calamine gives
    floats) in one ``map(int)``, a row of numbers and text without a call per cell."""
    types = set(map(type, raw))
    if types == _FLOATS:
        try:
            whole: list[Cell] = list(map(int, raw))
        except (ValueError, OverflowError):  # NaN, infinity
            pass
        else:
            if whole == raw:
                return whole
    if types <= _FLOATS_AND_TEXT:
        return [
            (int(v) if v.is_integer() else v)
            if type(v) is float
            else (None if not v or v.isspace() else v)
            for v in raw
        ]
    return [_cell(v) for v in raw]


def _is_panic(exc: BaseException) -> bool:
    """python-calamine turns a Rust panic on a damaged file into pyo3's PanicException, which
    derives from BaseException (so ``except Exception`` misses it)."""
    return type(exc).__name__ == "PanicException"


def check_ole2(data: bytes, kind: str) -> None:
    """Refuse a damaged OLE2 container (xls) before calamine reads it.

    calamine trusts the sizes in the container's header and directory: a damaged or hostile
    file can make it allocate gigabytes. olefile checks the structure in pure Python first.
    """
    try:
        ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    except Exception as exc:
        raise MalformedInput(
            f"The {kind} file is damaged ({exc}). Open it in a spreadsheet program and save it "
            "again, or export the sheet as CSV.",
        ) from None
    try:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            raise MalformedInput(
                "The workbook is encrypted (protected with a password to open it). telnorm "
                "cannot read encrypted files: open it in a spreadsheet program, remove the "
                "password (File > Info > Protect Workbook) and save it again, or export the "
                "sheet as CSV.",
            )
        for entry in ole.listdir(streams=True, storages=False):
            if ole.get_size(entry) > len(data):
                raise MalformedInput(
                    f"The {kind} file is damaged: its part {'/'.join(entry)!r} claims to be "
                    f"larger ({ole.get_size(entry):,} bytes) than the whole file.",
                )
    finally:
        ole.close()


def _check_extents(data: bytes, kind: str, limits: Limits) -> None:
    """Refuse a sheet that reaches too far before calamine allocates it (see sheetscan)."""
    import zipfile
    import zlib

    from telnorm.parsers.tabular.sheetscan import check_extents

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_extents(archive, kind, limits)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        ValueError,  # zipfile on a damaged header: "negative seek value"
        OSError,
        RuntimeError,
    ) as exc:
        raise MalformedInput(
            f"The {kind} file is damaged and cannot be read: {str(exc).rstrip('.')}. Open it "
            "in a spreadsheet program and save it again, or export the sheet as CSV.",
        ) from None


def read_spreadsheet(data: bytes, kind: str, limits: Limits) -> Workbook:
    if data.startswith(b"PK"):
        from telnorm.parsers.tabular.zipbundle import check_zip

        check_zip(data, limits, kind)
        _check_extents(data, kind, limits)
    elif data.startswith(OLE2_MAGIC):
        check_ole2(data, kind)
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # calamine raises its own error types for damaged files
        if not (isinstance(exc, Exception) or _is_panic(exc)):
            raise
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise MalformedInput(
                f"The {kind} workbook is encrypted (protected with a password): {exc}. telnorm "
                "cannot read encrypted files: remove the password and save it again, or "
                "export the sheet as CSV.",
            ) from None
        raise MalformedInput(
            f"The {kind} file cannot be opened: {exc}. Open it in a spreadsheet program and "
            "save it again, or export the sheet as CSV.",
        ) from None
    workbook = Workbook([], kind, MEDIA_TYPES.get(kind, "application/octet-stream"))
    total_cells = 0
    for meta in book.sheets_metadata:
        if "WorkSheet" not in str(meta.typ):
            continue  # chart sheets and macro sheets hold no cells
        try:
            sheet = book.get_sheet_by_name(meta.name)
        except BaseException as exc:
            if not (isinstance(exc, Exception) or _is_panic(exc)):
                raise
            workbook.notes.append(
                (
                    "sheet-unreadable",
                    f"Sheet {meta.name!r} cannot be read ({exc}); skipped.",
                    {"sheet": meta.name},
                )
            )
            continue
        height, width = sheet.total_height, sheet.total_width
        if height > limits.max_rows or width > limits.max_columns:
            raise LimitExceeded(
                f"Sheet {meta.name!r} has {height} rows and {width} columns; the limits are "
                f"{limits.max_rows} rows and {limits.max_columns} columns.",
                location={"sheet": meta.name},
            )
        total_cells += height * width
        if total_cells > limits.max_cells:
            raise LimitExceeded(
                f"The workbook has more than {limits.max_cells} cells (limit), at sheet "
                f"{meta.name!r}.",
                location={"sheet": meta.name},
            )
        try:
            raw = sheet.to_python(skip_empty_area=False)
        except BaseException as exc:
            if not (isinstance(exc, Exception) or _is_panic(exc)):
                raise
            raise MalformedInput(
                f"Sheet {meta.name!r} of the {kind} file is damaged and cannot be read: {exc}.",
                location={"sheet": meta.name},
            ) from None
        rows: list[list[Cell]] = []
        for raw_row in raw:
            row = _convert_row(raw_row)
            while row and row[-1] is None:
                row.pop()
            rows.append(row)
        merged: list[tuple[int, int, int, int]] = []
        for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []:
            merged.append((r1, c1, r2, c2))
            value = rows[r1][c1] if r1 < len(rows) and c1 < len(rows[r1]) else None
            if isinstance(value, str):
                for r in range(r1, min(r2 + 1, len(rows))):
                    row = rows[r]
                    while len(row) <= c2:
                        row.append(None)
                    for c in range(c1, c2 + 1):
                        if row[c] is None:
                            row[c] = value
        # SheetVisibleEnum.Visible / .Hidden / .VeryHidden (every name contains "Visible").
        hidden = str(meta.visible).rsplit(".", 1)[-1] != "Visible"
        result = Sheet(meta.name, rows, list(range(1, len(rows) + 1)), 0, merged, hidden)
        workbook.sheets.append(result)
    return workbook
