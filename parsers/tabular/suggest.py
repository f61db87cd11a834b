"""``POST /mappings/suggest``: a draft mapping for a file no mapping fits.

:func:`suggest_mapping` reads the file like the tabular parser, finds the most likely header
row (or label column), and returns a TOML draft with what was recognised (label -> field, with
where), what was not (commented out, to fill in), and a report of the cells.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath
from typing import Any

from telnorm.parsers.api import Limits, ParseContext
from telnorm.parsers.errors import AmbiguousLayout, NoHeader
from telnorm.parsers.tabular.detect import Labels, analyse_sheet
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.numbers import looks_numeric
from telnorm.parsers.tabular.vocabulary import describe_field


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _guess_header(sheet: Sheet) -> int:
    """The row in the first 40 with the most text cells followed by a numeric row."""
    best, best_row = -1, 0
    for r in range(min(len(sheet.rows), 40)):
        texts = sum(
            1
            for c in range(sheet.width)
            if sheet.text(r, c) and not looks_numeric(sheet.cell(r, c))
        )
        below = sum(1 for c in range(sheet.width) if looks_numeric(sheet.cell(r + 1, c)))
        score = texts + (2 if below else 0)
        if score > best:
            best, best_row = score, r
    return best_row


def suggest_mapping(
    data: bytes, filename: str | None = None, limits: Limits | None = None
) -> dict[str, Any]:
    """File bytes -> ``{"mapping": <TOML text>, "report": {...}}``. Raises only for files that
    cannot be read as a table at all (damaged, over a limit)."""
    from telnorm.parsers.tabular import read_workbook

    context = ParseContext(limits=limits or Limits())
    workbook = read_workbook(data, context)
    labels = Labels(None)
    report: dict[str, Any] = {"kind": workbook.kind, "sheets": [], "recognised": [], "unknown": []}
    chosen: tuple[Sheet, str, int, bool] | None = None
    for sheet in workbook.sheets:
        entry: dict[str, Any] = {"name": sheet.name, "rows": len(sheet.rows), "family": None}
        try:
            plan = analyse_sheet(sheet, labels)
        except AmbiguousLayout as exc:
            entry["problem"] = exc.message
            plan = None
        if plan is not None:
            entry["family"] = plan.family
            entry["evidence"] = plan.evidence
            if chosen is None:
                if plan.header_row is not None:
                    chosen = (sheet, plan.family, plan.header_row, True)
                elif plan.label_column is not None:
                    chosen = (sheet, plan.family, plan.label_column, False)
        report["sheets"].append(entry)
    if chosen is None:
        if not workbook.sheets or not workbook.sheets[0].rows:
            raise NoHeader("The file holds no cells to suggest a mapping for.")
        sheet = workbook.sheets[0]
        chosen = (sheet, "a", _guess_header(sheet), True)
        report["guess"] = (
            f"No layout recognised; {sheet.row_where(chosen[2])} is taken as the header of a "
            "family a table (one row per polling station). Check it."
        )
    sheet, family, index, by_row = chosen
    cells = (
        [(index, c) for c in range(sheet.width)]
        if by_row
        else [(r, index) for r in range(len(sheet.rows))]
    )
    label_lines: list[str] = []
    list_lines: list[str] = []
    for r, c in cells:
        text = sheet.text(r, c)
        if not text or looks_numeric(sheet.cell(r, c)):
            continue
        key = labels(text)
        where = sheet.location(r, c)
        if key is not None:
            report["recognised"].append(
                {"label": text, "field": describe_field(key), "location": where}
            )
            label_lines.append(f"{_toml_string(text)} = {_toml_string(key)}")
        else:
            report["unknown"].append({"label": text, "location": where})
            list_lines.append(
                f'# {_toml_string(text)} = "?"   # a list number, or move to [labels]'
                f" ({sheet.where(r, c)})"
            )
    numeric = sum(looks_numeric(v) for s in workbook.sheets for row in s.rows for v in row)
    report["numeric_cells"] = numeric
    stem = PurePath(filename or "upload").stem
    ident = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "draft"
    digest = hashlib.sha256(data).hexdigest()[:8]
    layout = [f"sheet = {_toml_string(sheet.name)}"] if sheet.name else []
    if by_row:
        layout.append(f"header_row = {sheet.row_numbers[index]}")
    else:
        layout.append(f"label_column = {index + 1}")
    parts = [
        f"# Draft mapping suggested by telnorm for {filename or 'an upload'} (sha256 {digest}...).",
        "# Check every line, fill in the '?', then upload it as the 'mapping' part.",
        f"id = {_toml_string(ident)}",
        'version = "1"',
        f"family = {_toml_string(family)}",
        "",
        "[fingerprint]",
        f"kind = {_toml_string(workbook.kind)}",
        "contains = ["
        + ", ".join(_toml_string(x["label"]) for x in report["recognised"][:4])
        + "]",
        "",
        "[layout]",
        *layout,
        "",
        "[labels]",
        *label_lines,
        "",
        "[lists]",
        *list_lines,
        "",
        "[authority]",
        '# id = "0000"   # CBS code of the municipality',
        "",
    ]
    return {"mapping": "\n".join(parts), "report": report}
