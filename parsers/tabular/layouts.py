"""Layout families: recognising how a table is laid out, and reading each family.

* **a** (wide by rows): one row per polling station, lists (and statistics) as columns.
* **b** (wide by columns, the osv4-3 shape): polling stations as columns, statistics and lists
  as rows (a file with the osv4-3 header columns is read by the osv4-3 reader itself).
* **c** (long): one row per station and list (and candidate), a votes column.
* **d** (paper form): one sheet per polling station, label/value pairs, then a table of lists.

Recognition only uses labels the vocabulary (or the mapping) knows, so a title row, a blank
row or column, or a notes column does not change the outcome. Two families that fit equally
raise :class:`~telnorm.parsers.errors.AmbiguousLayout`; none raises
:class:`~telnorm.parsers.errors.NoHeader`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telnorm.parsers.errors import AmbiguousLayout, DuplicateValue, NoHeader
from telnorm.parsers.tabular.builder import DocBuilder, RowLayout, RowPicker, UnitInfo, _Values
from telnorm.parsers.tabular.grid import Sheet, cell_text
from telnorm.parsers.tabular.mapping import Mapping
from telnorm.parsers.tabular.names import ListResolver
from telnorm.parsers.tabular.numbers import looks_numeric
from telnorm.parsers.tabular.vocabulary import field_for, is_number_field, normalise_label

_DESCRIBING_ROLES = ("list_number", "list_name", "candidate_number", "candidate_name")
_SCAN_ROWS = 40
_SCAN_COLUMNS = 8
UNIT_ROLES = ("unit_number", "unit_name")
LIST_ROLES = ("list_number", "list_name")
META_LABELS = {
    "verkiezing": "election",
    "verkiezingen": "election",
    "naam verkiezing": "election",
    "datum": "date",
    "verkiezingsdatum": "date",
    "datum verkiezing": "date",
    "gemeente": "area",
    "gebied": "area",
    "naam gemeente": "area",
    "gemeentecode": "number",
    "gemeentenummer": "number",
    "cbs code": "number",
    "cbs gemeentecode": "number",
}
_SB_NUMBER = re.compile(r"(?:^|::|\b)(?:SB|stembureau|bureau|nr\.?)\s*(\d+)\b", re.I)
TOTAL_LABELS = {
    "totaal",
    "totalen",
    "totaal gemeente",
    "gemeente totaal",
    "gemeentetotaal",
    "gemeente",
    "total",
    "totals",
    "som",
    "totaal generaal",
    "generaal totaal",
    "eindtotaal",
}
#: A label whose first word is one of these, or that contains one as a word, is a total
#: (``Totaal gemeente Lindehoven``, ``Totaal stembureaus``, ``Som van de stembureaus``).
_TOTAL_WORDS = frozenset(
    ("totaal", "totalen", "total", "totals", "som", "generaal", "eindtotaal", "gemeentetotaal")
)
#: ... and one with one of these is a subtotal: neither a unit nor the total (left over).
_SUBTOTAL_WORDS = frozenset(
    ("subtotaal", "subtotalen", "subtotal", "subtotals", "tussentotaal", "deeltotaal")
)


def _maybe_total(text: str) -> bool:
    """False when ``text`` cannot be a total label (every one contains 'tot', 'som', 'gen' or
    'gemeente', and folding ASCII text only lowercases it and turns punctuation into spaces)."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return "tot" in lowered or "som" in lowered or "gen" in lowered or "gemeente" in lowered


def total_kind(text: str) -> str | None:
    """``"total"`` for a label of a total row or column, ``"subtotal"`` for a subtotal's,
    else None. A total label is one of :data:`TOTAL_LABELS` (``Gemeente`` alone included),
    or a label with a total word (``Totalen``, ``Totaal gemeente Lindehoven``)."""
    if not text or not _maybe_total(text):
        return None
    label = normalise_label(text)
    if not label:
        return None
    words = label.split()
    if any(word in _SUBTOTAL_WORDS for word in words):
        return "subtotal"
    if label in TOTAL_LABELS or any(word in _TOTAL_WORDS for word in words):
        return "total"
    return None


#: A number written with decimals (``50,0``, ``60.5``; not ``1.234``, Dutch thousands) or
#: as a percentage (``50%``, ``50,5 %``).
_DECIMAL = re.compile(
    r"^\d+(?:(?:,(?P<comma>\d+)|\.(?P<dot>\d{1,2}|\d{4,}))\s*(?P<pct>%)?|\s*(?P<only>%))$"
)


@dataclass
class Plan:
    family: str
    sheets: list[Sheet]
    header_row: int | None = None
    label_column: int | None = None
    evidence: list[str] = field(default_factory=list)


class Labels:
    """The vocabulary plus a mapping's own labels."""

    def __init__(self, mapping: Mapping | None) -> None:
        self.extra = mapping.labels if mapping else {}

    def __call__(self, value: object) -> str | None:
        return field_for(value, self.extra)


def _row_signal(sheet: Sheet, r: int, labels: Labels) -> tuple[str | None, list[str]]:
    roles = [labels(sheet.text(r, c)) for c in range(sheet.width)]
    units = sum(role in UNIT_ROLES for role in roles)
    lists = sum(role in LIST_ROLES for role in roles)
    votes = roles.count("votes")
    stats = sum(is_number_field(role) for role in roles)
    others = sum(
        1
        for c, role in enumerate(roles)
        if role is None and sheet.text(r, c) and not looks_numeric(sheet.cell(r, c))
    )
    if lists and "candidate_number" in roles and "total" in roles and _total_first(sheet, r, roles):
        return "osv4-3", [f"{sheet.row_where(r)}: osv4-3 header (Lijstnummer ... Totaal)"]
    if units and lists and votes:
        return "c", [f"{sheet.row_where(r)}: station, list and votes columns"]
    if units and (stats or others >= 2) and not votes:
        return "a", [
            f"{sheet.row_where(r)}: a station column with {stats} statistic and {others} other "
            "column headers"
        ]
    return None, []


def _total_first(sheet: Sheet, r: int, roles: list[str | None]) -> bool:
    """The osv4-3 header has its 'Totaal' before the stations; a table whose total column
    comes after them is family b with candidate rows."""
    total = roles.index("total")
    return not any(role is None and sheet.text(r, c) for c, role in enumerate(roles[:total]))


def _column_signal(sheet: Sheet, c: int, labels: Labels) -> tuple[str | None, list[str]]:
    stat_rows = [
        r for r in range(min(len(sheet.rows), 400)) if is_number_field(labels(sheet.text(r, c)))
    ]
    if len(stat_rows) < 3:
        return None, []
    value_columns = set()
    for r in stat_rows:
        for c2 in range(c + 1, sheet.width):
            if looks_numeric(sheet.cell(r, c2)):
                value_columns.add(c2)
    where = f"column {c + 1}" if sheet.is_text else f"sheet {sheet.name!r}, column {c + 1}"
    if len(value_columns) == 1:
        return "d", [f"{where}: {len(stat_rows)} statistic labels with one value column"]
    if len(value_columns) >= 2:
        return "b", [
            f"{where}: {len(stat_rows)} statistic labels, {len(value_columns)} value columns"
        ]
    return None, []


def analyse_sheet(sheet: Sheet, labels: Labels) -> Plan | None:
    rows: list[tuple[str, int, list[str]]] = []
    for r in range(min(len(sheet.rows), _SCAN_ROWS)):
        family, evidence = _row_signal(sheet, r, labels)
        if family:
            rows.append((family, r, evidence))
            break
    columns: list[tuple[str, int, list[str]]] = []
    for c in range(min(sheet.width, _SCAN_COLUMNS)):
        family, evidence = _column_signal(sheet, c, labels)
        if family:
            columns.append((family, c, evidence))
            break
    if rows and rows[0][0] == "osv4-3":
        return Plan("osv4-3", [sheet], rows[0][1], None, rows[0][2])
    if rows and columns and rows[0][0] == "a":
        raise AmbiguousLayout(
            f"The table fits two layouts: {rows[0][2][0]} (stations as rows) and "
            f'{columns[0][2][0]} (stations as columns). Upload a mapping with family = "a" or '
            '"b" (POST /mappings/suggest drafts one).',
            location=sheet.location(rows[0][1], 0),
            families=["a", columns[0][0]],
        )
    if rows:
        return Plan(rows[0][0], [sheet], rows[0][1], None, rows[0][2])
    if columns:
        return Plan(columns[0][0], [sheet], None, columns[0][1], columns[0][2])
    return None


def plan_workbook(
    sheets: list[Sheet],
    mapping: Mapping | None,
    sheet_option: str | None,
    note: Callable[[str, str, dict[str, Any] | None], None] | None = None,
) -> Plan:
    labels = Labels(mapping)
    wanted = sheet_option or (mapping.sheet if mapping else None)
    if wanted is not None:
        chosen = [s for s in sheets if s.name == wanted]
        if not chosen:
            names = ", ".join(repr(s.name) for s in sheets)
            raise NoHeader(f"There is no sheet {wanted!r}; the sheets are {names}.")
        sheets = chosen
        if note is not None and chosen[0].hidden:
            note(
                "hidden-sheet",
                f"Sheet {wanted!r} is hidden; it is read because sheet= names it.",
                {"sheet": wanted},
            )
    else:
        # Hidden sheets (old versions, helper tables) are not part of the count unless named.
        for sheet in sheets:
            if sheet.hidden and note is not None:
                note(
                    "hidden-sheet",
                    f"Sheet {sheet.name!r} is hidden; it is left out (name it with "
                    "sheet= to read it).",
                    {"sheet": sheet.name},
                )
        sheets = [sheet for sheet in sheets if not sheet.hidden] or sheets[:0]
    if mapping and mapping.family:
        header = _index_of_row(sheets[0], mapping.header_row) if mapping.header_row else None
        plan = Plan(
            mapping.family,
            sheets,
            header,
            mapping.label_column,
            [f"family {mapping.family} from mapping {mapping.id}"],
        )
        if plan.family in ("a", "c", "osv4-3") and plan.header_row is None:
            probe = analyse_sheet(sheets[0], labels)
            plan.header_row = probe.header_row if probe else None
        if plan.family in ("b", "d") and plan.label_column is None:
            probe = analyse_sheet(sheets[0], labels)
            plan.label_column = probe.label_column if probe else None
        if plan.family != "d":
            plan.sheets = sheets[:1]
        return plan
    plans = [(s, analyse_sheet(s, labels)) for s in sheets]
    found = [p for _s, p in plans if p is not None]
    if not found:
        first = sheets[0] if sheets else None
        raise NoHeader(
            "No header row or label column the vocabulary knows was found"
            + (
                f" (looked at the first {_SCAN_ROWS} rows of {len(sheets)} sheet(s))"
                if sheets
                else ""
            )
            + ". Expected labels such as 'Stembureau', 'opgeroepenen', 'blanco', 'Lijstnummer'. "
            "Upload a mapping (POST /mappings/suggest drafts one from this file).",
            location=first.location(0, 0) if first and first.rows else None,
        )
    families = {p.family for p in found}
    if families == {"d"}:
        return Plan(
            "d",
            [p.sheets[0] for p in found],
            None,
            found[0].label_column,
            [f"{len(found)} sheet(s) laid out like the paper form"],
        )
    if len(found) > 1:
        names = ", ".join(f"{p.sheets[0].name!r} ({p.family})" for p in found)
        raise AmbiguousLayout(
            f"Several sheets hold a count: {names}. Choose one with sheet=NAME.",
            sheets=[p.sheets[0].name for p in found],
        )
    return found[0]


def _index_of_row(sheet: Sheet, number: int) -> int:
    for index, row_number in enumerate(sheet.row_numbers):
        if row_number >= number:
            return index
    raise NoHeader(f"The mapping's header_row {number} is past the end of the table.")


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


def unit_number_from(text: str) -> int | None:
    """A polling-station number from ``12``, ``SB12``, ``Stembureau 12``; None for anything
    else, and for more than 15 digits (no station has such a number; JSON could not carry it)."""
    if text.isdigit():
        return int(text) if len(text) < 16 else None
    match = _SB_NUMBER.search(text)
    return int(match.group(1)) if match and len(match.group(1)) < 16 else None


class FamilyReader:
    def __init__(self, builder: DocBuilder, resolver: ListResolver, labels: Labels) -> None:
        self.builder = builder
        self.context = builder.context
        self.resolver = resolver
        self.labels = labels
        self._noted_lists: set[str] = set()

    # --- helpers ----------------------------------------------------------------

    def resolve_list(self, sheet: Sheet, r: int, c: int) -> str:
        text = sheet.text(r, c)
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
    ) -> _Values:
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
        if number is None and name:
            number = unit_number_from(name)
        postal = cell_text(row, postal_col) if postal_col is not None else None
        info = UnitInfo(number, name or None, postal or None, where=(sheet, r, name_col or 0))
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

    @staticmethod
    def _numeric_column(sheet: Sheet, header: int, c: int) -> bool:
        """Most filled cells below the header are numbers (a stray text cell is then an error
        of that cell, not a reason to drop the column)."""
        filled = numeric = 0
        for r in range(header + 1, min(len(sheet.rows), header + 400)):
            value = sheet.cell(r, c)
            if value is None:
                continue
            filled += 1
            numeric += looks_numeric(value)
        return filled > 0 and numeric * 2 >= filled

    @staticmethod
    def _fraction_column(sheet: Sheet, header: int, c: int) -> bool:
        """Every filled cell below the header is written as a decimal (``50,0``, ``60.5``,
        ``0.505``) or a percentage (``50%``), and at least one is not whole: a turnout or
        share column, not votes. (A count column with one stray ``12,5`` stays a count
        column: that cell is then a 422 of its own.)"""
        filled = 0
        whole = True
        for r in range(header + 1, min(len(sheet.rows), header + 400)):
            value = sheet.cell(r, c)
            if value is None or value == "":
                continue
            filled += 1
            if isinstance(value, bool):
                return False
            if isinstance(value, float):
                whole = whole and value.is_integer()
                continue
            if isinstance(value, int):
                return False
            text = str(value).strip()
            match = _DECIMAL.match(text)
            if match is None:
                return False  # a plain count (or text): not a fraction column
            decimals = match.group("comma") or match.group("dot") or ""
            if match.group("pct") or match.group("only") or decimals.strip("0"):
                whole = False
        return filled > 0 and not whole

    # --- family a -----------------------------------------------------------------

    def read_a(self, sheet: Sheet, header: int) -> None:
        roles: dict[int, str] = {}
        list_columns: dict[int, str] = {}
        for c in range(sheet.width):
            label = sheet.text(header, c)
            if not label:
                continue
            role = self.labels(label)
            if role is not None:
                roles[c] = role
            elif self._fraction_column(sheet, header, c):
                self.context.note(
                    "column-not-used",
                    f"{sheet.where(header, c)}: column {label!r} holds fractions or "
                    "percentages, not counts; it is not a list, and its numbers are counted as "
                    "left over.",
                    sheet.location(header, c),
                )
            elif self._numeric_column(sheet, header, c):
                list_id = self.resolve_list(sheet, header, c)
                self._refuse_second_column(sheet, header, c, list_id, list_columns)
                list_columns[c] = list_id
            else:
                self.context.note(
                    "text-column",
                    f"{sheet.where(header, c)}: column {label!r} holds text, not counts; it is "
                    "not used.",
                    sheet.location(header, c),
                )
        self.apply_meta(scan_metadata(sheet, range(header), self.builder))
        number_col = next((c for c, x in roles.items() if x == "unit_number"), None)
        name_col = next((c for c, x in roles.items() if x == "unit_name"), None)
        postal_col = next((c for c, x in roles.items() if x == "postal_code"), None)
        for c, role in roles.items():
            if role in ("total", "ignore", "votes") or role in LIST_ROLES:
                self.context.note(
                    "column-not-used",
                    f"{sheet.where(header, c)}: column {sheet.text(header, c)!r} ({role}) is not "
                    "copied; its numbers are counted as left over.",
                    sheet.location(header, c),
                )
        check_columns = [c for c in (*list_columns, *roles) if roles.get(c) not in UNIT_ROLES]
        stat_items = [(c, role) for c, role in roles.items() if is_number_field(role)]
        list_ids = list(list_columns.values())
        list_cols = list(list_columns)
        picker = RowPicker([c for c, _role in stat_items] + list_cols)
        layout = RowLayout(stat_items, list_ids, list_cols)
        key_columns = [c for c in (number_col, name_col) if c is not None]
        first_columns = range(min(3, sheet.width))
        builder = self.builder
        for r in range(header + 1, len(sheet.rows)):
            row = sheet.rows[r]
            keys = [cell_text(row, c) for c in key_columns]
            first_text = ""
            for c in first_columns:
                first_text = cell_text(row, c)
                if first_text:
                    break
            kind = self.total_of(*keys, first_text)
            if kind == "subtotal":
                if any(looks_numeric(sheet.cell(r, c)) for c in check_columns):
                    label = next(t for t in (*keys, first_text) if total_kind(t) == "subtotal")
                    self.note_subtotal(sheet, r, key_columns[0] if key_columns else 0, label)
                continue
            # Fast path: every statistic and list cell of the row empty or a plain count.
            fast = builder.fast_counts(sheet, r, picker)
            if fast is None or fast.count(None) == len(fast):
                row_has_numbers = any(looks_numeric(sheet.cell(r, c)) for c in check_columns)
                if not row_has_numbers:
                    continue
            if kind == "total":
                values = builder.total_values(f"the total row at {sheet.row_where(r)}")
            else:
                values = self.unit_values(sheet, r, number_col, name_col, postal_col)
            if fast is not None:
                builder.put_row(values, layout, fast, sheet, r)
                continue
            for c, role in roles.items():
                if is_number_field(role):
                    builder.set_number(values, role, sheet, r, c)
            for c, list_id in list_columns.items():
                builder.set_list(values, list_id, sheet, r, c)

    def _refuse_second_column(
        self, sheet: Sheet, header: int, c: int, list_id: str, list_columns: dict[int, str]
    ) -> None:
        """Two columns of one list (``VVD ... VVD``, or ``GL`` and ``GROENLINKS``): which
        column holds its votes cannot be told, so neither is guessed."""
        first = next((c0 for c0, known in list_columns.items() if known == list_id), None)
        if first is None:
            return
        name = self.builder.affiliations[list_id].name
        raise DuplicateValue(
            f"{sheet.where(header, c)}: the columns {sheet.text(header, first)!r} "
            f"({sheet.where(header, first)}) and {sheet.text(header, c)!r} "
            f"({sheet.where(header, c)}) are both list {list_id}"
            f"{f' ({name})' if name else ''}, so every station's votes for that list are stated "
            "twice. Remove or rename one of the columns (or correct the mapping's [lists]) and "
            "send the file again.",
            location=sheet.location(header, c),
            first=sheet.location(header, first),
            list_id=list_id,
        )

    # --- family b -----------------------------------------------------------------

    def read_b(self, sheet: Sheet, label_col: int) -> None:
        stat_rows = [
            r
            for r in range(len(sheet.rows))
            if is_number_field(self.labels(sheet.text(r, label_col)))
        ]
        if not stat_rows:
            raise NoHeader(
                f"No statistic labels in column {label_col + 1} of {sheet.row_where(0)}."
            )
        header = next(
            (
                r
                for r in range(stat_rows[0] - 1, -1, -1)
                if any(sheet.text(r, c) for c in range(label_col + 1, sheet.width))
                and self.labels(sheet.text(r, label_col)) not in ("unit_number", "postal_code")
            ),
            None,
        )
        if header is None:
            raise NoHeader(
                f"No header row with station names above {sheet.row_where(stat_rows[0])}.",
                location=sheet.location(stat_rows[0], label_col),
            )
        station_cols: list[int] = []
        total_col: int | None = None
        described: dict[str, int] = {}  # list/candidate number and name columns by header
        mapped = set(self.columns.values())
        for c in range(label_col + 1, sheet.width):
            label = sheet.text(header, c)
            if not label or c in mapped:
                continue
            role = self.labels(label)
            kind = "total" if role == "total" else self.total_of(label)
            if kind == "subtotal":
                self.note_subtotal(sheet, header, c, label)
            elif kind == "total":
                total_col = c
            elif role == "ignore":
                continue
            elif role in _DESCRIBING_ROLES and not station_cols:
                described.setdefault(role, c)  # 'Volgnummer', 'Kandidaat' before the stations
            else:
                station_cols.append(c)
        meta = scan_metadata(sheet, range(header), self.builder)
        numbers: dict[int, int | None] = {}
        postcodes: dict[int, str] = {}
        data_rows = []
        for r in range(header + 1, len(sheet.rows)):
            role = self.labels(sheet.text(r, label_col))
            if role == "unit_number":
                for c in station_cols:
                    numbers[c] = self.builder.count(sheet, r, c, "polling-station number")
            elif role == "postal_code":
                for c in station_cols:
                    postcodes[c] = sheet.text(r, c)
            else:
                data_rows.append(r)
        units: dict[int, _Values] = {}
        for c in station_cols:
            name = sheet.text(header, c)
            number = numbers.get(c)
            if number is None:
                number = unit_number_from(name)
            info = UnitInfo(number, name, postcodes.get(c), where=(sheet, header, c))
            units[c] = self.builder.add_unit(info)
        total = self.builder.total_values("the total column") if total_col is not None else None
        targets = [
            *units.items(),
            *([(total_col, total)] if total is not None and total_col is not None else []),
        ]
        described.update(self.columns)  # the mapping's [layout] *_column keys win
        list_col, cand_col = self._number_columns(sheet, label_col, data_rows, targets, described)
        cand_name_col = described.get("candidate_name", label_col)
        current_list: str | None = None
        picker = RowPicker([c for c, _v in targets])
        target_values = [values for _c, values in targets]
        builder = self.builder
        for r in data_rows:
            if (
                cand_col is not None
                and looks_numeric(sheet.cell(r, cand_col))
                and not (list_col is not None and sheet.text(r, list_col))
            ):
                self._candidate_row(sheet, r, cand_col, cand_name_col, current_list, targets)
                continue
            label = sheet.text(r, label_col)
            if not label:
                continue
            role = self.labels(label)
            if is_number_field(role):
                assert role is not None
                fast = builder.fast_counts(sheet, r, picker)
                if fast is not None:
                    for (c, values), number in zip(targets, fast, strict=True):
                        if number is not None:
                            builder.put_number(values, role, number, sheet, r, c)
                    continue
                for c, values in targets:
                    builder.set_number(values, role, sheet, r, c)
                continue
            if role is not None or self.is_total(label):
                continue  # a totals row or a known non-count label: its cells are left over
            if not any(looks_numeric(sheet.cell(r, c)) for c, _v in targets):
                continue
            if list_col is not None and looks_numeric(sheet.cell(r, list_col)):
                list_id = self.list_number(sheet, r, list_col, label)
            else:
                list_id = self.resolve_list(sheet, r, label_col)
            current_list = list_id
            fast = builder.fast_counts(sheet, r, picker)
            if fast is not None:
                builder.put_list_over(target_values, list_id, fast, sheet, r, picker.columns)
                continue
            for c, values in targets:
                builder.set_list(values, list_id, sheet, r, c)
        self.apply_meta(meta)

    def _number_columns(
        self,
        sheet: Sheet,
        label_col: int,
        data_rows: list[int],
        targets: list[tuple[int, _Values]],
        described: dict[str, int],
    ) -> tuple[int | None, int | None]:
        """(list-number column, candidate-number column) of a family-b table.

        Columns headed as such win. Otherwise the list number is the number left of the
        label; with two number columns left of it (``Lijst | Volgnr | Naam``, as osv4-3 lays
        out lists and candidates) that are never both filled on a row, the one filled first
        (on the first list row) holds list numbers and the other candidates' positions.
        """
        if "list_number" in described or "candidate_number" in described:
            return described.get("list_number", label_col - 1 if label_col > 0 else None), (
                described.get("candidate_number")
            )
        if label_col < 2:
            return (label_col - 1 if label_col > 0 else None), None
        outer, inner = label_col - 2, label_col - 1
        first: dict[int, int] = {}
        for r in data_rows:
            label = sheet.text(r, label_col)
            if label and (self.labels(label) is not None or self.is_total(label)):
                continue  # statistics and totals: only list and candidate rows tell
            filled = [c for c in (outer, inner) if looks_numeric(sheet.cell(r, c))]
            if len(filled) == 2:
                return inner, None  # both on one row: not a list/candidate pair
            if filled and any(looks_numeric(sheet.cell(r, c)) for c, _v in targets):
                first.setdefault(filled[0], r)
        if len(first) < 2:
            return inner, None
        list_col = min(first, key=first.__getitem__)
        return list_col, (inner if list_col == outer else outer)

    def _candidate_row(
        self,
        sheet: Sheet,
        r: int,
        cand_col: int,
        name_col: int,
        current_list: str | None,
        targets: list[tuple[int, _Values]],
    ) -> None:
        """A row with a candidate's position (and name) under its list's row."""
        if current_list is None:
            self.context.note(
                "candidate-before-list",
                f"{sheet.row_where(r)}: a candidate row before any list row is skipped.",
                sheet.location(r, cand_col),
            )
            return
        candidate_id = self.builder.position(sheet, r, cand_col, "candidate number")
        name = sheet.text(r, name_col)
        self.builder.affiliations[current_list].candidates[candidate_id] = name or None
        for c, values in targets:
            self.builder.set_candidate(values, current_list, candidate_id, (sheet, r, c))

    # --- family c -----------------------------------------------------------------

    def read_c(self, sheet: Sheet, header: int) -> None:
        roles: dict[str, int] = {}
        for c in range(sheet.width):
            role = self.labels(sheet.text(header, c))
            if role and role not in roles:
                roles[role] = c
        if "votes" not in roles or not ({"list_name", "list_number"} & set(roles)):
            missing = (
                "a votes column (Stemmen/Aantal)"
                if "votes" not in roles
                else "a list column (Partij/Lijstnummer)"
            )
            raise NoHeader(
                f"{sheet.row_where(header)}: family c needs {missing}, and this header row has "
                "none. Set [labels] in the mapping to say which header is which (or check "
                "[layout] header_row), and send the file again.",
                location=sheet.location(header, 0),
            )
        votes = roles["votes"]
        units: dict[tuple[str, str], _Values] = {}
        meta = scan_metadata(sheet, range(header), self.builder)
        for r in range(header + 1, len(sheet.rows)):
            if sheet.cell(r, votes) is None:
                continue
            key = (
                sheet.text(r, roles["unit_number"]) if "unit_number" in roles else "",
                sheet.text(r, roles["unit_name"]) if "unit_name" in roles else "",
            )
            kind = self.total_of(*key)
            if kind == "subtotal":
                self.note_subtotal(sheet, r, roles.get("unit_name", votes), key[1] or key[0])
                continue
            if kind == "total":
                values = self.builder.total_values(f"rows named {key[0] or key[1]!r}")
            elif key in units:
                values = units[key]
            else:
                values = units[key] = self.unit_values(
                    sheet,
                    r,
                    roles.get("unit_number"),
                    roles.get("unit_name"),
                    roles.get("postal_code"),
                )
            list_name = sheet.text(r, roles["list_name"]) if "list_name" in roles else ""
            list_cell = roles.get("list_number")
            stat = self.labels(list_name) if list_name else None
            if list_name and (stat == "total" or self.is_total(list_name)):
                # A total (or subtotal) of the unit's lists, never a list: left over.
                self._note_total_row(sheet, r, roles["list_name"], list_name)
                continue
            if (list_cell is None or not sheet.text(r, list_cell)) and is_number_field(stat):
                assert stat is not None
                self.builder.set_number(values, stat, sheet, r, votes)
                continue
            if list_cell is not None and looks_numeric(sheet.cell(r, list_cell)):
                list_id = self.list_number(sheet, r, list_cell, list_name)
            elif list_name:
                list_id = self.resolve_list(sheet, r, roles["list_name"])
            else:
                continue
            cand_col = roles.get("candidate_number")
            if cand_col is not None and sheet.text(r, cand_col):
                candidate = self.builder.position(sheet, r, cand_col, "candidate number")
                name_col = roles.get("candidate_name")
                name = sheet.text(r, name_col) if name_col is not None else ""
                self.builder.affiliations[list_id].candidates[candidate] = name or None
                self.builder.set_candidate(values, list_id, candidate, (sheet, r, votes))
            else:
                self.builder.set_list(values, list_id, sheet, r, votes)
        self.apply_meta(meta)

    def _note_total_row(self, sheet: Sheet, r: int, c: int, label: str) -> None:
        if label not in self._noted_lists:
            self._noted_lists.add(label)
            self.context.note(
                "total-row-left-over",
                f"{sheet.where(r, c)}: {label!r} rows (a total of a unit's lists) are not "
                "copied; their numbers are left over (see cells-left-over).",
                sheet.location(r, c),
            )

    # --- family d -----------------------------------------------------------------

    def read_d(self, sheets: list[Sheet], label_col: int | None) -> None:
        for sheet in sheets:
            kind = total_kind(sheet.name or "")
            if kind == "subtotal":
                self.context.note(
                    "subtotal-left-over",
                    f"Sheet {sheet.name!r} is a subtotal, neither a polling station nor the "
                    "total; its numbers are left over (see cells-left-over).",
                    {"sheet": sheet.name},
                )
                continue
            self._read_form(sheet, label_col, total=kind == "total")

    def _read_form(self, sheet: Sheet, label_col: int | None, *, total: bool = False) -> None:
        meta = scan_metadata(sheet, range(len(sheet.rows)), self.builder)
        number: int | None = None
        name: str | None = None
        postal: str | None = None
        stats: list[tuple[str, int, int]] = []
        list_header: int | None = None
        for r in range(len(sheet.rows)):
            cells = [(c, sheet.text(r, c)) for c in range(sheet.width) if sheet.text(r, c)]
            if not cells:
                continue
            roles = [self.labels(text) for _c, text in cells]
            if any(x in LIST_ROLES for x in roles) and "votes" in roles:
                list_header = r
                break
            role = roles[0]
            value_cell = next(((c, t) for c, t in cells[1:]), None)
            if role == "unit_number" and value_cell:
                number = self.builder.count(sheet, r, value_cell[0], "polling-station number")
            elif role == "unit_name" and value_cell:
                name = value_cell[1]
                number = number if number is not None else unit_number_from(value_cell[1])
            elif role == "postal_code" and value_cell:
                postal = value_cell[1]
            elif is_number_field(role) and value_cell:
                assert role is not None
                stats.append((role, r, value_cell[0]))
        if number is None and sheet.name:
            number = unit_number_from(sheet.name) or (
                int(sheet.name) if sheet.name.strip().isdigit() else None
            )
        if total:
            # A sheet named 'Totaal' is the file's stated total, not a polling station.
            values = self.builder.total_values(f"sheet {sheet.name!r}")
        else:
            info = UnitInfo(number, name or sheet.name, postal, where=(sheet, 0, 0))
            values = self.builder.add_unit(info)
        for role, r, c in stats:
            self.builder.set_number(values, role, sheet, r, c)
        if list_header is not None:
            self._read_form_lists(sheet, list_header, values)
        self.apply_meta(meta)

    def _read_form_lists(self, sheet: Sheet, header: int, values: _Values) -> None:
        roles: dict[str, int] = {}
        for c in range(sheet.width):
            role = self.labels(sheet.text(header, c))
            if role and role not in roles:
                roles[role] = c
        votes = roles["votes"]
        current: str | None = None
        for r in range(header + 1, len(sheet.rows)):
            if sheet.cell(r, votes) is None:
                continue
            number_col = roles.get("list_number")
            name_col = roles.get("list_name")
            cand_col = roles.get("candidate_number")
            list_name = sheet.text(r, name_col) if name_col is not None else ""
            if self.is_total(list_name) or self.is_total(
                sheet.text(r, number_col) if number_col is not None else ""
            ):
                continue
            if cand_col is not None and sheet.text(r, cand_col) and current is not None:
                candidate = self.builder.position(sheet, r, cand_col, "candidate number")
                cname_col = roles.get("candidate_name")
                cname = sheet.text(r, cname_col) if cname_col is not None else ""
                self.builder.affiliations[current].candidates[candidate] = cname or None
                self.builder.set_candidate(values, current, candidate, (sheet, r, votes))
                continue
            if number_col is not None and looks_numeric(sheet.cell(r, number_col)):
                current = self.list_number(sheet, r, number_col, list_name)
            elif list_name:
                current = self.resolve_list(sheet, r, name_col or 0)
            else:
                continue
            self.builder.set_list(values, current, sheet, r, votes)

    # --- metadata ------------------------------------------------------------------

    def apply_meta(self, meta: dict[str, str]) -> None:
        self.meta.update({k: v for k, v in meta.items() if k not in self.meta})

    meta: dict[str, Any]
    #: The mapping's ``[layout] list_number_column`` etc. (0-based), family b.
    columns: dict[str, int]


def new_reader(
    builder: DocBuilder,
    resolver: ListResolver,
    labels: Labels,
    columns: dict[str, int] | None = None,
) -> FamilyReader:
    reader = FamilyReader(builder, resolver, labels)
    reader.meta = {}
    reader.columns = dict(columns or {})
    return reader
