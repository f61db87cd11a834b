"""The databank's import CSV (verkiezingsuitslagen.nl, "zoals geïmporteerd") as input.

One row per region and value: ``Regio;RegioCode;OuderRegioCode;GrootOuderRegioCode;Partij;
LijstNummer;LijstNaam;KandidaatNummer;...;VeldType;Waarde`` (see
:mod:`telnorm.service.export.databank` for the format). A file holds one election, at any
of its levels; it is read as the document of its top region:

* one municipality (``G``/``O`` rows only): a municipal document with that region's totals
  (list totals, statistics; no polling stations: the databank has none);
* a district (``K``) with its municipalities: a district document, units the municipalities;
* a whole election (``L`` or ``P`` rows, or several districts): a central document whose units
  are the municipalities, so that the file serves as the reference of ``telnorm reconcile``
  and of the validator's reconciliation (its ``G`` rows are the municipal totals).

Every number is a count by the one rule (:mod:`telnorm.parsers.counts`); a value stated
twice for one region is a 422 ``duplicate-value``, never last-one-wins. ``Opkomst`` is kept
as the ballots (``votes_cast``); validation checks it against valid + blank + invalid.

No number is dropped silently. The real files' README names nine VeldTypes: the five
statistics, ``LijstAantalStemmen`` and ``KandidaatAantalStemmen`` are read;
``LijstAantalZetels`` and ``KandidaatGekozen`` (the result: seats and elected candidates,
at country level in the TK files) have no place in a count and are named in one note each,
with how many rows were left out. Any other VeldType (an Eerste Kamer file's
``LijstAantalGewogenStemmen``, weighted votes that are not a count of ballots) makes the
file a 422 ``unread-cells`` naming the rows, since a document without them would be
incomplete.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from telnorm.parsers.api import Detection, Limits, ParseContext, Parser, Source
from telnorm.parsers.canonical import FORMAT_VERSION, Document
from telnorm.parsers.conventions import id_sort_key
from telnorm.parsers.counts import CountError, parse_count
from telnorm.parsers.csvlines import located_rows
from telnorm.parsers.databank.geography import kieskring
from telnorm.parsers.databank.sums import check_sums, report
from telnorm.parsers.errors import (
    DuplicateValue,
    InvalidCount,
    LimitExceeded,
    NoHeader,
    StructureError,
    TelnormError,
    UnreadCells,
)
from telnorm.parsers.text import decode

HEADER = (
    "Regio",
    "RegioCode",
    "OuderRegioCode",
    "GrootOuderRegioCode",
    "Partij",
    "LijstNummer",
    "LijstNaam",
    "KandidaatNummer",
    "KandidaatInitialen",
    "KandidaatVoornaam",
    "KandidaatTussenvoegsel",
    "KandidaatAchternaam",
    "KandidaatWoonplaats",
    "KandidaatGeslacht",
    "VeldType",
    "Waarde",
)
#: Statistics: VeldType -> where the canonical group keeps it.
STATISTICS = {
    "Kiesgerechtigden": ("cast", None),
    "Opkomst": ("votes_cast", None),
    "AantalGeldigeStemmen": ("total_counted", None),
    "AantalBlancoStemmen": ("rejected_votes", "blanco"),
    "AantalOngeldigeStemmen": ("rejected_votes", "ongeldig"),
}
#: The result of the election, not the count: kept out of the document, noted.
RESULT_FIELDS = ("LijstAantalZetels", "KandidaatGekozen")
#: VeldTypes read into the document.
COUNT_FIELDS = (*STATISTICS, "LijstAantalStemmen", "KandidaatAantalStemmen")
#: An unread row the 422 names in full (the rest are counted).
SHOWN_UNREAD = 20


@dataclass
class _Region:
    code: str
    name: str
    parent: str
    grandparent: str
    group: dict[str, Any] = field(default_factory=dict)
    lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: (VeldType, list, candidate) -> the line that stated it: a second one is refused.
    seen: dict[tuple[str, str, str], int] = field(default_factory=dict)
    #: (VeldType, list or "") -> (value, line): the statistics and list totals, which the
    #: higher regions' are checked against (:mod:`telnorm.parsers.databank.sums`).
    totals: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    #: KandidaatAantalStemmen rows stated for this region.
    candidate_rows: int = 0
    #: (list, candidate) -> the name cells of the first row that stated it.
    candidate_names: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    #: List -> the lines of two different candidates stated under one number (see _once).
    clashes: dict[str, list[tuple[int, int, str, str]]] = field(default_factory=dict)


def _first_key(item: tuple[str, Any]) -> tuple[int, int, str]:
    return id_sort_key(item[0])


def _group_of(region: _Region) -> dict[str, Any]:
    group: dict[str, Any] = {
        "cast": None,
        "total_counted": None,
        "rejected_votes": {},
        "uncounted_votes": {},
    }
    group.update(region.group)
    group["selections"] = [
        {
            "affiliation_id": number,
            "valid_votes": entry.get("votes"),
            "candidates": [
                {"candidate_id": cid, "valid_votes": votes}
                for cid, votes in sorted(entry["candidates"].items(), key=_first_key)
            ],
        }
        for number, entry in sorted(region.lists.items(), key=_first_key)
    ]
    return group


class DatabankParser(Parser):
    name = "databank"
    version = "1.0.0"
    title = "Import CSV of the results databank (verkiezingsuitslagen.nl)"
    media_types = ("text/csv",)
    extensions = (".csv",)

    def detect(self, head: bytes, filename: str | None) -> Detection:
        first = (
            head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip(b"\r").decode("utf-8", "ignore")
        )
        cells = tuple(cell.strip() for cell in first.split(";"))
        if cells[: len(HEADER)] == HEADER:
            return Detection(
                0.97,
                ("databank import header (Regio;RegioCode;...;VeldType;Waarde)",),
                "databank-csv",
                "text/csv",
            )
        return Detection.no()

    def parse(self, source: Source, context: ParseContext) -> Document:
        text = decode(source.read_bytes()).text.lstrip("\ufeff")
        # newline="": the csv module itself ends rows at \n, \r\n or \r, in or out of quotes
        lines = _lines(csv.reader(io.StringIO(text, newline=""), delimiter=";"), context.limits)
        header = tuple(cell.strip() for cell in next(lines, (1, []))[1])
        if header[: len(HEADER)] != HEADER:
            raise NoHeader(
                "The first line is not the databank header (Regio;RegioCode;...;Waarde).",
                location={"line": 1},
            )
        regions: dict[str, _Region] = {}
        results: Counter[str] = Counter()
        unread: list[dict[str, Any]] = []
        for rows_read, (number, row) in enumerate(lines, start=2):
            if rows_read > context.limits.max_rows:
                raise LimitExceeded(
                    f"The file has more than {context.limits.max_rows:,} rows.",
                    location={"line": number},
                )
            if not any(cell.strip() for cell in row):
                continue
            self._row(row, number, regions, results, unread)
        if unread:
            _refuse_unread(unread)
        for kind, rows in results.items():
            context.note(
                "databank-result-row",
                f"{rows} {kind} row(s) left out: the result of the election (seats, elected "
                "candidates), not the count; telnorm apportion computes it from the counts.",
                {"veld_type": kind, "rows": rows},
            )
        return self._document(regions, context, source.filename or "")

    def _row(
        self,
        row: list[str],
        line: int,
        regions: dict[str, _Region],
        results: Counter[str],
        unread: list[dict[str, Any]],
    ) -> None:
        cells = [cell.strip() for cell in row] + [""] * (len(HEADER) - len(row))
        code, kind, raw = cells[1], cells[14], cells[15]
        if not code:
            raise StructureError("A row without a RegioCode.", location={"line": line, "column": 2})
        if kind in RESULT_FIELDS:
            # The country's seat rows may have no list number (TK2025): never keyed, counted.
            results[kind] += 1
            return
        if kind not in COUNT_FIELDS:
            unread.append(
                {"line": line, "column": 15, "veld_type": kind, "region": code, "value": raw}
            )
            return
        region = regions.setdefault(code, _Region(code, cells[0], cells[2], cells[3]))
        try:
            value = parse_count(raw)
        except CountError as exc:
            raise InvalidCount(
                f"Waarde on line {line} must be a count, but the file has {raw!r}: {exc.reason}.",
                location={"line": line, "column": 16},
                value=raw,
            ) from None
        if not self._once(region, kind, cells, line):
            return  # a second candidate under a number already taken: see _once
        if kind != "KandidaatAantalStemmen":
            region.totals[(kind, cells[5] if kind == "LijstAantalStemmen" else "")] = (value, line)
        else:
            region.candidate_rows += 1
        if kind in STATISTICS:
            key, sub = STATISTICS[kind]
            if sub is None:
                region.group[key] = value
            else:
                region.group.setdefault(key, {})[sub] = value
        elif kind == "LijstAantalStemmen":
            entry = region.lists.setdefault(cells[5], {"name": cells[6], "candidates": {}})
            entry["votes"] = value
        else:  # KandidaatAantalStemmen
            entry = region.lists.setdefault(cells[5], {"name": cells[6], "candidates": {}})
            entry["candidates"][cells[7]] = value
            names = entry.setdefault("names", {})
            names[cells[7]] = _candidate_name(tuple(cells[8:12]))

    @staticmethod
    def _once(region: _Region, kind: str, cells: list[str], line: int) -> bool:
        """A value stated twice for one region is refused (never last-one-wins), and a list
        or candidate row must say which list or candidate it is.

        Two rows of one region, list and candidate number that name different candidates
        are not one value stated twice but two people under one number (above a district
        a party's lists may differ per district): the second is not read (False), and the
        clash is kept; the document then leaves that list's candidate votes out, noted."""
        number, candidate = cells[5], cells[7]
        if kind in ("LijstAantalStemmen", "KandidaatAantalStemmen") and not number.isdigit():
            raise StructureError(
                f"Line {line} ({kind}) has no list number (LijstNummer).",
                location={"line": line, "column": 6},
            )
        if kind == "KandidaatAantalStemmen" and not candidate.isdigit():
            raise StructureError(
                f"Line {line} (KandidaatAantalStemmen) has no candidate number.",
                location={"line": line, "column": 8},
            )
        if kind in STATISTICS:
            key = (kind, "", "")
        elif kind == "LijstAantalStemmen":
            key = (kind, number, "")
        else:
            key = (kind, number, candidate)
        first = region.seen.setdefault(key, line)
        if kind == "KandidaatAantalStemmen":
            person = tuple(cells[8:12])
            known = region.candidate_names.setdefault((number, candidate), person)
            if first != line and known != person:
                region.clashes.setdefault(number, []).append(
                    (first, line, _display(known), _display(person))
                )
                region.candidate_rows += 1  # read, and left out
                return False
        if first != line:
            raise DuplicateValue(
                f"{region.code} states {kind} {' '.join(k for k in key[1:] if k)} twice, on "
                f"lines {first} and {line}: the numbers cannot both be right; keep one.",
                location={"line": line},
                first={"line": first},
            )
        return True

    def _document(
        self, regions: dict[str, _Region], context: ParseContext, source_name: str
    ) -> Document:
        if not regions:
            raise StructureError("The databank file has no rows.", location={"line": 2})
        municipal = [r for r in regions.values() if r.code[:1] in "GO"]
        districts = [r for r in regions.values() if r.code[:1] == "K"]
        upper = [r for r in regions.values() if r.code[:1] in "PL"]
        if upper or len(districts) > 1:
            # The country, or the one province of a file without it; several provinces or
            # districts without the country have no region above them all: no total.
            countries = [r for r in upper if r.code[:1] == "L"]
            provinces = [r for r in upper if r.code[:1] == "P"]
            top = countries[0] if countries else provinces[0] if len(provinces) == 1 else None
            level, units = "central", municipal
        elif districts:
            top, level = districts[0], "district"
            units = municipal
            elsewhere = [r.code for r in municipal if r.parent != top.code]
            if elsewhere:
                raise StructureError(
                    f"The file is district {top.code}'s, but {', '.join(elsewhere[:5])} "
                    f"name{'s' if len(elsewhere) == 1 else ''} another parent region: send "
                    "one district's rows, or the whole election's.",
                    location={"line": 2},
                )
        elif len(municipal) == 1:
            top, level, units = municipal[0], "municipality", []
        else:
            top, level, units = None, "central", municipal
        _note_levels_between(regions, top, units, context)
        kept = [*units, *([top] if top is not None else [])]
        for region in kept:
            _drop_clashing_candidates(region, context)
        affiliations: dict[str, dict[str, Any]] = {}
        for region in regions.values():
            for number, entry in region.lists.items():
                affiliations.setdefault(
                    number, {"id": number, "name": entry["name"] or None, "candidates": {}}
                )
        # Candidate names only from the regions the document keeps: a district's numbers may
        # name other people than the country's (lists that differ per district).
        for region in kept:
            for number, entry in region.lists.items():
                for cid, name in (entry.get("names") or {}).items():
                    affiliations[number]["candidates"].setdefault(cid, name)
        total = _group_of(top) if top is not None else {"selections": []}
        district = top if top is not None and top.code[:1] == "K" else None
        contest_id = district.code[1:] if district else None
        if top is not None and top.code[:1] in "GO":
            # A municipality's rows name its kieskring (K6 under P25): its contest, as in a
            # TK 510b, so that it is written back under the same district.
            contest_id = kieskring(top.parent, top.grandparent)
        election = _election_from_name(source_name)
        if election["id"] is not None:
            context.note(
                "databank-election-from-name",
                f"Election {election['id']} taken from the file name ({source_name}); the "
                "databank file itself does not name its election.",
                None,
            )
        return {
            "format_version": FORMAT_VERSION,
            "document": {"eml_id": None, "level": level, "created": None, "transaction_id": None},
            "election": election,
            "contest": {
                "id": contest_id,
                "name": district.name if district else None,
            },
            "managing_authority": {"id": _authority_id(top), "name": top.name if top else None},
            "affiliations": [
                {
                    "id": a["id"],
                    "name": a["name"],
                    "candidates": [
                        {"id": cid, "name": name, "short_code": None}
                        for cid, name in sorted(a["candidates"].items(), key=_first_key)
                    ],
                }
                for _, a in sorted(affiliations.items(), key=_first_key)
            ],
            "total_votes": total,
            "reporting_unit_votes": [
                {
                    "id": _unit_id(r),
                    "number": None,
                    "name": r.name,
                    "postal_code": None,
                    "kind": "municipality",
                    **_group_of(r),
                }
                for r in sorted(units, key=lambda r: r.code)
            ],
            "notes": [],
        }


def _note_levels_between(
    regions: dict[str, _Region], top: _Region | None, units: list[_Region], context: ParseContext
) -> None:
    """Check every higher region against the regions under it, and say which regions' rows
    the document does not repeat (the districts and provinces of a whole election's file)."""

    report(check_sums(regions.values()), context.note)
    kept = {region.code for region in units} | ({top.code} if top is not None else set())
    left = [region for region in regions.values() if region.code not in kept]
    if not left:
        return
    parents = {region.parent for region in regions.values()}
    unchecked = [region.code for region in left if region.code not in parents]
    candidate_rows = sum(region.candidate_rows for region in left)
    shown = ", ".join(f"{r.code} {r.name}".strip() for r in left[:6])
    more = f" and {len(left) - 6} more" if len(left) > 6 else ""
    context.note(
        "databank-levels-between",
        f"The rows of {len(left)} region(s) between the document's top and its municipalities "
        f"({shown}{more}) are not repeated in the document: their statistics and list totals "
        "are sums of the regions under them"
        + (
            f", checked except for {', '.join(unchecked[:6])}, which have none under them in "
            "the file"
            if unchecked
            else ", all checked (databank-sums-checked)"
        )
        + (
            f"; their {candidate_rows:,} KandidaatAantalStemmen row(s) are left out (a "
            "district's candidate votes are in its own count, EML 510c)."
            if candidate_rows
            else "."
        ),
        None,
    )


#: The Council names the file after a national election: ``TK2025_uitslag.csv``.
_NATIONAL_NAME = re.compile(r"(TK|EK|EP)(\d{4})(?![0-9A-Za-z])", re.IGNORECASE)


def _election_from_name(filename: str) -> dict[str, Any]:
    """The election a file name starts with, for the national elections, whose id is the
    category and the year (``TK2025``); nothing is taken from any other name."""
    election: dict[str, Any] = dict.fromkeys(
        ("id", "name", "category", "subcategory", "date", "domain")
    )
    match = _NATIONAL_NAME.match(filename.rsplit("/", 1)[-1])
    if match:
        category = match.group(1).upper()
        election.update(id=category + match.group(2), category=category, subcategory=category)
    return election


def _lines(reader: Any, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """The rows with the line each ends on; one the csv module cannot read (a cell longer
    than ``max_line_length``, as for every text table) is a located 422, never a crash."""
    csv.field_size_limit(max(limits.max_line_length, 1024))  # the tabular reader's cap too

    def refuse(line: int, reason: str) -> TelnormError:
        if "field larger than field limit" in reason:
            return LimitExceeded(
                f"Line {line} has a cell longer than {limits.max_line_length:,} characters.",
                location={"line": line},
            )
        return StructureError(
            f"Line {line} cannot be read as a line of the databank file ({reason}); the file "
            "is ';'-separated text, one value per line, without quotes.",
            location={"line": line},
        )

    return located_rows(reader, refuse)


def _refuse_unread(unread: list[dict[str, Any]]) -> None:
    kinds = sorted({cell["veld_type"] or "(empty)" for cell in unread})
    weighted = (
        " LijstAantalGewogenStemmen are the weighted votes of an Eerste Kamer election, which a "
        "count of ballots has no place for."
        if "LijstAantalGewogenStemmen" in kinds
        else ""
    )
    raise UnreadCells(
        f"{len(unread)} row(s) of VeldType {', '.join(kinds)} cannot be read: the databank "
        "reader knows the statistics, LijstAantalStemmen, KandidaatAantalStemmen and the "
        f"result rows (LijstAantalZetels, KandidaatGekozen).{weighted} A document without "
        "those numbers would be incomplete, so none is given.",
        location={"line": unread[0]["line"], "column": 15},
        cells=unread[:SHOWN_UNREAD],
        count=len(unread),
    )


def _candidate_name(cells: tuple[str, ...]) -> str | None:
    """``van Dijk, A.B.`` from the initials, first name, prefix and surname cells; None
    without a surname."""
    initials, _first, prefix, last = cells
    surname = " ".join(part for part in (prefix, last) if part)
    return f"{surname}, {initials}".strip(", ") if surname else None


def _display(cells: tuple[str, ...]) -> str:
    return _candidate_name(cells) or "(no name)"


def _drop_clashing_candidates(region: _Region, context: ParseContext) -> None:
    """Candidate votes of a list under which the region names two people with one number
    cannot be keyed by number: the list's candidates are left out of the document (its list
    total stays), and each clash is said with its lines."""
    for number, clashes in region.clashes.items():
        entry = region.lists.get(number)
        left = (len(entry["candidates"]) if entry else 0) + len(clashes)
        if entry is not None:
            entry["candidates"] = {}
            entry.pop("names", None)
        first, line, one, other = clashes[0]
        more = f" (and {len(clashes) - 1} more such pair(s))" if len(clashes) > 1 else ""
        context.note(
            "databank-candidate-number-clash",
            f"{region.code} names two candidates with one number on list {number}: {one} "
            f"(line {first}) and {other} (line {line}){more}. Candidate votes cannot be told "
            f"apart by number there, so the {left} candidate row(s) of list {number} in "
            f"{region.code} are left out of the document; its list total is kept.",
            {"line": line},
        )


def _unit_id(region: _Region) -> str:
    """A municipality under a Tweede Kamer kieskring as a 510c names it (``HSB6::0668``), so
    that the district it lies in stays with it; any other region by its code (``0668``)."""
    number = kieskring(region.parent, region.grandparent)
    return f"HSB{number}::{region.code[1:]}" if number else region.code[1:]


def _authority_id(region: _Region | None) -> str | None:
    if region is None:
        return None
    if region.code[:1] in "GO":
        return region.code[1:]
    if region.code[:1] == "K":
        return "HSB" + region.code[1:]
    return "CSB"


__all__ = ["HEADER", "DatabankParser"]
