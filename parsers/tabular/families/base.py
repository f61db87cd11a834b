"""What the family readers share: the common interface (:class:`FamilyReader`), the plan
layout detection hands them (:class:`Plan`), the evidence detection ranks families by, and
helpers every family uses (resolving lists, reading a unit's identity, totals, title lines).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from telnorm.parsers.errors import MisplacedHeader, NoHeader
from telnorm.parsers.tabular.builder import DocBuilder, UnitInfo, Values
from telnorm.parsers.tabular.grid import Sheet, cell_text, detached
from telnorm.parsers.tabular.mapping import Mapping
from telnorm.parsers.tabular.names import ListResolver
from telnorm.parsers.tabular.numbers import looks_numeric
from telnorm.parsers.tabular.vocabulary import (
    META_LABELS,
    field_for,
    is_number_field,
    normalise_label,
    total_kind,
)

_SB_NUMBER = re.compile(r"(?:^|::|\b)(?:SB|stembureau|bureau|nr\.?)\s*(\d+)\b", re.I)


#: Every statistic label of the vocabulary contains one of these (a cheap first test, so
#: station names are looked up only when they might be one).
_STATISTIC_STEMS = (
    "stem",
    "kiez",
    "blanco",
    "ongeldig",
    "opgeroep",
    "geldig",
    "volmacht",
    "pas",
    "toegelat",
    "biljet",
    "gerecht",
    "verklaring",
    "cast",
    "counted",
    "rejected",
    "uncounted",
)


_DIGIT = re.compile(r"\d")


def _maybe_statistic(text: str) -> bool:
    """False for most station names at once: no statistic label of the vocabulary holds a
    digit or the word 'bureau' (``Stembureau 12``, ``SB3 Kerk``)."""
    lowered = text.lower()
    if "bureau" in lowered or _DIGIT.search(text):
        return False
    return any(stem in lowered for stem in _STATISTIC_STEMS)


class Labels:
    """The vocabulary plus a mapping's own labels."""

    def __init__(self, mapping: Mapping | None) -> None:
        self.extra = mapping.labels if mapping else {}

    def __call__(self, value: object) -> str | None:
        return field_for(value, self.extra)


@dataclass
class Plan:
    """What layout detection found: the family, its sheets, and where the header row or
    label column is (0-based), with the evidence as text for the ``layout`` note."""

    family: str
    sheets: list[Sheet]
    header_row: int | None = None
    label_column: int | None = None
    evidence: list[str] = field(default_factory=list)

    def header(self) -> int:
        """The header row (families a, c, osv4-3), or a 422 saying how to give it."""
        return self._required(self.header_row)

    def label(self) -> int:
        """The label column (families b, d), or a 422 saying how to give it."""
        return self._required(self.label_column)

    def _required(self, value: int | None) -> int:
        if value is None:
            raise NoHeader(
                f"The layout (family {self.family}) is known, but its header row or label "
                "column was not found. Set [layout] header_row / label_column in the mapping."
            )
        return value


@dataclass(frozen=True)
class HeaderEvidence:
    """What one row says as a header row: the role of each cell and how many of each kind."""

    sheet: Sheet
    row: int
    roles: list[str | None]
    units: int
    lists: int
    votes: int
    stats: int
    others: int


@dataclass(frozen=True)
class ColumnEvidence:
    """What one column says as a label column: its statistic rows and the columns holding
    numbers on them."""

    sheet: Sheet
    column: int
    stat_rows: list[int]
    value_columns: set[int]

    @property
    def where(self) -> str:
        sheet, c = self.sheet, self.column
        return f"column {c + 1}" if sheet.is_text else f"sheet {sheet.name!r}, column {c + 1}"


#: A family's test of a header row (or label column): the evidence as text, or None.
HeaderSignal = Callable[[HeaderEvidence], str | None]
ColumnSignal = Callable[[ColumnEvidence], str | None]


@dataclass(frozen=True)
class Family:
    """One layout family in the registry (:data:`telnorm.parsers.tabular.families.FAMILIES`).

    ``header_signal`` recognises it by a header row, ``column_signal`` by a label column;
    detection asks the families in registry order (their rank) and takes the first that fits.
    """

    id: str
    shape: str
    reader: type[FamilyReader]
    header_signal: HeaderSignal | None = None
    column_signal: ColumnSignal | None = None
    #: Families whose plan is several sheets (one per polling station).
    per_sheet: bool = False


def scan_metadata(sheet: Sheet, rows: range, builder: DocBuilder) -> dict[str, str]:
    """``Label: value`` pairs above a table (or anywhere on a paper-form sheet)."""
    found: dict[str, str] = {}
    for r in rows:
        cells = [(c, sheet.text(r, c)) for c in range(sheet.width) if sheet.text(r, c)]
        if len(cells) < 2:
            continue
        key = META_LABELS.get(normalise_label(cells[0][1]))
        if key and key not in found:
            c, value = cells[1]
            found[key] = value
            if looks_numeric(sheet.cell(r, c)):
                builder.mark(sheet, r, c)
    return found


#: A station's identity in a title or header: ``SB 3 Dorpshuis (1234 AB)``, ``Stembureau 3:
#: Dorpshuis``, ``Proces-verbaal stembureau 2: Stembureau De Linde``.
_IDENTITY = re.compile(
    r"^(?:proces[- ]verbaal\b[^:]*?\b)?(?:van\s+)?(?:het\s+)?(?:stembureau|sb|bureau)\s*"
    r"(?:nr\.?|nummer)?\s*(?P<number>\d{1,6})(?!\d)\s*[-:.,]?\s*(?P<name>.*?)\s*"
    r"(?:\(\s*(?:postcode:?\s*)?(?P<postcode>\d{4}\s?[A-Za-z]{2})\s*\))?\s*$",
    re.I,
)


@dataclass(frozen=True)
class Identity:
    number: int
    name: str | None
    postal_code: str | None


def station_identity(text: str) -> Identity | None:
    """Number, name and postcode of a station from a title line or a column header."""
    match = _IDENTITY.match(text.strip())
    if match is None:
        return None
    # 'Stembureau De Linde' is station 'De Linde', as the EML reader names it (one prefix off).
    name = re.sub(r"(?i)^stembureau\s+", "", match.group("name") or "") or None
    return Identity(int(match.group("number")), name, match.group("postcode"))


def unit_number_from(text: str) -> int | None:
    """A polling-station number from ``12``, ``SB12``, ``Stembureau 12``; None for anything
    else, and for more than 15 digits (no station has such a number; JSON could not carry it)."""
    if text.isdigit():
        return int(text) if len(text) < 16 else None
    match = _SB_NUMBER.search(text)
    return int(match.group(1)) if match and len(match.group(1)) < 16 else None


class FamilyReader:
    """The common interface: one reader per parse; :meth:`read` puts what the plan's sheets
    hold into the builder, and leaves title-line metadata in :attr:`meta`."""

    family: ClassVar[str]

    def __init__(
        self,
        builder: DocBuilder,
        resolver: ListResolver,
        labels: Labels,
        columns: dict[str, int] | None = None,
    ) -> None:
        self.builder = builder
        self.context = builder.context
        self.resolver = resolver
        self.labels = labels
        self._noted_lists: set[str] = set()
        self.meta: dict[str, Any] = {}
        #: The mapping's ``[layout] list_number_column`` etc. (0-based).
        self.columns: dict[str, int] = dict(columns or {})
        #: The mapping's ``[layout] candidate_patterns``, ``total_rows`` (as the clerk sees
        #: them) and ``total_columns`` (0-based), set by :meth:`configure`.
        self.candidate_patterns: tuple[str, ...] = ()
        self.total_rows: set[int] = set()
        self.total_columns: set[int] = set()
        #: The document's level: a municipality's count, unless the family says otherwise
        #: (an osv4-3 sheet of a district or central office).
        self.level = "municipality"

    def configure(self, mapping: Mapping | None) -> None:
        """Take what the mapping says about this file's rows and columns."""
        if mapping is None:
            return
        self.candidate_patterns = mapping.candidate_patterns
        if mapping.totals == "stated":
            self.total_rows = set(mapping.total_rows)
            self.total_columns = set(mapping.total_columns)

    def read(self, plan: Plan) -> None:
        raise NotImplementedError

    # --- helpers ----------------------------------------------------------------

    def resolve_list(self, sheet: Sheet, r: int, c: int) -> str:
        text = sheet.text(r, c)
        if looks_numeric(sheet.cell(r, c)):
            self.builder.mark(sheet, r, c)  # a bare list number as the label: it is read
        elif is_number_field(field_for(text)) and normalise_label(text) not in self.labels.extra:
            raise MisplacedHeader(
                f"{sheet.where(r, c)}: {text!r} is a statistic, but it stands where list names "
                "are read: the header row or label column was taken from the wrong place. "
                "Check [layout] header_row / label_column (or [labels]) and send the file "
                "again.",
                location=sheet.location(r, c),
                label=text,
            )
        resolution = self.resolver.resolve(text, sheet.where(r, c), sheet.location(r, c))
        affiliation = self.builder.affiliation(resolution.list_id, resolution.name)
        if text not in self._noted_lists:
            self._noted_lists.add(text)
            self.context.note(
                "list-resolved",
                f"{sheet.where(r, c)}: {text!r} is list {resolution.list_id}"
                f"{f' ({resolution.name})' if resolution.name and resolution.name != text else ''}"
                f" by {resolution.how} (confidence {resolution.confidence}).",
                sheet.location(r, c) | {"confidence": resolution.confidence},
            )
        return affiliation.id

    def note_list(self, sheet: Sheet, r: int, c: int, text: str, list_id: str, how: str) -> None:
        """One ``list-resolved`` note per list label."""
        if text in self._noted_lists:
            return
        self._noted_lists.add(text)
        self.context.note(
            "list-resolved",
            f"{sheet.where(r, c)}: {text!r} is list {list_id} by {how} (confidence 1.0).",
            sheet.location(r, c) | {"confidence": 1.0},
        )

    def list_number(self, sheet: Sheet, r: int, c: int, name: str) -> str:
        """A list-number cell (and the list's name beside it), checked by the resolver: on
        the candidate list when there is one, and never mixed with lists numbered by order."""
        number = self.builder.position(sheet, r, c, "list number")
        list_id = self.resolver.number(
            number, name or None, sheet.where(r, c), sheet.location(r, c)
        )
        self.builder.affiliation(list_id, name or None)
        return list_id

    def unit_values(
        self,
        sheet: Sheet,
        r: int,
        number_col: int | None,
        name_col: int | None,
        postal_col: int | None,
    ) -> Values:
        number: int | None = None
        row = sheet.rows[r]
        raw_id = ""
        if number_col is not None:
            raw_id = cell_text(row, number_col)
            raw = row[number_col] if number_col < len(row) else None
            if type(raw) is str and raw.isdigit() and raw.isascii() and len(raw) < 19:
                number = int(raw)  # what count() gives, without its checks
                self.builder.mark_counted_row(sheet, r, frozenset((number_col,)))
            elif looks_numeric(raw):
                number = self.builder.count(sheet, r, number_col, "polling-station number")
            else:
                number = unit_number_from(raw_id)
        name = cell_text(row, name_col) if name_col is not None else ""
        if name and name_col is not None and name[0].isdigit() and looks_numeric(row[name_col]):
            self.builder.mark(sheet, r, name_col)  # a station named by its number
        if number is None and name:
            number = unit_number_from(name)
        if name and _maybe_statistic(name) and is_number_field(field_for(name)):
            raise MisplacedHeader(
                f"{sheet.where(r, name_col or 0)}: {name!r} is a statistic, but it stands "
                "where polling-station names are read: a header was taken from the wrong row or "
                "column. Check [layout] and [labels] and send the file again.",
                location=sheet.location(r, name_col or 0),
                label=name,
            )
        postal = cell_text(row, postal_col) if postal_col is not None else None
        info = UnitInfo(
            number,
            detached(name) if name else None,
            detached(postal) if postal else None,
            where=(sheet, r, name_col or 0),
        )
        if "::" in raw_id:
            info.unit_id = raw_id  # already an EML-style id (0758::SB1): keep it
        if name and "briefstembureau" in name.lower():
            info.kind = "postal"
        return self.builder.add_unit(info)

    def is_total(self, *texts: str) -> bool:
        """A total or subtotal label (the readers keep either out of the units)."""
        return any(total_kind(t) is not None for t in texts if t)

    @staticmethod
    def total_of(*texts: str) -> str | None:
        """``"total"``/``"subtotal"`` when one of ``texts`` says so (a subtotal wins)."""
        kinds = {total_kind(t) for t in texts if t}
        return "subtotal" if "subtotal" in kinds else ("total" if "total" in kinds else None)

    def note_subtotal(self, sheet: Sheet, r: int, c: int, label: str) -> None:
        self.context.note(
            "subtotal-left-over",
            f"{sheet.where(r, c)}: {label!r} is a subtotal, neither a polling station nor the "
            "total; its numbers are left over (see cells-left-over).",
            sheet.location(r, c),
        )

    def apply_meta(self, meta: dict[str, str]) -> None:
        self.meta.update({k: v for k, v in meta.items() if k not in self.meta})
