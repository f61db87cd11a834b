"""Write a canonical document as the long CSV that verkiezingsuitslagen.nl imports.

Seventeen columns (``COLUMNS``), one number per row. The rules telnorm follows (see also
``docs/export.md``):

* **Regions.** The document's own authority is one region (its ``total_votes``). Reporting
  units become regions only when the databank has them: municipalities (unit id ``0518``,
  ``HSB3::0518``) and districts (``HSB3``). Polling stations are not a databank level, so a
  510b gives one region, a 510c its district plus each municipality.
* **Region codes.** ``G`` + CBS code for a municipality (``G0668``), ``O`` + code for the public
  bodies 9001-9003, ``K`` + number for a district (``HSB6`` -> ``K6``). A central authority
  (``CSB``) has no code in the document: pass ``region_code=`` (``L528`` for the Netherlands,
  ``P22`` for Drenthe, ...). ``region_code``, ``parent_region_code`` and
  ``grandparent_region_code`` always win over derived codes.
* **Parents.** A municipality's parent is its district ``K<contest id>`` when the contest id is
  a district number (TK, EP, multi-district PS), else ``parent_region_code`` or empty. A unit's
  parent is the document's region, its grandparent the document's parent.
* **Rows per region**, in this order: ``Kiesgerechtigden`` (cast), ``AantalGeldigeStemmen`` (E),
  ``AantalOngeldigeStemmen`` (G), ``AantalBlancoStemmen`` (F), then per list in the order of the
  count ``LijstAantalStemmen`` followed by its ``KandidaatAantalStemmen`` rows. A number the
  document does not state has no row (never a 0).
* **Names.** ``LijstNaam`` is the list's registered name; the six candidate columns come from
  the candidate list (230b) when one is supplied (``KandidaatGeslacht`` verbatim, ``male`` /
  ``female``), else from the document's candidate name ``Achternaam, I.N.`` split at the comma
  with a lower-case leading part (``van``, ``de``) as the tussenvoegsel.
* ``Partij`` and ``Kolom1`` are always empty (the import needs the columns, never a value).
* UTF-8 without BOM, ``;`` between cells, CRLF line ends, quotes only where a cell holds
  ``;``, ``"`` or a line end.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from telnorm.parsers.canonical import REJECTED_REASON_CODES, Document
from telnorm.service.export.options import (
    ExportOptions,
    Requirements,
    check_representable,
    resolve_header,
    supply_hint,
)

MEDIA_TYPE = "text/csv; charset=utf-8; profile=databank"

COLUMNS = (
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
    "Kolom1",
)
FIELD_TYPES = (
    "Kiesgerechtigden",
    "AantalGeldigeStemmen",
    "AantalOngeldigeStemmen",
    "AantalBlancoStemmen",
    "LijstAantalStemmen",
    "KandidaatAantalStemmen",
)
PUBLIC_BODIES = ("9001", "9002", "9003")
_CBS = re.compile(r"(?:HSB\d+::)?(\d{4})")
_HSB = re.compile(r"HSB(\d+)")


@dataclass(frozen=True)
class Region:
    name: str | None
    code: str
    parent: str | None
    grandparent: str | None


@dataclass(frozen=True)
class CandidateColumns:
    initials: str | None = None
    first_name: str | None = None
    prefix: str | None = None
    last_name: str | None = None
    locality: str | None = None
    gender: str | None = None


def region_code(identifier: str | None) -> str | None:
    """The databank code of an EML authority or unit id, or None when it has none."""
    if not identifier:
        return None
    match = _CBS.fullmatch(identifier)
    if match:
        code = match.group(1)
        return ("O" if code in PUBLIC_BODIES else "G") + code
    match = _HSB.fullmatch(identifier)
    if match:
        return "K" + match.group(1)
    return None


def split_name(name: str | None) -> CandidateColumns:
    """``van Dijck, A.P.C.`` -> prefix ``van``, last name ``Dijck``, initials ``A.P.C.``."""
    if not name:
        return CandidateColumns()
    surname, _, initials = name.partition(",")
    words = surname.split()
    prefix_words: list[str] = []
    # Tussenvoegsels are written in lower case before the surname (van, de, van der, 't).
    while len(words) > 1 and (words[0][:1].islower() or words[0].startswith("'")):
        prefix_words.append(words.pop(0))
    return CandidateColumns(
        initials=initials.strip() or None,
        prefix=" ".join(prefix_words) or None,
        last_name=" ".join(words) or None,
    )


def _regions(document: Document, options: ExportOptions) -> tuple[Region, Requirements]:
    header = resolve_header(document, options)
    req = Requirements()
    code = options.region_code or region_code(header.authority_id)
    if code is None:
        req.need(
            "region_code",
            "/managing_authority/id",
            supply_hint("region_code", "L528")
            + " (the databank code of the authority: L528 Nederland, P22 Drenthe, ...)",
        )
    parent = options.parent_region_code
    contest = header.contest_id or ""
    if parent is None and code and code[0] in "GO" and contest.isdigit() and contest != "0":
        parent = "K" + contest
    region = Region(header.authority_name, code or "", parent, options.grandparent_region_code)
    return region, req


def _candidate_columns(
    document: Document, options: ExportOptions
) -> dict[tuple[str, str], CandidateColumns]:
    columns: dict[tuple[str, str], CandidateColumns] = {}
    for affiliation in document.get("affiliations") or []:
        for candidate in affiliation.get("candidates") or []:
            key = (str(affiliation["id"]), str(candidate["id"]))
            columns[key] = split_name(candidate.get("name"))
    if options.candidate_list is not None:
        for affiliation_id, info in options.candidate_list.affiliations.items():
            for candidate_id, c in info.candidates.items():
                columns[(affiliation_id, candidate_id)] = CandidateColumns(
                    c.initials, c.first_name, c.prefix, c.last_name, c.locality, c.gender
                )
    return columns


def _rows(
    region: Region,
    group: Mapping[str, Any],
    list_names: Mapping[str, str],
    candidates: Mapping[tuple[str, str], CandidateColumns],
) -> Iterator[list[object]]:
    place = [region.name, region.code, region.parent, region.grandparent, None]
    rejected = group.get("rejected_votes") or {}
    for field_type, value in (
        ("Kiesgerechtigden", group.get("cast")),
        ("AantalGeldigeStemmen", group.get("total_counted")),
        ("AantalOngeldigeStemmen", rejected.get("ongeldig")),
        ("AantalBlancoStemmen", rejected.get("blanco")),
    ):
        if value is not None:
            yield [*place, *[None] * 9, field_type, value, None]
    for selection in group.get("selections") or []:
        affiliation_id = str(selection["affiliation_id"])
        list_cells = [affiliation_id, list_names.get(affiliation_id)]
        if selection.get("valid_votes") is not None:
            yield [
                *place, *list_cells, None, None, None, None, None, None, None,
                "LijstAantalStemmen", selection["valid_votes"], None,
            ]  # fmt: skip
        for candidate in selection.get("candidates") or []:
            candidate_id = str(candidate["candidate_id"])
            c = candidates.get((affiliation_id, candidate_id), CandidateColumns())
            yield [
                *place, *list_cells, candidate_id, c.initials, c.first_name, c.prefix,
                c.last_name, c.locality, c.gender, "KandidaatAantalStemmen",
                candidate["valid_votes"], None,
            ]  # fmt: skip


def iter_rows(document: Document, options: ExportOptions | None = None) -> Iterator[list[object]]:
    """Every data row (without the header), in output order."""
    options = options or ExportOptions()
    top, req = _regions(document, options)
    # The databank layout has no rows for uncounted votes (A-D, I, J) by design; every
    # rejected or list number must have its row.
    check_representable(
        document, req, rejected_codes=frozenset(REJECTED_REASON_CODES), uncounted_codes=None
    )
    req.raise_if_any("databank CSV")
    list_names: dict[str, str] = {}
    if options.candidate_list is not None:
        list_names = {
            key: info.name for key, info in options.candidate_list.affiliations.items() if info.name
        }
    for affiliation in document.get("affiliations") or []:
        if affiliation.get("name") is not None:
            list_names[str(affiliation["id"])] = str(affiliation["name"])
    candidates = _candidate_columns(document, options)
    yield from _rows(top, document.get("total_votes") or {}, list_names, candidates)
    for unit in document.get("reporting_unit_votes") or []:
        code = region_code(str(unit.get("id") or ""))
        if code is None:
            continue  # a polling station: not a databank level
        region = Region(unit.get("name"), code, top.code, top.parent)
        yield from _rows(region, unit, list_names, candidates)


def to_databank(document: Document, options: ExportOptions | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    neutralise = options is not None and options.neutralise_formulas
    for row in iter_rows(document, options):
        cells = ["" if cell is None else cell for cell in row]
        writer.writerow([neutralised(c) for c in cells] if neutralise else cells)
    return buffer.getvalue().encode("utf-8")


#: What makes a spreadsheet program read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def filename_for(document: Document) -> str:
    election = (document.get("election") or {}).get("id") or "onbekend"
    authority = (document.get("managing_authority") or {}).get("id") or "onbekend"
    return re.sub(r"[^\w.-]+", "_", f"{election}_uitslag_{authority}.csv")


__all__ = [
    "COLUMNS",
    "FIELD_TYPES",
    "FORMULA_STARTS",
    "MEDIA_TYPE",
    "filename_for",
    "iter_rows",
    "neutralised",
    "region_code",
    "split_name",
    "to_databank",
]
