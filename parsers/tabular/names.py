"""List (party) names to list numbers.

Order of evidence, strongest first: a list number in the header itself (``1. VVD``,
``Lijst 3``); the mapping's own ``[lists]`` table; the supplied candidate list (EML 230b)
matched by name, by the short form in parentheses (``PVV`` for ``PVV (Partij voor de
Vrijheid)``), or through an alias group of ``mappings/aliases.toml``; then, as the weakest
evidence, a header whose words all occur in exactly one list name. Every decision is a note
with its confidence. A name that matches nothing, or more than one list, raises
:class:`~parsers.errors.UnknownListName`: never a silent guess.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from parsers.errors import InvalidMapping, UnknownListName
from parsers.tabular.vocabulary import normalise_label

#: The mappings folder: ``TELNORM_MAPPINGS_DIR`` (the service setting ``mappings_dir``), else
#: ``mappings/`` beside the packages (a checkout or an editable install).
MAPPINGS_DIR = Path(
    os.environ.get("TELNORM_MAPPINGS_DIR") or Path(__file__).resolve().parents[2] / "mappings"
)
_LEADING_NUMBER = re.compile(
    r"^\s*(?:lijst|list|nr\.?|no\.?)?\s*(\d{1,3})\s*(?:[.):\-–]\s*|\s+(?=\D)|$)(.*)$", re.I
)


def compact(text: str) -> str:
    return normalise_label(text).replace(" ", "")


def _forms(name: str) -> set[str]:
    """A registered name's comparable forms: whole, and the parts in and outside parentheses."""
    forms = {compact(name)}
    inner = re.findall(r"\(([^)]*)\)", name)
    outer = re.sub(r"\([^)]*\)", " ", name)
    for part in (*inner, outer):
        if compact(part):
            forms.add(compact(part))
    return forms


@lru_cache(maxsize=4)
def load_aliases(path: Path = MAPPINGS_DIR / "aliases.toml") -> tuple[frozenset[str], ...]:
    if not path.exists():
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidMapping(f"The alias table {path.name} is not valid TOML: {exc}") from None
    return tuple(
        frozenset(compact(n) for n in group.get("names", []) if compact(n))
        for group in data.get("alias", [])
    )


@dataclass(frozen=True)
class Resolution:
    list_id: str
    name: str | None
    confidence: float
    how: str


class ListResolver:
    """Resolves header names to list numbers for one parse."""

    def __init__(
        self,
        candidate_list: Any | None,
        explicit: dict[str, str] | None = None,
    ) -> None:
        self.lists: dict[str, str | None] = {}
        if candidate_list is not None:
            for list_id, affiliation in getattr(candidate_list, "affiliations", {}).items():
                self.lists[str(list_id)] = getattr(affiliation, "name", None)
        self.explicit = {compact(k): str(v) for k, v in (explicit or {}).items()}
        self.aliases = load_aliases()
        self._by_order: dict[str, str] = {}

    @property
    def has_candidate_list(self) -> bool:
        return bool(self.lists)

    def resolve(self, header: str, where: str, location: dict[str, Any] | None) -> Resolution:
        text = header.strip()
        match = _LEADING_NUMBER.match(text)
        if match and (
            match.group(2).strip()
            or normalise_label(text).startswith(("lijst", "list"))
            or text.isdigit()
        ):
            list_id = str(int(match.group(1)))
            name = match.group(2).strip() or self.lists.get(list_id)
            return Resolution(list_id, name, 1.0, "list number in the header")
        key = compact(text)
        if key in self.explicit:
            list_id = self.explicit[key]
            return Resolution(
                list_id, self.lists.get(list_id) or text, 1.0, "the mapping's [lists]"
            )
        if not self.lists:
            return self._by_column_order(text)
        exact = [i for i, name in self.lists.items() if name and key == compact(name)]
        if len(exact) == 1:
            return Resolution(
                exact[0], self.lists[exact[0]], 1.0, "same name on the candidate list"
            )
        part = [i for i, name in self.lists.items() if name and key in _forms(name)]
        if len(part) == 1:
            return Resolution(
                part[0], self.lists[part[0]], 0.95, "short form of the registered name"
            )
        group_names: set[str] = set()
        for group in self.aliases:
            if key in group:
                group_names |= group
        alias = [i for i, name in self.lists.items() if name and _forms(name) & group_names]
        if len(alias) == 1:
            return Resolution(
                alias[0], self.lists[alias[0]], 0.9, "alias table (mappings/aliases.toml)"
            )
        words = set(normalise_label(text).split())
        contains = [
            i
            for i, name in self.lists.items()
            if name and words and words <= set(normalise_label(name).split())
        ]
        candidates = part or alias or contains
        if len(contains) == 1 and not (part or alias):
            return Resolution(
                contains[0], self.lists[contains[0]], 0.6, "all words occur in one list name"
            )
        if len(candidates) > 1:
            options = ", ".join(f"{i} ({self.lists[i]})" for i in candidates)
            raise UnknownListName(
                f"{where}: the list name {text!r} fits several lists of the candidate list: "
                f"{options}. Add the name to the mapping's [lists] table with the right number "
                "(or put the list number in the header) and send the file again.",
                location=location,
                name=text,
                candidates=candidates,
            )
        raise UnknownListName(
            f"{where}: the list name {text!r} is not on the candidate list and no alias "
            "resolves it. Add it to the mapping's [lists] table (name = list number) or to "
            "mappings/aliases.toml, or put the list number in the header.",
            location=location,
            name=text,
        )

    def _by_column_order(self, text: str) -> Resolution:
        # Without a candidate list the real list numbers are unknown: number lists in the order
        # they appear, keep the name, and say so (confidence 0: not a list number).
        key = compact(text)
        if key not in self._by_order:
            self._by_order[key] = str(len(self._by_order) + 1)
        return Resolution(self._by_order[key], text, 0.0, "order of appearance (no candidate list)")
