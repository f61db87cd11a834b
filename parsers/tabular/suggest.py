"""``telnorm mappings suggest`` and ``POST /mappings/suggest``: a draft mapping for a file.

:func:`suggest_mapping` reads the file like the tabular parser, finds its layout (or the most
likely header row), and writes a TOML draft: what was recognised (label -> field, with where),
and, for everything it is unsure of, an explicit **blank** (``"?"``) with a comment saying
what to fill in: a list whose number the file does not state, the family or header row when
no layout was recognised. Nothing is left out silently: every label of the header row (or
label column) is a line of the draft.

The draft is always valid TOML that loads (keys and strings are escaped, a label that folds to
one already written becomes a comment, never a duplicate key). Run unedited, it either reads
the file exactly or is refused: a draft with blanks is a 422 ``mapping-blanks`` listing them,
and the reader's own checks (``unread-cells``, ``misplaced-header``) refuse a mis-read.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from telnorm.parsers.api import Limits, ParseContext
from telnorm.parsers.errors import AmbiguousLayout, NoHeader
from telnorm.parsers.tabular.detect import Labels, Plan, analyse_sheet
from telnorm.parsers.tabular.families.patterns import CandidateLabels, list_header
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.names import ListResolver
from telnorm.parsers.tabular.numbers import looks_numeric
from telnorm.parsers.tabular.vocabulary import (
    META_LABELS,
    describe_field,
    is_number_field,
    normalise_label,
    total_kind,
)

#: Cells of a label column (or list-name column) the draft lists at most.
_MAX_LABELS = 400


#: Characters escaped although TOML allows them: DEL, and those some tools take as line ends.
_LINE_LIKE = frozenset((0x7F, 0x85, 0x2028, 0x2029, 0x1C, 0x1D, 0x1E))


def toml_string(text: str) -> str:
    """A TOML basic string for any text (quotes, backslashes and control characters escaped)."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) in _LINE_LIKE or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch) & 0xFFFF:04X}" if ord(ch) < 0xD800 else "\\uFFFD")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _comment(text: str) -> str:
    """Text safe inside a TOML comment (one line, no control characters)."""
    return re.sub(r"[\x00-\x1f\x7f\x85\u2028\u2029]", " ", text)


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


@dataclass
class _Draft:
    """The lines of each table, with the keys already written (folded, as the reader folds
    them) so that no key is written twice."""

    labels: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    seen_labels: set[str] = field(default_factory=set)
    seen_lists: set[str] = field(default_factory=set)
    recognised: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)


def _choose(workbook_sheets: list[Sheet], labels: Labels, report: dict[str, Any]) -> Plan | None:
    chosen: Plan | None = None
    for sheet in workbook_sheets:
        entry: dict[str, Any] = {"name": sheet.name, "rows": len(sheet.rows), "family": None}
        try:
            plan = analyse_sheet(sheet, labels)
        except AmbiguousLayout as exc:
            entry["problem"] = exc.message
            plan = None
        if plan is not None:
            entry["family"] = plan.family
            entry["evidence"] = plan.evidence
            if chosen is None and not sheet.hidden:
                chosen = plan
        report["sheets"].append(entry)
    return chosen


def _label_cells(sheet: Sheet, plan: Plan) -> list[tuple[int, int]]:
    """The cells whose labels the draft lists: the header row (families a, c, osv4-3), the
    label column (b, d, pivot), and for family c the list names below its header."""
    cells: list[tuple[int, int]] = []
    if plan.family in ("a", "c", "osv4-3") and plan.header_row is not None:
        cells = [(plan.header_row, c) for c in range(sheet.width)]
    if plan.label_column is not None and plan.family in ("b", "d", "pivot"):
        start = plan.header_row + 1 if plan.header_row is not None else 0
        cells = [(r, plan.label_column) for r in range(start, len(sheet.rows))]
    if plan.family == "c" and plan.header_row is not None:
        labels = Labels(None)
        name_col = next(
            (
                c
                for c in range(sheet.width)
                if labels(sheet.text(plan.header_row, c)) == "list_name"
            ),
            None,
        )
        if name_col is not None:
            cells += [(r, name_col) for r in range(plan.header_row + 1, len(sheet.rows))]
    return cells[:_MAX_LABELS]


def _row_kinds(sheet: Sheet, plan: Plan, cells: list[tuple[int, int]]) -> dict[int, str | None]:
    """Stations-as-columns rows the reader does not take as lists by their label: candidate
    rows (after a list header, or with a number in the candidate column) -> ``"skip"``; list
    rows with their number in a list-number column -> that number."""
    kinds: dict[int, str | None] = {}
    if plan.family not in ("b", "pivot") or plan.label_column is None:
        return kinds
    label_col = plan.label_column
    candidates = CandidateLabels()
    by_header = False
    first_filled: int | None = None
    for r, _c in cells:
        text = sheet.text(r, label_col)
        numbers = any(looks_numeric(sheet.cell(r, k)) for k in range(label_col + 1, sheet.width))
        left = [k for k in range(label_col) if looks_numeric(sheet.cell(r, k))]
        if text and not numbers and list_header(text) is not None:
            by_header = True
        elif by_header and text and numbers and candidates(text) is not None:
            kinds[r] = "skip"
        elif left and numbers:
            first_filled = left[0] if first_filled is None else first_filled
            kinds[r] = sheet.text(r, first_filled) if left[0] == first_filled else "skip"
    return kinds


def _add_label(
    draft: _Draft,
    sheet: Sheet,
    r: int,
    c: int,
    plan: Plan,
    kinds: dict[int, str | None],
    *,
    guessed: bool = False,
) -> None:
    text = sheet.text(r, c)
    if not text or looks_numeric(sheet.cell(r, c)) or kinds.get(r) == "skip":
        return
    if total_kind(text) is not None or normalise_label(text) in META_LABELS:
        return  # totals and title lines are read by their words, not mapped
    key = Labels(None)(text)
    where = sheet.location(r, c)
    folded = normalise_label(text)
    if key is not None:
        if folded in draft.seen_labels or key == "total":
            return
        draft.seen_labels.add(folded)
        draft.recognised.append({"label": text, "field": describe_field(key), "location": where})
        draft.labels.append(f"{toml_string(text)} = {toml_string(key)}")
        return
    if (
        not guessed
        and plan.family in ("b", "d", "pivot", "c")
        and not any(looks_numeric(sheet.cell(r, k)) for k in range(c + 1, sheet.width))
    ):
        return  # a row without numbers (a title or a list header row): nothing to map
    compacted = re.sub(r"\s+", "", folded)
    if not compacted or compacted in draft.seen_lists:
        return
    draft.seen_lists.add(compacted)
    draft.unknown.append({"label": text, "location": where})
    numbered = ListResolver(None).header_number(text) or (
        (found.number, found.name) if (found := list_header(text)) else None
    )
    stated = kinds.get(r)
    if numbered is None and stated is not None and stated.isdigit():
        numbered = (int(stated), text)
    if numbered is not None:
        draft.lists.append(
            f"{toml_string(text)} = {toml_string(str(numbered[0]))}"
            f"   # the number in the label ({_comment(sheet.where(r, c))})"
        )
        return
    what = (
        "its list number if it is a list; delete the line if it is a polling station or a title"
        if guessed
        else "its list number"
    )
    draft.lists.append(
        f'{toml_string(text)} = "?"   # BLANK: {what}; or, if it is not a list, move the line '
        f'to [labels] with a field or "ignore" ({_comment(sheet.where(r, c))})'
    )


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
    plan = _choose(workbook.sheets, labels, report)
    guessed = plan is None
    if plan is None:
        if not workbook.sheets or not workbook.sheets[0].rows:
            raise NoHeader("The file holds no cells to suggest a mapping for.")
        sheet = workbook.sheets[0]
        plan = Plan("a", [sheet], _guess_header(sheet), None, [])
        report["guess"] = (
            f"No layout recognised; {sheet.row_where(plan.header_row or 0)} may be the header "
            "of a table with one row per polling station. The draft leaves family and "
            "header_row blank: fill them in."
        )
    sheet = plan.sheets[0]
    draft = _Draft()
    cells = _label_cells(sheet, plan)
    if guessed and plan.header_row is not None:
        # The orientation is unknown: the first column's labels may be the lists (a pivot)
        # as well as the header's; both are listed, the clerk keeps the lists.
        first = next((c for c in range(sheet.width) if sheet.text(plan.header_row + 1, c)), 0)
        cells += [(r, first) for r in range(plan.header_row + 1, len(sheet.rows))][:_MAX_LABELS]
    kinds = _row_kinds(sheet, plan, cells)
    for r, c in cells:
        _add_label(draft, sheet, r, c, plan, kinds, guessed=guessed)
    report["recognised"], report["unknown"] = draft.recognised, draft.unknown
    report["numeric_cells"] = sum(
        looks_numeric(v) for s in workbook.sheets for row in s.rows for v in row
    )
    text = _render(data, filename, workbook.kind, sheet, plan, draft, guessed)
    report["blanks"] = [
        {"line": number, "text": line.split("#", 1)[0].strip()}
        for number, line in enumerate(text.split("\n"), start=1)
        if '"?"' in line.split("#", 1)[0]
    ]
    return {"mapping": text, "report": report}


def _render(
    data: bytes,
    filename: str | None,
    kind: str,
    sheet: Sheet,
    plan: Plan,
    draft: _Draft,
    guessed: bool,
) -> str:
    stem = PurePath(filename or "upload").stem
    ident = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "draft"
    digest = hashlib.sha256(data).hexdigest()[:8]
    # Family d reads every sheet (one per station): naming one would read only that one.
    layout = [f"sheet = {toml_string(sheet.name)}"] if sheet.name and plan.family != "d" else []
    if guessed:
        layout.append(
            f'header_row = "?"   # BLANK: the row of the column headers (perhaps '
            f"{sheet.row_numbers[plan.header_row or 0]})"
        )
        layout.append(
            'label_column = "?"   # BLANK for families b, d and pivot: the column of the row '
            "labels (1 = A); delete this line for a and c"
        )
    elif plan.header_row is not None:
        layout.append(f"header_row = {sheet.row_numbers[plan.header_row]}")
    if plan.label_column is not None:
        layout.append(f"label_column = {plan.label_column + 1}")
    has_statistics = any(is_number_field(Labels(None)(x["label"])) for x in draft.recognised)
    if not guessed:
        layout.append(f"statistics = {'true' if has_statistics else 'false'}")
    family = (
        'family = "?"   # BLANK: a (stations as rows), b (stations as columns), c (long), '
        "d (sheet per station) or pivot"
        if guessed
        else f"family = {toml_string(plan.family)}"
    )
    # Labels that identify this kind of file (a draft installed in mappings/ must not be
    # chosen for every file of its kind).
    contains = ", ".join(toml_string(x["label"]) for x in [*draft.recognised, *draft.unknown][:4])
    return "\n".join(
        [
            f"# Draft mapping suggested by telnorm for {_comment(filename or 'an upload')} "
            f"(sha256 {digest}...).",
            '# Fill in every BLANK ("?"), check every line, then send it with the file '
            "(the 'mapping' part, or telnorm normalise --mapping DRAFT.toml).",
            f"id = {toml_string(ident)}",
            'version = "1"',
            family,
            "",
            "[fingerprint]",
            f"kind = {toml_string(kind)}",
            f"contains = [{contains}]",
            "",
            "[layout]",
            *layout,
            "",
            "[labels]",
            *draft.labels,
            "",
            "[lists]",
            *draft.lists,
            "",
            "[authority]",
            '# id = "0000"   # CBS code of the municipality',
            "",
        ]
    )
