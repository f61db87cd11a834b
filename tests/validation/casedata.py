"""Loading the rule test cases of ``tests/validation/cases``.

Each ``<CODE>.toml`` (or ``.json``) holds ``[[case]]`` entries:

* ``name``; ``patch``: JSON-Patch operations (``add``, ``replace``, ``remove``, ``copy``) on
  ``_base.json``, a small consistent municipal count (fictional municipality 0999);
* optional ``plausibility``, ``candidate_list`` (``{list: [candidate ids]}``), ``reference``
  (an inline reference JSON: municipal totals or a canonical document) or ``reference_patch``
  (the base document, patched, as the reference);
* ``expect``: the findings of THIS code, in report order; each lists only the keys it checks
  (``pointer``, ``unit``, ``affiliation``, ``candidate``, ``expected``, ``actual``,
  ``difference``, ``source``); ``[]`` is a passing case;
* optional ``summary``: keys of the report summary to check.

TOML has no null: the string ``"__null__"`` stands for it, in patches and expectations.
"""

from __future__ import annotations

import copy
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CASES = Path(__file__).parent / "cases"
NULL = "__null__"


def denull(value: Any) -> Any:
    if value == NULL:
        return None
    if isinstance(value, dict):
        return {k: denull(v) for k, v in value.items()}
    if isinstance(value, list):
        return [denull(v) for v in value]
    return value


def _tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    assert pointer.startswith("/"), pointer
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _resolve(doc: Any, tokens: list[str]) -> Any:
    for token in tokens:
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    return doc


def apply_patch(document: Any, operations: list[dict[str, Any]]) -> Any:
    """A minimal RFC 6902 subset; raises KeyError/IndexError on a path that does not exist."""
    doc = copy.deepcopy(document)
    for op in operations:
        tokens = _tokens(op["path"])
        parent = _resolve(doc, tokens[:-1])
        last = tokens[-1]
        kind = op["op"]
        if kind == "copy":
            value = copy.deepcopy(_resolve(doc, _tokens(op["from"])))
        elif kind in ("add", "replace"):
            value = denull(op["value"])
        elif kind == "remove":
            value = None
        else:
            raise ValueError(f"unsupported patch op {kind!r}")
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if kind == "remove":
                del parent[index]
            elif kind == "add":
                parent.insert(index, value)
            else:
                parent[index] = value
        elif kind == "remove":
            del parent[last]
        elif kind == "replace" and last not in parent:
            raise KeyError(f"replace of a missing member {op['path']}")
        else:
            parent[last] = value
    return doc


@dataclass(frozen=True)
class Case:
    code: str
    name: str
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.code}: {self.name}"


def base_document() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((CASES / "_base.json").read_text(encoding="utf-8"))
    return result


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES.iterdir()):
        if path.name.startswith("_") or path.suffix not in (".toml", ".json"):
            continue
        code = path.stem
        if path.suffix == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
        for entry in data.get("case", []):
            cases.append(Case(code, entry["name"], entry))
    return cases
