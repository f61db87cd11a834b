"""List (party) names to list numbers.

Order of evidence, strongest first: the mapping's own ``[lists]`` table; a list number in the
header itself, followed by a separator (``1. VVD``, ``1) VVD``, ``1 - VVD``, ``1: VVD``,
``Lijst 3``; ``50 PLUS`` is a name, and so is any header the alias table knows); the supplied
candidate list (EML 230b) matched by name, by the short form in parentheses (``PVV`` for
``PVV (Partij voor de Vrijheid)``), or through an alias group of ``mappings/aliases.toml``;
then, as the weakest evidence, a header whose words all occur in exactly one list name. Every
decision is a note with its confidence. A name that matches nothing, or more than one list,
raises :class:`~telnorm.parsers.errors.UnknownListName`: never a silent guess.

With a candidate list, a number in the header (or in a list-number column) must be on it, and
the name beside it must resolve to that same list; a contradiction raises
:class:`~telnorm.parsers.errors.ListNumberConflict`. Without one (and without a mapping's
``[lists]``),
lists are numbered in order of appearance only while no list carries a real number: mixing
the two could give two lists one number, so that too is a ``ListNumberConflict``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from telnorm.parsers.errors import InvalidMapping, ListNumberConflict, UnknownListName
from telnorm.parsers.resources import ALIASES_FILE, aliases_text
from telnorm.parsers.tabular.vocabulary import normalise_label

#: ``Lijst 3``, ``Lijst 3: VVD``, ``nr. 3 VVD`` (a prefix: any separator, or none).
_PREFIXED_NUMBER = re.compile(
    r"^(?:lijst|list|nr\.?|no\.?)\s*(\d{1,3})(?!\d)\s*[.):\-–]?\s*(.*)$", re.I
)
#: ``3``, ``3. VVD``, ``3) VVD``, ``3 - VVD``, ``3: VVD`` (a bare number needs a separator:
#: ``50 PLUS`` is a name). The name never starts with a digit (``1.5`` is not list 1).
_LEADING_NUMBER = re.compile(r"^(\d{1,3})(?:\s*[.):\-–]\s*(?=\D)(.*)|\s*[.):]?\s*)$")
#: List numbers a ballot can have.
MAX_LIST_NUMBER = 999


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
def load_aliases(directory: Path | None = None) -> tuple[frozenset[str], ...]:
    """The alias groups of the mappings folder (``ParseContext.mappings_dir``, else the
    packaged one)."""
    text = aliases_text(directory)
    if text is None:
        return ()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidMapping(f"The alias table {ALIASES_FILE} is not valid TOML: {exc}") from None
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
        mappings_dir: Path | None = None,
    ) -> None:
        self.lists: dict[str, str | None] = {}
        if candidate_list is not None:
            for list_id, affiliation in getattr(candidate_list, "affiliations", {}).items():
                self.lists[str(list_id)] = getattr(affiliation, "name", None)
        self.explicit = {compact(k): str(v) for k, v in (explicit or {}).items()}
        self.aliases = load_aliases(mappings_dir)
        self._alias_names = frozenset().union(*self.aliases) if self.aliases else frozenset()
        self._by_order: dict[str, str] = {}
        #: Where the first list numbered by order of appearance, and the first list with a
        #: real number, were seen (the two must not mix).
        self._first_by_order: str | None = None
        self._first_numbered: tuple[str, str] | None = None

    @property
    def has_candidate_list(self) -> bool:
        return bool(self.lists)

    def header_number(self, text: str) -> tuple[int, str] | None:
        """(list number, the name after it) of a header that starts with a list number."""
        key = compact(text)
        if key in self._alias_names or key in self.explicit:
            return None  # a name the alias table (50PLUS) or the mapping knows
        if any(name and key == compact(name) for name in self.lists.values()):
            return None  # a registered name that starts with digits
        match = _PREFIXED_NUMBER.match(text) or _LEADING_NUMBER.match(text)
        if match is None or not 1 <= int(match.group(1)) <= MAX_LIST_NUMBER:
            return None
        return int(match.group(1)), (match.group(2) or "").strip()

    def resolve(self, header: str, where: str, location: dict[str, Any] | None) -> Resolution:
        text = header.strip()
        key = compact(text)
        if key in self.explicit:
            list_id = self.explicit[key]
            self._numbered(list_id, where, location)
            return Resolution(
                list_id, self.lists.get(list_id) or text, 1.0, "the mapping's [lists]"
            )
        numbered = self.header_number(text)
        if numbered is not None:
            number, name = numbered
            list_id = self.number(str(number), name, where, location, header=text)
            return Resolution(
                list_id, name or self.lists.get(list_id), 1.0, "list number in the header"
            )
        if not self.lists:
            return self._by_column_order(text, where, location)
        return self._by_name(text, where, location)

    def number(
        self,
        list_id: str,
        name: str | None,
        where: str,
        location: dict[str, Any] | None,
        *,
        header: str | None = None,
    ) -> str:
        """A list number the file states (in a header or a list-number column), checked: with
        a candidate list it must be there and ``name`` (if any) must resolve to it."""
        stated = f"header {header!r}" if header else f"list number {list_id}"
        if self.lists:
            found: str | None = None
            if name:
                try:
                    found = self._by_name(name, where, location).list_id
                except UnknownListName:
                    found = None
            if list_id in self.lists and (not name or found == list_id):
                self._numbered(list_id, where, location)
                return list_id
            missing = (
                f" (the candidate list has no list {list_id})" if list_id not in self.lists else ""
            )
            if found is not None:
                said = f"{name} is list {found} on the candidate list{missing}"
            elif name:
                registered = self.lists.get(list_id)
                said = (
                    f"{name!r} is not a name of list {list_id} ({registered})"
                    if registered
                    else f"{name!r} is not on the candidate list{missing}"
                )
            else:
                known = ", ".join(f"{i} ({n})" for i, n in self.lists.items())
                said = f"the candidate list has no list {list_id} (it has {known})"
            raise ListNumberConflict(
                f"{where}: the {stated} says list {list_id}, but {said}. Correct the number or "
                "the name in the file (or send the candidate list of this election) and send "
                "it again.",
                location=location,
                name=header or name or list_id,
                list_id=list_id,
                candidates=[found] if found is not None else [],
            )
        self._numbered(list_id, where, location)
        return list_id

    def _numbered(self, list_id: str, where: str, location: dict[str, Any] | None) -> None:
        if self._first_numbered is None:
            self._first_numbered = (list_id, where)
        if self._by_order and not self.lists:
            self._refuse_mixed(where, location)

    def _refuse_mixed(self, where: str, location: dict[str, Any] | None) -> NoReturn:
        numbered = self._first_numbered
        stated = (
            f"list {numbered[0]} at {numbered[1]}"
            if numbered
            else "the mapping's [lists] gives numbers"
        )
        raise ListNumberConflict(
            f"{where}: some lists carry a list number ({stated}) and others do not (the first "
            f"at {self._first_by_order or where}). Numbering the others in order of appearance "
            "could give two lists the same number, so no number is guessed. Send the "
            "candidate list (EML 230b) with the file, or a mapping whose [lists] table gives "
            "every list name its number.",
            location=location,
        )

    def _by_name(self, text: str, where: str, location: dict[str, Any] | None) -> Resolution:
        key = compact(text)
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

    def _by_column_order(
        self, text: str, where: str, location: dict[str, Any] | None
    ) -> Resolution:
        # Without a candidate list the real list numbers are unknown: number lists in the order
        # they appear, keep the name, and say so (confidence 0: not a list number). Only while
        # no list has a real number (a header's, a list-number column's, the mapping's).
        key = compact(text)
        if self._first_numbered is not None or self.explicit:
            self._first_by_order = where
            self._by_order.setdefault(key, "?")
            self._refuse_mixed(where, location)
        if key not in self._by_order:
            self._first_by_order = self._first_by_order or where
            self._by_order[key] = str(len(self._by_order) + 1)
        return Resolution(self._by_order[key], text, 0.0, "order of appearance (no candidate list)")
