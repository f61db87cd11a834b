"""Checking a mapping's TOML before it is used: every key known, every value of its type,
no blank left, and each problem named with its key and TOML line.

The schema (:data:`SCHEMA`) is the one place the mapping format is written down in code;
``docs/mappings-guide.md`` documents each key with the same types. A *blank* is a string
value starting with ``?`` (the suggester writes ``"?"`` for everything it is unsure of, with a
comment saying what to fill in); a mapping with a blank left is refused with
:class:`~telnorm.parsers.errors.MappingBlanks` listing them all.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from typing import Any

from telnorm.parsers.errors import InvalidMapping, MappingBlanks

#: A checker returns None when the value fits, else what was expected.
Checker = Callable[[Any], str | None]


def _string(value: Any) -> str | None:
    return None if isinstance(value, str) else "a string"


def _row_number(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return None if ok else "a row or line number (a whole number, 1 or more)"


def _column_ref(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return None
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{1,3}", value):
        return None
    return 'a column letter ("C") or number (3)'


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def _list_of(item: Checker, what: str) -> Checker:
    def check(value: Any) -> str | None:
        if not isinstance(value, list) or any(item(v) is not None for v in value):
            return f"a list of {what}"
        return None

    return check


def _one_of(*choices: str) -> Checker:
    def check(value: Any) -> str | None:
        return None if value in choices else "one of " + ", ".join(repr(c) for c in choices)

    return check


def _regex(value: Any) -> str | None:
    if not isinstance(value, str):
        return "a regular expression (a string)"
    try:
        compiled = re.compile(value)
    except re.error as exc:
        return f"a valid regular expression ({exc})"
    if "position" not in compiled.groupindex:
        return "a regular expression with a (?P<position>...) group"
    return None


def _list_number(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 999:
        return None
    if isinstance(value, str) and value.isdigit() and 1 <= int(value) <= 999:
        return None
    return 'a list number (1-999, as "3" or 3)'


def _string_or_number(value: Any) -> str | None:
    ok = isinstance(value, str | int) and not isinstance(value, bool)
    return None if ok else "a string"


FAMILY_IDS = ("a", "b", "c", "d", "osv4-3", "pivot")
ORIENTATIONS = {
    "stations-as-rows": "a",
    "stations-as-columns": "b",
    "long": "c",
    "sheet-per-station": "d",
}
_COLUMNS = _list_of(_column_ref, "column letters or numbers")
_ROWS = _list_of(_row_number, "row numbers")

#: table -> key -> checker. ``None`` as the table: top-level keys. A table whose keys are the
#: file's own labels (``labels``, ``lists``) has the checker under ``"*"``.
SCHEMA: dict[str | None, dict[str, Checker]] = {
    None: {
        "id": _string,
        "version": _string_or_number,
        "title": _string,
        "description": _string,
        "family": _one_of(*FAMILY_IDS),
    },
    "fingerprint": {
        "kind": _string,
        "contains": _list_of(_string, "strings"),
        "filename": _string,
        "sheet": _string,
    },
    "layout": {
        "orientation": _one_of(*ORIENTATIONS),
        "sheet": _string,
        "header_row": _row_number,
        "label_column": _column_ref,
        "list_number_column": _column_ref,
        "candidate_number_column": _column_ref,
        "candidate_name_column": _column_ref,
        "list_numbers": _one_of("file", "candidate-list", "order"),
        "list_number_sheet": _string,
        "candidate_patterns": _list_of(_regex, "regular expressions with a position group"),
        "statistics": _boolean,
        "ignore_rows": _ROWS,
        "ignore_columns": _COLUMNS,
        "total_rows": _ROWS,
        "total_columns": _COLUMNS,
        "totals": _one_of("stated", "ignore"),
    },
    "labels": {"*": _string},
    "lists": {"*": _list_number},
    "authority": {"id": _string_or_number, "name": _string},
    "election": {
        "id": _string,
        "name": _string,
        "category": _string,
        "subcategory": _string,
        "date": _string,
        "domain": _string,
    },
    "options": {"empty_values": _list_of(_string, "strings")},
}

_TABLE_LINE = re.compile(r"^\s*\[\s*([^\]\[]+?)\s*\]\s*(?:#.*)?$")
_KEY_LINE = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def key_lines(text: str) -> dict[tuple[str | None, str], int]:
    """``(table, key) -> line`` (1-based) of every ``key = value`` line of a TOML text."""
    found: dict[tuple[str | None, str], int] = {}
    table: str | None = None
    # TOML lines end at \n only (str.splitlines would also split at \x85 or \u2028 in a key).
    for number, line in enumerate(text.split("\n"), start=1):
        header = _TABLE_LINE.match(line)
        if header:
            table = header.group(1).strip().strip("\"'")
            found.setdefault((None, table), number)
            continue
        match = _KEY_LINE.match(line)
        if match:
            raw = match.group(1)
            key = raw
            if raw[0] in "\"'":
                try:
                    key = next(iter(tomllib.loads(f"{raw} = 0")))
                except (tomllib.TOMLDecodeError, StopIteration):
                    key = raw.strip("\"'")
            found.setdefault((table, key), number)
    return found


def is_blank(value: Any) -> bool:
    return isinstance(value, str) and value.strip().startswith("?")


def check_mapping(data: dict[str, Any], text: str, origin: str) -> None:
    """Raise :class:`InvalidMapping` for an unknown key or a value of the wrong type, and
    :class:`MappingBlanks` for blanks left (all of them, with their lines)."""
    lines = key_lines(text)
    where = f"mapping {origin}"

    def line_of(table: str | None, key: str) -> int | None:
        return lines.get((table, key))

    def at(table: str | None, key: str) -> str:
        line = line_of(table, key)
        name = f"[{table}] {key}" if table else key
        return f"{where}, line {line}: {name}" if line else f"{where}: {name}"

    blanks: list[dict[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict) and key in SCHEMA and key is not None:
            table_schema = SCHEMA[key]
            for inner, inner_value in value.items():
                checker = table_schema.get(inner) or table_schema.get("*")
                if checker is None:
                    known = ", ".join(sorted(k for k in table_schema if k != "*"))
                    raise InvalidMapping(
                        f"{at(key, inner)} is not a key of [{key}]. Known: {known}.",
                        key=f"{key}.{inner}",
                        line=line_of(key, inner),
                    )
                if is_blank(inner_value) or (
                    isinstance(inner_value, list) and any(is_blank(v) for v in inner_value)
                ):
                    blanks.append(
                        {"key": f"{key}.{inner}", "line": line_of(key, inner), "value": inner_value}
                    )
                    continue
                expected = checker(inner_value)
                if expected is not None:
                    raise InvalidMapping(
                        f"{at(key, inner)} must be {expected}, not {inner_value!r}.",
                        key=f"{key}.{inner}",
                        line=line_of(key, inner),
                    )
            continue
        checker = SCHEMA[None].get(key)
        if checker is None:
            known = ", ".join(sorted([*SCHEMA[None], *(k for k in SCHEMA if k is not None)]))
            raise InvalidMapping(
                f"{at(None, key)} is not a mapping key (or a table). Known: {known}.",
                key=key,
                line=line_of(None, key),
            )
        if is_blank(value):
            blanks.append({"key": key, "line": line_of(None, key), "value": value})
            continue
        expected = checker(value)
        if expected is not None:
            raise InvalidMapping(
                f"{at(None, key)} must be {expected}, not {value!r}.",
                key=key,
                line=line_of(None, key),
            )
    if blanks:
        shown = "; ".join(
            f"{b['key']}" + (f" (line {b['line']})" if b["line"] else "") for b in blanks
        )
        raise MappingBlanks(
            f"The {where} still has {len(blanks)} blank(s) to fill in: {shown}. Replace each "
            "'?' with the value its comment asks for (or delete the line when it does not "
            "apply) and send the mapping again.",
            blanks=blanks,
        )
