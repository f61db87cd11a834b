"""Write a canonical document as the CSV that verkiezingsuitslagen.nl imports.

The format as the Electoral Council publishes it ("zoals geïmporteerd", the ``*_uitslag.csv``
of its open data): sixteen columns (``COLUMNS``), one value per row, ``;``, UTF-8 without a
BOM, LF line ends, no quoting. The rules (see also ``docs/export.md``):

* **Regions** carry a level letter and a code: ``G`` + CBS code for a municipality
  (``G0150``), ``O`` + code for the public bodies 9001-9003, ``K`` + number for a district
  (``HSB4`` -> ``K4``), ``P`` + CBS province code (``P23``), ``L528`` for the Netherlands.
  The document's authority is one region (its ``total_votes``); reporting units become
  regions only when they are a databank level (municipalities of a 510c, districts of a
  510d). Polling stations are not: a 510b gives its municipality's rows only.
* **Parents and grandparents**: a municipality's parent is its district, the grandparent the
  district's province; a district's parent is its province, the grandparent the country.
  Districts and provinces come from the count (contest id, unit ids) and
  :data:`PROVINCE_OF_DISTRICT` (the kieskringen of the Kieswet, art. E 1); the Caribbean
  district (K20) has no province: its rows name none, and a note says so. ``region_code``,
  ``parent_region_code`` and ``grandparent_region_code`` options always win.
* **Rows per region**: ``Kiesgerechtigden`` (cast), ``Opkomst`` (the ballots: H, or E + F + G),
  ``AantalGeldigeStemmen`` (E), ``AantalBlancoStemmen`` (F), ``AantalOngeldigeStemmen`` (G),
  then per list ``LijstAantalStemmen``; at district level and above each list is followed by
  its ``KandidaatAantalStemmen`` rows (municipal rows hold list totals only, as the real
  files do). A number the document does not state has no row, never a 0.
* **Names**: ``LijstNaam`` the registered name; candidate columns from the candidate list
  (230b; gender ``m``/``v``), else split from the document's ``Achternaam, I.N.``.
  ``Partij`` is always empty (the import needs the column, never a value).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from telnorm.parsers.canonical import REJECTED_REASON_CODES, Document
from telnorm.parsers.databank import HEADER
from telnorm.service.export.options import (
    ExportOptions,
    Requirements,
    check_representable,
    resolve_header,
    supply_hint,
)

MEDIA_TYPE = "text/csv; charset=utf-8; profile=databank"

#: The import file's columns (defined with its reader, :mod:`telnorm.parsers.databank`).
COLUMNS = HEADER
FIELD_TYPES = (
    "Kiesgerechtigden",
    "Opkomst",
    "AantalGeldigeStemmen",
    "AantalBlancoStemmen",
    "AantalOngeldigeStemmen",
    "LijstAantalStemmen",
    "KandidaatAantalStemmen",
)
COUNTRY = "L528"
#: The kieskringen (Kieswet art. E 1) and the CBS code of the province each lies in; 20 is
#: the Caribbean district (Bonaire, Sint Eustatius, Saba), in no province.
PROVINCE_OF_DISTRICT = {
    "1": "20", "2": "21", "3": "22", "4": "23", "5": "24", "6": "25", "7": "25", "8": "26",
    "9": "27", "10": "27", "11": "27", "12": "28", "13": "28", "14": "28", "15": "28",
    "16": "29", "17": "30", "18": "30", "19": "31",
}  # fmt: skip
#: The candidate list's gender values as the databank writes them.
GENDER = {"male": "m", "female": "v", "m": "m", "v": "v", "man": "m", "vrouw": "v"}
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


def lineage(code: str, parent_hint: str | None = None) -> tuple[str | None, str | None]:
    """The parent and grandparent of a region code (``parent_hint``: the parent the count
    gives a municipality, its district)."""
    level = code[:1]
    if level == "L":
        return None, None
    if level == "P":
        return COUNTRY, None
    if level == "K":
        province = PROVINCE_OF_DISTRICT.get(code[1:])
        return ("P" + province, COUNTRY) if province else (None, None)
    parent = parent_hint
    grandparent = lineage(parent)[0] if parent else None
    return parent, grandparent


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
    contest = header.contest_id or ""
    hint = None
    if code and code[0] in "GO" and contest.isdigit() and contest != "0":
        hint = "K" + contest
    parent, grandparent = lineage(code, hint) if code else (None, None)
    region = Region(
        header.authority_name,
        code or "",
        options.parent_region_code or parent,
        options.grandparent_region_code or grandparent,
    )
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
                gender = GENDER.get((c.gender or "").strip().lower(), c.gender)
                columns[(affiliation_id, candidate_id)] = CandidateColumns(
                    c.initials, c.first_name, c.prefix, c.last_name, c.locality, gender
                )
    return columns


def _ballots(group: Mapping[str, Any]) -> int | None:
    """``Opkomst``: the ballots cast, H as stated, else E + F + G when all three are."""
    if group.get("votes_cast") is not None:
        return int(group["votes_cast"])
    rejected = group.get("rejected_votes") or {}
    parts = (group.get("total_counted"), rejected.get("blanco"), rejected.get("ongeldig"))
    total = 0
    for part in parts:
        if part is None:
            return None
        total += int(part)
    return total


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
        ("Opkomst", _ballots(group)),
        ("AantalGeldigeStemmen", group.get("total_counted")),
        ("AantalBlancoStemmen", rejected.get("blanco")),
        ("AantalOngeldigeStemmen", rejected.get("ongeldig")),
    ):
        if value is not None:
            yield [*place, *[None] * 9, field_type, value]
    # municipal rows hold list totals only; candidates from district level up
    with_candidates = region.code[:1] not in ("G", "O")
    for selection in group.get("selections") or []:
        affiliation_id = str(selection["affiliation_id"])
        list_cells = [affiliation_id, list_names.get(affiliation_id)]
        if selection.get("valid_votes") is not None:
            yield [
                *place, *list_cells, None, None, None, None, None, None, None,
                "LijstAantalStemmen", selection["valid_votes"],
            ]  # fmt: skip
        if not with_candidates:
            continue
        for candidate in selection.get("candidates") or []:
            candidate_id = str(candidate["candidate_id"])
            c = candidates.get((affiliation_id, candidate_id), CandidateColumns())
            yield [
                *place, *list_cells, candidate_id, c.initials, c.first_name, c.prefix,
                c.last_name, c.locality, c.gender, "KandidaatAantalStemmen",
                candidate["valid_votes"],
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
        parent, grandparent = lineage(code, top.code if code[0] in "GO" else None)
        region = Region(unit.get("name"), code, parent, grandparent)
        yield from _rows(region, unit, list_names, candidates)


def _cell(value: object) -> str:
    """A cell as the import file writes it: as is, no quoting; a ``;`` or line end inside a
    name (which no real name has) would break the row, so it becomes a space."""
    if value is None:
        return ""
    return re.sub(r"[;\r\n]+", " ", str(value))


def to_databank(document: Document, options: ExportOptions | None = None) -> bytes:
    neutralise = options is not None and options.neutralise_formulas
    lines = [";".join(COLUMNS)]
    lines += [
        ";".join(_cell(neutralised(cell) if neutralise else cell) for cell in row)
        for row in iter_rows(document, options)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


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
    "PROVINCE_OF_DISTRICT",
    "filename_for",
    "iter_rows",
    "lineage",
    "neutralised",
    "region_code",
    "split_name",
    "to_databank",
]
