"""Declarative mappings (TOML) in ``mappings/``: how to recognise a file and read it.

A mapping is chosen by ``mapping=ID``, uploaded with the request (the TOML text), or found
automatically: the mapping whose fingerprint conditions all hold wins (most conditions first).
See ``docs/tabular.md`` for the format.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telnorm.parsers.canonical import REJECTED_REASON_CODES, UNCOUNTED_REASON_CODES
from telnorm.parsers.errors import InvalidMapping
from telnorm.parsers.resources import mapping_files
from telnorm.parsers.tabular.grid import Sheet, Workbook
from telnorm.parsers.tabular.vocabulary import NUMBER_FIELDS, ROLE_FIELDS, normalise_label

FAMILIES = ("a", "b", "c", "d", "osv4-3")
#: ``[layout] <role>_column`` keys for family b's list and candidate rows.
LAYOUT_COLUMNS = ("list_number", "candidate_number", "candidate_name")
_SHORT_FIELDS = {code: f"rejected:{code}" for code in REJECTED_REASON_CODES} | {
    code: f"uncounted:{code}" for code in UNCOUNTED_REASON_CODES
}


def field_key(value: str, where: str) -> str:
    """A mapping's field name -> the vocabulary's key (``blanco`` -> ``rejected:blanco``)."""
    if value in NUMBER_FIELDS or value in ROLE_FIELDS or value == "ignore":
        return value
    if value.startswith(("rejected:", "uncounted:")) and value.split(":", 1)[1] in _SHORT_FIELDS:
        return value
    if value in _SHORT_FIELDS:
        return _SHORT_FIELDS[value]
    known = sorted({*NUMBER_FIELDS, *ROLE_FIELDS, *_SHORT_FIELDS, "ignore"})
    raise InvalidMapping(f"{where}: {value!r} is not a field. Known: {', '.join(known)}.")


def _row(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise InvalidMapping(f"{where} must be a row or line number (1 or more), got {value!r}.")


def _column(value: Any, where: str) -> int | None:
    """``"C"`` or ``3`` -> 2 (0-based)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value - 1
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{1,3}", value):
        index = 0
        for ch in value.upper():
            index = index * 26 + ord(ch) - 64
        return index - 1
    raise InvalidMapping(f"{where} must be a column letter or number, got {value!r}.")


@dataclass
class Mapping:
    id: str
    version: str
    title: str = ""
    family: str | None = None
    fingerprint: dict[str, Any] = field(default_factory=dict)
    sheet: str | None = None
    header_row: int | None = None
    label_column: int | None = None
    #: Family b: ``list_number``, ``candidate_number``, ``candidate_name`` -> 0-based column.
    columns: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    lists: dict[str, str] = field(default_factory=dict)
    election: dict[str, Any] = field(default_factory=dict)
    authority: dict[str, Any] = field(default_factory=dict)
    empty_values: tuple[str, ...] = ()
    origin: str = "built-in"

    def describe(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version}

    def matches(self, workbook: Workbook, filename: str | None) -> int:
        """How many fingerprint conditions hold (0 when one fails or there are none)."""
        fp = self.fingerprint
        held = 0
        if "filename" in fp:
            if not filename or not re.search(str(fp["filename"]), filename):
                return 0
            held += 1
        if "kind" in fp:
            if workbook.kind != fp["kind"]:
                return 0
            held += 1
        names = [s.name for s in workbook.sheets]
        if "sheet" in fp:
            if fp["sheet"] not in names:
                return 0
            held += 1
        if "contains" in fp:
            labels = _labels(workbook.sheets, fp.get("sheet"))
            for text in fp["contains"]:
                if normalise_label(text) not in labels:
                    return 0
                held += 1
        return held


def _labels(sheets: list[Sheet], only: str | None) -> set[str]:
    found: set[str] = set()
    for sheet in sheets:
        if only and sheet.name != only:
            continue
        for row in sheet.rows[:60]:
            for value in row:
                if isinstance(value, str):
                    found.add(normalise_label(value))
    return found


def parse_mapping(text: str, origin: str) -> Mapping:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidMapping(
            f"The mapping ({origin}) is not valid TOML: {exc}. Fix the line named and upload it "
            "again."
        ) from None
    where = f"mapping {origin}"
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise InvalidMapping(f"{where}: 'id' (a string) is required.")
    family = data.get("family")
    if family is not None and family not in FAMILIES:
        raise InvalidMapping(f"{where}: family must be one of {', '.join(FAMILIES)}.")
    layout = data.get("layout", {})
    labels = {
        normalise_label(label): field_key(str(value), f"{where} [labels] {label!r}")
        for label, value in data.get("labels", {}).items()
    }
    lists = {str(k): str(v) for k, v in data.get("lists", {}).items()}
    for name, number in lists.items():
        if not number.isdigit():
            raise InvalidMapping(f"{where} [lists] {name!r}: the list number must be digits.")
    return Mapping(
        id=data["id"],
        version=str(data.get("version", "1")),
        title=str(data.get("title", "")),
        family=family,
        fingerprint=dict(data.get("fingerprint", {})),
        sheet=layout.get("sheet"),
        header_row=_row(layout.get("header_row"), f"{where} [layout] header_row"),
        label_column=_column(layout.get("label_column"), f"{where} [layout] label_column"),
        columns={
            role: column
            for role in LAYOUT_COLUMNS
            if (column := _column(layout.get(f"{role}_column"), f"{where} [layout] {role}_column"))
            is not None
        },
        labels=labels,
        lists=lists,
        election=dict(data.get("election", {})),
        authority={k: str(v) for k, v in data.get("authority", {}).items()},
        empty_values=tuple(str(v) for v in data.get("options", {}).get("empty_values", [])),
        origin=origin,
    )


def builtin_mappings(directory: Path | None = None) -> list[Mapping]:
    """The mappings of the folder ``directory`` (the setting ``mappings_dir``), else the
    packaged ones."""
    return [parse_mapping(text, f"mappings/{name}") for name, text in mapping_files(directory)]


def select_mapping(
    option: Any, workbook: Workbook, filename: str | None, mappings_dir: Path | None = None
) -> tuple[Mapping | None, str | None]:
    """``(mapping, why)`` from the ``mapping`` option (an id, or TOML text/bytes) or by
    fingerprint, among the mappings of ``mappings_dir`` (else the packaged ones)."""
    if isinstance(option, bytes):
        option = option.decode("utf-8-sig")
    if isinstance(option, str) and option.strip():
        if "\n" in option or "=" in option:
            return parse_mapping(option, "uploaded"), "uploaded with the request"
        installed = builtin_mappings(mappings_dir)
        for mapping in installed:
            if mapping.id == option.strip():
                return mapping, f"mapping={option.strip()}"
        known = ", ".join(m.id for m in installed) or "none"
        raise InvalidMapping(
            f"No mapping is called {option.strip()!r}. Known: {known}. Upload the TOML file "
            "instead to use one of your own."
        )
    scored = [(m.matches(workbook, filename), m) for m in builtin_mappings(mappings_dir)]
    scored = [(score, m) for score, m in scored if score > 0]
    if not scored:
        return None, None
    scored.sort(key=lambda item: (-item[0], item[1].id))
    best, mapping = scored[0]
    return mapping, f"fingerprint ({best} condition(s) hold)"
