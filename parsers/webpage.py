"""A web page (HTML) sent as a spreadsheet or count, said in so many words.

Some programs and web sites "export to Excel" by saving an HTML table under an ``.xls`` name;
spreadsheet programs open it, so clerks send it on. Read as XML it fails with a message
about DOCTYPEs or namespaces that helps nobody. It is recognised here by its first tag.
"""

from __future__ import annotations

import re

from telnorm.parsers.errors import UnsupportedFormat

_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|table[\s>]|meta[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_SPREADSHEET_SUFFIXES = (".xls", ".xlsx", ".xlsm", ".ods", ".csv")


def is_webpage(head: bytes) -> bool:
    return _HTML_START.match(head[:4096]) is not None


def refuse_webpage(head: bytes, filename: str | None) -> None:
    """Raise UnsupportedFormat (415) for an HTML file, naming the disguise."""
    if not is_webpage(head):
        return
    name = (filename or "").lower()
    if name.endswith(_SPREADSHEET_SUFFIXES):
        suffix = name[name.rfind(".") :]
        raise UnsupportedFormat(
            f"This {suffix} file is a web page (HTML), not a spreadsheet: some programs and "
            "web sites save an HTML table under a spreadsheet name. Open it in a spreadsheet "
            "program and save it as a real workbook (xlsx) or as CSV, then send that."
        )
    raise UnsupportedFormat(
        "This file is a web page (HTML), not an election count. Send the count itself: "
        "EML 510, the osv4-3 CSV, a CSV or a spreadsheet."
    )


__all__ = ["is_webpage", "refuse_webpage"]
