"""The import file's bytes: sixteen columns, one value per row, ``;``, UTF-8 without a BOM,
LF line ends, no quoting."""

from __future__ import annotations

import re

from telnorm.parsers.canonical import Document
from telnorm.parsers.databank import HEADER
from telnorm.service.export.databank.notes import NAMED
from telnorm.service.export.databank.rows import build
from telnorm.service.export.options import ExportOptions

MEDIA_TYPE = "text/csv; charset=utf-8; profile=databank"

#: The import file's columns (defined with its reader, :mod:`telnorm.parsers.databank`).
COLUMNS = HEADER

_UNWRITABLE = re.compile(r"[;\r\n]+")


def _cell(value: object, changed: list[str]) -> str:
    """A cell as the import file writes it: as is, no quoting; a ``;`` or line end inside a
    name (which no real name has) would break the row, so it becomes a space, and the text
    is kept in ``changed`` for a note."""
    if value is None:
        return ""
    text = str(value)
    written = _UNWRITABLE.sub(" ", text)
    if written != text and text not in changed:
        changed.append(text)
    return written


def write(
    document: Document, options: ExportOptions | None = None
) -> tuple[bytes, tuple[str, ...]]:
    """The import file's bytes, and a note for each kind of row or cell the count could not
    fill (never filled in with a guess)."""
    rows, notes = build(document, options)
    neutralise = options is not None and options.neutralise_formulas
    changed: list[str] = []
    lines = [";".join(COLUMNS)]
    lines += [
        ";".join(_cell(neutralised(cell) if neutralise else cell, changed) for cell in row)
        for row in rows
    ]
    content = ("\n".join(lines) + "\n").encode("utf-8")
    has_list = options is not None and options.candidate_list is not None
    texts = notes.texts(has_list)
    if changed:
        shown = ", ".join(repr(text) for text in changed[:NAMED])
        texts += (
            f"{len(changed)} name(s) hold a ';' or a line break, which the import file (no "
            f"quoting) cannot hold: written with a space instead ({shown}).",
        )
    return content, texts


def to_databank(document: Document, options: ExportOptions | None = None) -> bytes:
    return write(document, options)[0]


#: What makes a spreadsheet program read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def filename_for(document: Document) -> str:
    election = (document.get("election") or {}).get("id") or "onbekend"
    authority = (document.get("managing_authority") or {}).get("id") or "onbekend"
    return re.sub(r"[^\w.-]+", "_", f"{election}_uitslag_{authority}.csv")


__all__ = [
    "COLUMNS",
    "FORMULA_STARTS",
    "MEDIA_TYPE",
    "filename_for",
    "neutralised",
    "to_databank",
    "write",
]
