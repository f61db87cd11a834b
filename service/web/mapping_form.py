"""The mapping draft as a form: its blanks as fields, and the completed mapping from the answers.

``POST /mappings/suggest`` drafts a TOML mapping in which every header it could not place is
a commented line ``# "Label" = "?"`` under ``[lists]`` (also listed in ``report.unknown``),
and the municipality's code is ``# id = "0000"`` under ``[authority]``. Those are the blanks.
For each, the clerk says what the column is: a list (with its number), the polling
station's name or number, or nothing to use. The answers are written into the draft; the
result is parsed (``tomllib``) before it is used, and the tabular parser checks it again.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from telnorm.parsers.errors import InvalidMapping

#: What a blank can be besides a list: the mapping's label keys.
ROLES = ("unit_name", "unit_number", "ignore")
_AUTHORITY_BLANK = re.compile(r'^#\s*id\s*=\s*"0000".*$', re.MULTILINE)
_DIGITS = re.compile(r"\d{1,3}")
_CBS = re.compile(r"\d{4}")


@dataclass(frozen=True)
class Blank:
    """One blank of the draft: a header the drafter could not place."""

    index: int
    label: str
    location: Mapping[str, Any] | None
    #: The clerk's answer so far: "list", one of ROLES, or "" (not answered).
    kind: str = ""
    list_number: str = ""


def toml_string(text: str) -> str:
    """A TOML basic string (the drafter's own quoting, so lines match)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def blanks_of(report: Mapping[str, Any]) -> list[Blank]:
    return [
        Blank(index, str(item.get("label")), item.get("location"))
        for index, item in enumerate(report.get("unknown") or [])
    ]


def answered(blanks: Sequence[Blank], form: Mapping[str, str]) -> list[Blank]:
    """The blanks with the answers of a posted form (``kind_<i>``, ``list_<i>``)."""
    return [
        Blank(
            blank.index,
            blank.label,
            blank.location,
            kind=form.get(f"kind_{blank.index}", "").strip(),
            list_number=form.get(f"list_{blank.index}", "").strip(),
        )
        for blank in blanks
    ]


#: Layout blanks of the draft (``family = "?"``, ``header_row = "?"``, ``label_column = "?"``).
LAYOUT_BLANKS = ("family", "header_row", "label_column")
FAMILIES = ("a", "b", "c", "d", "pivot")


def layout_blanks(draft: str) -> list[str]:
    """The layout settings the draft leaves blank, in the draft's order."""
    return [
        name
        for name in LAYOUT_BLANKS
        if re.search(rf'^{name}\s*=\s*"\?"', draft, re.MULTILINE) is not None
    ]


def _fill_layout(text: str, layout: Mapping[str, str], problems: list[str]) -> str:
    for name in layout_blanks(text):
        value = (layout.get(name) or "").strip()
        line = re.compile(rf'^{name}\s*=\s*"\?".*$', re.MULTILINE)
        if name == "family":
            if value not in FAMILIES:
                problems.append("choose the layout family")
                continue
            text = line.sub(f'family = "{value}"', text, count=1)
        elif value.isdigit() and 0 < int(value) < 100_000:
            text = line.sub(f"{name} = {int(value)}", text, count=1)
        elif name == "label_column" and not value:
            text = line.sub("", text, count=1)  # families a and c have no label column
        else:
            problems.append(f"{name} must be a row or column number")
    return text


def _insert_after(lines: list[str], section: str, new: list[str]) -> None:
    position = lines.index(section) + 1 if section in lines else None
    if position is None:
        lines += ["", section]
        position = len(lines)
    lines[position:position] = new


def complete(
    draft: str,
    blanks: Sequence[Blank],
    authority: str,
    layout: Mapping[str, str] | None = None,
) -> str:
    """The draft with the answers written in; InvalidMapping names an unusable answer, and a
    blank still open (``"?"``) is refused rather than passed on."""
    problems: list[str] = []
    labels: list[str] = []
    lists: list[str] = []
    answered_lines: set[str] = set()
    for blank in blanks:
        key = toml_string(blank.label)
        if blank.kind == "list":
            if not _DIGITS.fullmatch(blank.list_number):
                problems.append(f"'{blank.label}': the list number must be 1 to 3 digits")
                continue
            lists.append(f'{key} = "{int(blank.list_number)}"')
        elif blank.kind in ROLES:
            labels.append(f'{key} = "{blank.kind}"')
        elif blank.kind:
            problems.append(f"'{blank.label}': unknown choice {blank.kind!r}")
            continue
        else:
            continue
        answered_lines.add(f"# {key} = ")
    # a label left open is not used (the draft says: delete the line)
    for blank in blanks:
        answered_lines.add(f'{toml_string(blank.label)} = "?"')
        answered_lines.add(f"# {toml_string(blank.label)} = ")
    authority = authority.strip()
    if authority and not _CBS.fullmatch(authority):
        problems.append("the municipality's CBS code must be four digits")
    draft = _fill_layout(draft, layout or {}, problems)
    if problems:
        raise InvalidMapping("The mapping cannot be completed: " + "; ".join(problems) + ".")
    lines = [
        line
        for line in draft.splitlines()
        if not any(line.startswith(prefix) for prefix in answered_lines)
    ]
    _insert_after(lines, "[labels]", labels)
    _insert_after(lines, "[lists]", lists)
    text = "\n".join(lines) + "\n"
    if authority:
        text, count = _AUTHORITY_BLANK.subn(f'id = "{authority}"', text, count=1)
        if not count:
            text += f'\n[authority]\nid = "{authority}"\n'
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidMapping(f"The completed mapping is not valid TOML: {exc}.") from None
    still = [line for line in text.splitlines() if '"?"' in line.split("#", 1)[0]]
    if still:
        raise InvalidMapping("The mapping still has blanks: " + "; ".join(still[:10]) + ".")
    return text
