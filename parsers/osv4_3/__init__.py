"""osv4-3: the per-municipality CSV of the counting software (OSV).

Both forms found in the wild are read by the same code: the 2017 form (Windows-1252, every cell
quoted, ``\\n`` line ends, labels with trailing spaces, extra statistic rows such as ``er zijn
stembiljetten kwijtgeraakt``) and today's (UTF-8 with BOM, empty cells unquoted, no final
newline). The layout: a preamble of ``label;;value`` lines (``Verkiezing``, ``Datum``,
``Gebied``, ``Nummer``), a header (``Lijstnummer;Aanduiding;Volgnummer;Naam kandidaat;Totaal;``
then one column per polling station), ``Gebiednummer`` and ``Postcode`` rows, statistic rows
(label in the second column), then per list a list row followed by its candidate rows.
Columns are found by their header label, never by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from telnorm.parsers.api import Detection, ParseContext, Parser, Source
from telnorm.parsers.canonical import Document
from telnorm.parsers.eml.context import CANDIDATE_LIST, ELECTION_DEFINITION, ContextDocument
from telnorm.parsers.errors import NoHeader
from telnorm.parsers.osv4_3.election import read_election_name
from telnorm.parsers.tabular.builder import (
    DocBuilder,
    RowPicker,
    UnitInfo,
    apply_candidate_list_election,
)
from telnorm.parsers.tabular.gcpause import collector_paused
from telnorm.parsers.tabular.grid import Sheet
from telnorm.parsers.tabular.numbers import looks_numeric
from telnorm.parsers.tabular.textread import delimiter_option, read_text_table
from telnorm.parsers.tabular.vocabulary import field_for, is_number_field, normalise_label
from telnorm.parsers.text import guess_encoding

__all__ = ["OSV43Parser", "read_osv_sheet"]

_PREAMBLE = {"verkiezing": "election", "datum": "date", "gebied": "area", "nummer": "number"}
_ROLES = ("list_number", "list_name", "candidate_number", "candidate_name", "total")


class OSV43Parser(Parser):
    name = "osv4-3"
    options = ("delimiter",)
    version = "1.0.0"
    title = "osv4-3 CSV of the counting software (2017 and current forms)"
    media_types = ("text/csv",)
    extensions = (".csv", ".txt")

    def detect(self, head: bytes, filename: str | None) -> Detection:
        encoding, _ = guess_encoding(head[:8192], partial=True)
        try:
            text = head[:8192].decode(encoding, "ignore")
        except LookupError:
            return Detection.no()
        lines = [normalise_label(line) for line in text.lstrip("\ufeff").splitlines()[:40]]
        evidence: list[str] = []
        confidence = 0.0
        if lines and lines[0].startswith("verkiezing"):
            evidence.append("preamble starts with 'Verkiezing'")
            confidence += 0.35
        header = "lijstnummer aanduiding volgnummer naam kandidaat"
        if any(line.startswith(header) for line in lines):
            evidence.append("header 'Lijstnummer;Aanduiding;Volgnummer;Naam kandidaat'")
            confidence += 0.55
        if any(line.startswith("gebiednummer") for line in lines):
            evidence.append("a 'Gebiednummer' row")
            confidence += 0.07
        if confidence == 0:
            return Detection.no("no osv4-3 preamble or header")
        return Detection(min(confidence, 0.97), tuple(evidence), "osv4-3-csv", "text/csv")

    def parse(self, source: Source, context: ParseContext) -> Document:
        with collector_paused():
            return self._parse(source, context)

    def _parse(self, source: Source, context: ParseContext) -> Document:
        workbook = read_text_table(
            source.read_bytes(), context.limits, delimiter=delimiter_option(context.options)
        )
        sheet = workbook.sheets[0]
        builder = DocBuilder(context, [sheet])
        level = read_osv_sheet(sheet, builder)
        _apply_context_election(builder, context)
        # names and short codes from a candidate list: the pipeline's enrich stage
        document = builder.finish(level)
        encoding = (workbook.encoding or "").replace("-sig", "") or None
        document["source"] = {
            "encoding": encoding,
            # The pipeline takes this as source.format.id (detection only says osv4-3-csv).
            "format": "osv4-3-csv" if workbook.encoding != "cp1252" else "osv4-3-csv-2017",
            "media_type": "text/csv",
            "cells": builder.cell_accounting(),
        }
        return document


def _candidate_list(context: ParseContext) -> ContextDocument | None:
    found = context.context.get(CANDIDATE_LIST)
    return found if isinstance(found, ContextDocument) else None


def _apply_context_election(builder: DocBuilder, context: ParseContext) -> None:
    """A candidate list (230b) or election definition (110a) names the election with the
    Kiesraad's own id: it wins over what the ``Verkiezing`` line says, and a contradiction
    between the two is noted (the file may belong to another election, or its name line was
    edited)."""
    from_file = dict(builder.election)
    for role in (CANDIDATE_LIST, ELECTION_DEFINITION):
        found = context.context.get(role)
        if not isinstance(found, ContextDocument):
            continue
        if role == CANDIDATE_LIST:
            apply_candidate_list_election(builder, found)
        else:
            for key, value in found.election.items():
                if value is not None and key in builder.election:
                    builder.election[key] = value
        theirs = found.election.get("id")
        ours = from_file.get("id")
        if theirs and ours and theirs != ours:
            context.note(
                "election-mismatch",
                f"The file's 'Verkiezing' line reads as election {ours} "
                f"({from_file.get('name')!r}), but the {role.replace('_', ' ')} is for "
                f"{theirs}; the {role.replace('_', ' ')}'s election is used. Check that the "
                "file belongs to this election.",
                None,
            )


def read_osv_sheet(sheet: Sheet, builder: DocBuilder) -> str:
    """Read one osv4-3 shaped table (CSV or a spreadsheet sheet laid out the same way);
    return the document's level (``municipality``, ``district`` or ``central``)."""
    context = builder.context
    header = _find_header(sheet)
    columns = _header_roles(sheet, header)
    preamble = _read_preamble(sheet, header, builder)
    area = Area.of(preamble.get("number"), preamble.get("area"))
    stations = [
        c for c in range(sheet.width) if c not in columns.values() and c > max(columns.values())
    ]
    # A trailing ';' on every line makes one more column, empty from the header down: not a
    # polling station (a column with a header or any value stays one).
    phantom = [
        c
        for c in stations
        if not sheet.text(header, c)
        and not any(sheet.text(r, c) for r in range(header + 1, len(sheet.rows)))
    ]
    if phantom:
        stations = [c for c in stations if c not in phantom]
        context.note(
            "empty-column-dropped",
            f"{sheet.row_where(header)}: {len(phantom)} column(s) after the stations have no "
            "header and no value in any row (a trailing separator); they are not polling "
            "stations: " + ", ".join(f"column {c + 1}" for c in phantom) + ".",
            sheet.location(header, phantom[0]),
        )
    if not stations:
        raise NoHeader(
            f"{sheet.row_where(header)}: the header names no polling-station columns after "
            "'Totaal'. Check that the file is a complete osv4-3 export.",
            location=sheet.location(header, 0),
        )
    c_list = columns["list_number"]
    c_name = columns.get("list_name", c_list + 1)
    c_cand = columns.get("candidate_number")
    c_cand_name = columns.get("candidate_name")
    c_total = columns.get("total")

    # Pass 1: the rows that describe the units (numbers, postcodes).
    numbers: dict[int, int | None] = {}
    codes: dict[int, str] = {}
    postcodes: dict[int, str | None] = {}
    data_rows: list[int] = []
    for r in range(header + 1, len(sheet.rows)):
        label = sheet.text(r, c_list)
        role = field_for(label) if label and not looks_numeric(sheet.cell(r, c_list)) else None
        if role == "unit_number" and area.level != "municipality":
            # CBS codes (0034) or districts (HSB5): ids, read as text so zeros stay
            for c in stations:
                codes[c] = sheet.text(r, c)
                if codes[c]:
                    builder.mark(sheet, r, c)
        elif role == "unit_number":
            for c in stations:
                numbers[c] = builder.count(sheet, r, c, "polling-station number")
        elif role == "postal_code":
            for c in stations:
                postcodes[c] = sheet.text(r, c) or None
        elif label and role is None and not looks_numeric(sheet.cell(r, c_list)):
            context.note(
                "unknown-row",
                f"{sheet.row_where(r)}: row label {label!r} is not known; the row is skipped.",
                sheet.location(r, c_list),
            )
        else:
            data_rows.append(r)
    _pad_cbs_codes(codes, sheet, builder)
    units = {}
    for c in stations:
        info = UnitInfo(
            number=numbers.get(c),
            name=sheet.text(header, c) or None,
            postal_code=postcodes.get(c),
            where=(sheet, header, c),
        )
        if area.level != "municipality":
            info.kind, info.unit_id = area.unit(codes.get(c, ""))
        elif info.name and "briefstembureau" in info.name.lower():
            info.kind = "postal"
        units[c] = builder.add_unit(info)
    if area.level != "municipality" and not any(codes.values()):
        context.note(
            "unit-numbers-missing",
            "The file has no 'Gebiednummer' row with the CBS codes of its municipalities (or "
            "the numbers of its districts); its units have no EML ids.",
            None,
        )
    elif area.level == "municipality" and not numbers:
        context.note(
            "unit-numbers-missing",
            "The file has no 'Gebiednummer' row; polling stations are numbered by column order.",
            None,
        )
        for index, (info, _values) in enumerate(builder.units):
            info.number = index + 1
    total = builder.total_values("the 'Totaal' column") if c_total is not None else None

    # Pass 2: statistics, lists, candidates. Per row, the station (and total) cells are
    # parsed at once when they are all plain counts; otherwise cell by cell, which names a
    # bad cell exactly as before.
    targets = [*units.values(), *([total] if total is not None else [])]
    value_cols = [*units, *([c_total] if total is not None and c_total is not None else [])]
    picker = RowPicker(value_cols)
    current_list: str | None = None
    for r in data_rows:
        list_cell = sheet.text(r, c_list)
        if sheet.row_is_blank(r):
            continue
        if list_cell:
            current_list = builder.position(sheet, r, c_list, "list number")
            affiliation = builder.affiliation(current_list, sheet.text(r, c_name))
            fast = builder.fast_counts(sheet, r, picker)
            if fast is not None:
                builder.put_list_over(targets, affiliation.id, fast, sheet, r, value_cols)
                continue
            for c, values in units.items():
                builder.set_list(values, affiliation.id, sheet, r, c)
            if total is not None and c_total is not None:
                builder.set_list(total, affiliation.id, sheet, r, c_total)
            continue
        if c_cand is not None and sheet.text(r, c_cand):
            if current_list is None:
                context.note(
                    "candidate-before-list",
                    f"{sheet.row_where(r)}: a candidate row before any list row is skipped.",
                    sheet.location(r, c_cand),
                )
                continue
            candidate_id = builder.position(sheet, r, c_cand, "candidate number")
            name = sheet.text(r, c_cand_name) if c_cand_name is not None else ""
            builder.affiliations[current_list].candidates[candidate_id] = name or None
            fast = builder.fast_counts(sheet, r, picker)
            if fast is not None:
                builder.put_candidates(
                    targets, current_list, candidate_id, fast, sheet, r, value_cols
                )
                continue
            for c, values in units.items():
                builder.set_candidate(values, current_list, candidate_id, (sheet, r, c))
            if total is not None and c_total is not None:
                builder.set_candidate(total, current_list, candidate_id, (sheet, r, c_total))
            continue
        label = sheet.text(r, c_name)
        key = field_for(label)
        if not is_number_field(key):
            context.note(
                "unknown-statistic",
                f"{sheet.row_where(r)}: statistic {label!r} is not in the vocabulary; its "
                "numbers are left over (see cells-left-over).",
                sheet.location(r, c_name),
            )
            continue
        assert key is not None
        fast = builder.fast_counts(sheet, r, picker)
        if fast is not None:
            for values, number, c in zip(targets, fast, value_cols, strict=True):
                if number is not None:
                    builder.put_number(values, key, number, sheet, r, c)
            continue
        for c, values in units.items():
            builder.set_number(values, key, sheet, r, c)
        if total is not None and c_total is not None:
            builder.set_number(total, key, sheet, r, c_total)

    _read_election(builder, preamble.get("election"), preamble.get("date"), area)
    builder.authority["id"] = area.authority_id
    builder.authority["name"] = area.name
    if area.contest_id is not None:
        builder.contest.update(id=area.contest_id, name=area.name)
    return area.level


@dataclass(frozen=True)
class Area:
    """Whose count the file is, from ``Nummer`` and ``Gebied``.

    A municipality (``0668``, ``Gemeente West Maas en Waal``) counts its polling stations; a
    district office (hoofdstembureau, ``HSB5``, ``Kieskring Lelystad``) writes one column per
    municipality, with CBS codes in ``Gebiednummer``; a central office (``CSB``) one per
    municipality (a provincial or water-board election without districts) or per district.
    """

    level: str
    authority_id: str | None
    name: str | None
    contest_id: str | None = None

    @classmethod
    def of(cls, number: str | None, gebied: str | None) -> Area:
        number = (number or "").strip() or None
        name = _without_prefix(gebied)
        district = re.fullmatch(r"HSB(\d+)", number or "", re.IGNORECASE)
        if district:
            return cls("district", number.upper() if number else None, name, district.group(1))
        kieskring = (gebied or "").strip().lower().startswith("kieskring ")
        if (number or "").upper() == "CSB" or (kieskring and number is None):
            level = "district" if kieskring else "central"
            return cls(level, number, name)
        return cls("municipality", number, name)

    def unit(self, code: str) -> tuple[str, str | None]:
        """(kind, EML id) of a column with this ``Gebiednummer``: as the 510c/510d name
        them (``HSB5::0034`` in a district's count, ``0034`` or ``HSB5`` in a central one)."""
        code = code.strip()
        if re.fullmatch(r"HSB\d+", code, re.IGNORECASE):
            return "district", code.upper()
        if not code:
            return "municipality", None
        if self.level == "district" and self.authority_id:
            return "municipality", f"{self.authority_id}::{code}"
        return "municipality", code


def _pad_cbs_codes(codes: dict[int, str], sheet: Sheet, builder: DocBuilder) -> None:
    """CBS codes are four digits (``0034``); a spreadsheet program that took them for
    numbers wrote ``34``. Padded back, and noted, so the ids equal the EML's."""
    short = [c for c, code in codes.items() if code.isascii() and code.isdigit() and len(code) < 4]
    for c in short:
        codes[c] = codes[c].zfill(4)
    if short:
        builder.context.note(
            "cbs-code-padded",
            f"{len(short)} municipality code(s) in 'Gebiednummer' have fewer than four digits "
            "(the leading zeros were lost, as when the file was saved from a spreadsheet); "
            "they are read as four-digit CBS codes: "
            + ", ".join(codes[c] for c in short[:12])
            + ".",
            None,
        )


#: What ``Gebied`` puts before the name of the authority whose count it is.
_AREA_PREFIX = re.compile(
    r"^(?:gemeente|kieskring|provincie|waterschap|hoogheemraadschap|openbaar lichaam)\s+", re.I
)


def _without_prefix(gebied: str | None) -> str | None:
    if not gebied:
        return None
    return _AREA_PREFIX.sub("", gebied.strip()).strip() or None


def _read_election(builder: DocBuilder, name: str | None, date: str | None, area: Area) -> None:
    """Election fields from the ``Verkiezing`` and ``Datum`` lines (never from ``Gebied``)."""
    election = builder.election
    election["name"] = name
    election["date"] = _iso_date(date)
    if not name:
        return
    found = read_election_name(name, election["date"])
    election["category"] = found.category
    election["id"] = found.id
    if found.category in ("TK", "EK", "EP"):
        election["subcategory"] = found.category
    if found.domain:
        # A municipal council's domain is the municipality: its CBS code is the file's own
        # Nummer when the file is that municipality's count.
        same = found.category == "GR" and area.level == "municipality" and area.name
        domain_id = area.authority_id if same and area.name == found.domain else None
        election["domain"] = {"id": domain_id, "name": found.domain}
        if found.category in ("PS", "AB") and builder.contest.get("name") is None:
            builder.contest["name"] = found.domain
    builder.context.note(
        "election-inferred",
        f"Election id {found.id!r} and category {found.category!r} are read from the name "
        f"{name!r}; supply the candidate list to take them from the Kiesraad's file.",
        None,
    )


def _iso_date(date: str | None) -> str | None:
    if not date:
        return None
    date = date.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return date
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", date)
    if match:
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return None


def _find_header(sheet: Sheet) -> int:
    for r in range(min(len(sheet.rows), 200)):
        if field_for(sheet.text(r, 0)) == "list_number" and sheet.text(r, 1):
            return r
        labels = [normalise_label(sheet.text(r, c)) for c in range(min(8, sheet.width))]
        if "volgnummer" in labels and any(field_for(x) == "list_number" for x in labels[:3]):
            return r
    raise NoHeader(
        "No 'Lijstnummer' header row in the first 200 rows: this is not an osv4-3 table. Check "
        "the file, or send it without format=osv4-3 so the generic tabular reader tries it.",
        location=sheet.location(0, 0) if sheet.rows else None,
    )


def _header_roles(sheet: Sheet, header: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for c in range(sheet.width):
        role = field_for(sheet.text(header, c))
        if role in _ROLES and role not in columns:
            columns[role] = c
        if role == "total":
            break
    if "list_number" not in columns:
        raise NoHeader(
            f"{sheet.row_where(header)} has no 'Lijstnummer' column.",
            location=sheet.location(header, 0),
        )
    return columns


def _read_preamble(sheet: Sheet, header: int, builder: DocBuilder) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for r in range(header):
        label = normalise_label(sheet.text(r, 0))
        key = _PREAMBLE.get(label)
        values = [(c, sheet.text(r, c)) for c in range(1, sheet.width) if sheet.text(r, c)]
        if key is None:
            if label or values:
                builder.context.note(
                    "unknown-preamble",
                    f"{sheet.row_where(r)}: preamble line {label!r} is not known; skipped.",
                    sheet.location(r, 0),
                )
            continue
        if values:
            c, value = values[0]
            found[key] = value
            if key == "number":
                builder.mark(sheet, r, c)
    return found
