"""Write a canonical document as the CSV that verkiezingsuitslagen.nl imports.

The format as the Electoral Council publishes it ("zoals geïmporteerd", the ``*_uitslag.csv``
of its open data, whose README describes each column): sixteen columns (``COLUMNS``), one
value per row, ``;``, UTF-8 without a BOM, LF line ends, no quoting. The rules (see also
``docs/export.md``, which says which of them were checked against what):

* **Regions** carry a level letter and a code: ``G`` + CBS code for a municipality
  (``G0150``; ``G9010`` is the postal vote from abroad, under K12), ``O`` + code for the
  public bodies 9001-9003, ``K`` + number for a district (``HSB4`` -> ``K4``), ``P`` + CBS
  province code (``P23``), ``L528`` for the Netherlands. The document's authority is one
  region (its ``total_votes``); reporting units become regions only when they are a databank
  level (municipalities of a 510c, districts of a 510d). Polling stations are not: a 510b
  gives its municipality's rows only.
* **Parents and grandparents**: a municipality's parent is its district, the grandparent the
  district's province; a district's parent is its province, the grandparent the country; a
  province's parent the country. Districts and provinces come from the count (contest id,
  unit ids) and :data:`PROVINCE_OF_DISTRICT` (the kieskringen of the Kieswet, art. E 1).
  The Caribbean district (K20) is in no province: the real files place it under a
  thirteenth ``P`` region, ``P99`` "Niet-provinciaal ingedeeld" (the code and name the
  Council's own results portal gives that region; see docs/export.md for the evidence).
  A region whose place the count does not give keeps empty cells and a note (never a
  guessed code). The ``region_code``, ``parent_region_code`` and
  ``grandparent_region_code`` options always win for the authority's region, and its units
  inherit them (a unit's grandparent is the authority's parent).
* **Order**: regions by RegioCode (level letter G < K < L < O < P, then the number), the one
  simple order that puts the country's rows where the real TK2025 file has them (after the
  municipalities and districts). Within a region the statistics, then per list its
  ``LijstAantalStemmen`` row followed by its ``KandidaatAantalStemmen`` rows.
* **Rows per region**: ``Kiesgerechtigden`` (cast), ``Opkomst`` (the ballots: H, or
  E + F + G, as the real files' municipal rows add up), ``AantalGeldigeStemmen`` (E),
  ``AantalBlancoStemmen`` (F), ``AantalOngeldigeStemmen`` (G), then per list
  ``LijstAantalStemmen``; at district level and above each list is followed by its
  ``KandidaatAantalStemmen`` rows (municipal rows hold list totals only, as the real files
  do). A number the document does not state has no row, never a 0, and a **note** names
  each such missing row (region and VeldType), as it names empty region codes and candidate
  columns the count cannot fill.
* **Names**: ``LijstNaam`` the registered name; candidate columns from the candidate list
  (230b; gender ``m``/``v``), else split from the document's ``Achternaam, I.N.``.
  ``Partij`` is always empty (the import needs the column, never a value).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from telnorm.parsers.canonical import REJECTED_REASON_CODES, Document
from telnorm.parsers.conventions import id_sort_key
from telnorm.parsers.databank import HEADER
from telnorm.parsers.eml.context import MASTER_TREE, ContextDocument, district_of
from telnorm.service.export.options import (
    ExportOptions,
    Header,
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
#: the Caribbean district (Bonaire, Sint Eustatius, Saba), in no province: the databank puts
#: it under region 99, "Niet-provinciaal ingedeeld" (the Council's results portal's code).
PROVINCE_OF_DISTRICT = {
    "1": "20", "2": "21", "3": "22", "4": "23", "5": "24", "6": "25", "7": "25", "8": "26",
    "9": "27", "10": "27", "11": "27", "12": "28", "13": "28", "14": "28", "15": "28",
    "16": "29", "17": "30", "18": "30", "19": "31", "20": "99",
}  # fmt: skip
#: The provinces by CBS code, as the databank names them; 99 holds the Caribbean district.
PROVINCE_NAMES = {
    "20": "Groningen", "21": "Fryslân", "22": "Drenthe", "23": "Overijssel", "24": "Flevoland",
    "25": "Gelderland", "26": "Utrecht", "27": "Noord-Holland", "28": "Zuid-Holland",
    "29": "Zeeland", "30": "Noord-Brabant", "31": "Limburg", "99": "Niet-provinciaal ingedeeld",
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
    #: Whether its K codes are the Tweede Kamer's kieskringen (see :func:`lineage`).
    national: bool = True
    #: A province of a central count: rows summed from its districts, no candidate rows.
    summed: bool = False


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


#: What an authority's name may start with that the databank's region names do not have
#: (``Gemeente Nuth`` in older EML, ``Kieskring Lelystad``): the real files name the region
#: alone (``Almere;G0034``, ``Amsterdam;K9``).
_NAME_PREFIX = re.compile(
    r"^(?:gemeente|openbaar lichaam|kieskring|hoofdstembureau|provincie)\s+", re.IGNORECASE
)


def region_name(name: str | None) -> str | None:
    """``Gemeente Nuth`` -> ``Nuth``: a region's name as the databank writes it."""
    if not name:
        return name
    stripped = _NAME_PREFIX.sub("", name.strip(), count=1)
    return stripped or name


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


def lineage(
    code: str, parent_hint: str | None = None, national: bool = True
) -> tuple[str | None, str | None]:
    """The parent and grandparent of a region code (``parent_hint``: the parent the count
    gives a municipality, its district). ``national``: the K codes are the Tweede Kamer's
    kieskringen, whose provinces the Kieswet fixes (false for a count of another election,
    whose districts those are not)."""
    level = code[:1]
    if level == "L":
        return None, None
    if level == "P":
        return COUNTRY, None
    if level == "K":
        province = PROVINCE_OF_DISTRICT.get(code[1:]) if national else None
        return ("P" + province, COUNTRY) if province else (None, None)
    parent = parent_hint
    grandparent = lineage(parent, national=national)[0] if parent else None
    return parent, grandparent


#: The province of each name an election domain may give (CBS code), both Frisian spellings.
_PROVINCE_OF_NAME = {name.lower(): code for code, name in PROVINCE_NAMES.items() if code != "99"}
_PROVINCE_OF_NAME["friesland"] = "21"


def _central_region(header: Header) -> str | None:
    """The region of a central count (``CSB``): the country for a Tweede Kamer, Eerste Kamer
    or European Parliament count, the province for a Provinciale Staten count whose domain
    names it (``PS2023_Drenthe`` -> ``P22``); else None (the caller passes region_code)."""
    if (header.authority_id or "").strip().upper() != "CSB":
        return None
    category = (header.election_category or "").strip().upper()
    if category in ("TK", "EK", "EP"):
        return COUNTRY
    if category == "PS":
        province = _PROVINCE_OF_NAME.get((header.domain_name or "").strip().lower())
        return "P" + province if province else None
    return None


def _is_national(category: str | None, definition: ContextDocument | None) -> bool:
    """Whether the count's districts are the Tweede Kamer's kieskringen (K1-K20): a TK count,
    or one whose election is not known (a databank file read back names none, and its K
    codes are the databank's). A count of another election (a PS or AB count's districts
    are the province's or water board's own) is not."""
    if not category and definition is not None:
        category = definition.election.get("category")
    return (category or "TK").strip().upper() == "TK"


def _district_from_tree(definition: ContextDocument | None, municipality: str) -> str | None:
    """``K6`` for a municipality of kieskring 6, from an election tree whose districts are the
    Tweede Kamer's: a TK 110a, or OSV's master tree (a PS or AB 110a has its own)."""
    if definition is None:
        return None
    category = definition.election.get("category")
    usable = definition.eml_id == MASTER_TREE or (category or "").strip().upper() == "TK"
    number = district_of(definition.region_tree, municipality) if usable else None
    return "K" + number.lstrip("0") if number and number.isdigit() else None


def region_order(code: str) -> tuple[str, int, str]:
    """Where a region's rows go: by level letter (G < K < L < O < P), then by number, so
    that ``K2`` comes before ``K10``."""
    number = code[1:]
    return code[:1], int(number) if number.isdigit() else -1, number


#: A note names at most this many regions (or lists), then says how many more there are.
NAMED = 6


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:NAMED])
    more = len(items) - NAMED
    return shown + (f" and {more} more" if more > 0 else "")


@dataclass
class Notes:
    """What the count lacks for rows of the import file. Gathered per kind, so that a
    district whose twenty municipalities all lack ``Kiesgerechtigden`` gives one note."""

    #: VeldType -> the places (``G0999 Testdorp``, ``K6 list 3``) that have no such row.
    missing: dict[str, list[str]] = field(default_factory=dict)
    #: Empty region-code cells: the column -> the regions whose rows leave it empty.
    empty_codes: dict[str, list[str]] = field(default_factory=dict)
    unnamed_regions: list[str] = field(default_factory=list)
    unnamed_lists: list[str] = field(default_factory=list)
    #: Regions whose stated ballots (H, written as Opkomst) differ from valid + blank +
    #: invalid: ``G0999 (Testdorp): H 1200, E + F + G 1198``.
    opkomst_disagrees: list[str] = field(default_factory=list)
    #: Provinces of a central count written as sums of their districts, and those that are
    #: not because the count lacks some of their districts (``P27 (no K10, K11)``).
    summed_provinces: list[str] = field(default_factory=list)
    partial_provinces: list[str] = field(default_factory=list)
    #: Candidate rows written without a surname (no name in the count, no candidate list).
    nameless_candidates: int = 0
    candidate_rows: int = 0

    def lack(self, field_type: str, place: str) -> None:
        places = self.missing.setdefault(field_type, [])
        if place not in places:
            places.append(place)

    def texts(self, has_candidate_list: bool) -> tuple[str, ...]:
        out = [
            f"No {field_type} row for {_listing(places)}: {_WHY.get(field_type, _WHY[''])}"
            for field_type, places in self.missing.items()
        ]
        for column, regions in self.empty_codes.items():
            out.append(
                f"{column} is empty on the rows of {_listing(regions)}: "
                + _EMPTY_CODE.get(column, "")
            )
        if self.opkomst_disagrees:
            out.append(
                f"Opkomst is the stated number of ballots (H) for "
                f"{_listing(self.opkomst_disagrees)}, which differs from valid + blank + "
                "invalid (E + F + G), the sum the real files' municipal rows hold: check the "
                "count (validation reports the difference) before importing."
            )
        if self.summed_provinces:
            out.append(
                f"The rows of {_listing(self.summed_provinces)} are the sums of their "
                "districts' statistics and list totals; they have no KandidaatAantalStemmen "
                "rows, since a list's candidate numbers may name different people in "
                "different districts and do not add up by number."
            )
        if self.partial_provinces:
            out.append(
                f"No rows for {_listing(self.partial_provinces)}: the count lacks some of "
                "their districts, so their sums are not known."
            )
        if self.unnamed_regions:
            out.append(
                f"Regio is empty on the rows of {_listing(self.unnamed_regions)}: the count "
                "gives no name (pass authority_name for the authority's region)."
            )
        if self.unnamed_lists:
            out.append(
                f"LijstNaam is empty for list {_listing(self.unnamed_lists)}: neither the "
                "count nor the candidate list names it."
            )
        if self.nameless_candidates:
            out.append(
                f"{self.nameless_candidates} KandidaatAantalStemmen row(s) have no candidate "
                "name (KandidaatInitialen, KandidaatAchternaam empty): the count has none; "
                "send the candidate list (EML 230b) as candidate_list."
            )
        if self.candidate_rows and not has_candidate_list:
            out.append(
                "KandidaatVoornaam, KandidaatWoonplaats and KandidaatGeslacht are empty on "
                "every candidate row: they come from the candidate list (EML 230b), which was "
                "not sent."
            )
        return tuple(out)


_WHY = {
    "": "the count does not state it, and no number is invented.",
    "Opkomst": "the count states neither the ballots cast (H) nor all of valid, blank and "
    "invalid (E, F, G), and no number is invented.",
    "LijstAantalStemmen": "the count does not state these list totals, and no number is invented.",
    "KandidaatAantalStemmen": "the count has no candidate votes for these lists, where the "
    "real files give every candidate's votes from district level up.",
}
_EMPTY_CODE = {
    "OuderRegioCode": "the count does not say which region they lie in (a Tweede Kamer "
    "municipality's kieskring comes from the 510b's contest id, or else from the election "
    "tree); send the election definition (EML 110a, or OSV's MasterElectionTree.xml) as "
    "election_definition, or pass parent_region_code.",
    "GrootOuderRegioCode": "the region above their parent is not known (their parent's "
    "place is not given); pass grandparent_region_code.",
}
#: Which parent codes a region of each level has in the real files (the country none, a
#: province only its parent, the country).
_EXPECTED_CODES = {"G": 2, "O": 2, "K": 2, "P": 1, "L": 0}


def _regions(document: Document, options: ExportOptions) -> tuple[Region, Requirements]:
    header = resolve_header(document, options)
    req = Requirements()
    code = options.region_code or region_code(header.authority_id) or _central_region(header)
    if code is None:
        req.need(
            "region_code",
            "/managing_authority/id",
            supply_hint("region_code", "L528")
            + " (the databank code of the authority: L528 Nederland, P22 Drenthe, ...)",
        )
    contest = header.contest_id or ""
    national = _is_national(header.election_category, options.election_definition)
    hint = None
    if code and code[0] in "GO" and national:
        # A TK 510b's contest is its kieskring; other files name none, so the election tree.
        if contest.isdigit() and contest != "0":
            hint = "K" + contest.lstrip("0")
        else:
            hint = _district_from_tree(options.election_definition, code[1:])
    parent, grandparent = lineage(code, hint, national) if code else (None, None)
    if options.parent_region_code:
        # A parent given by the caller brings its own parent (P23 -> L528, K20 -> P99).
        parent = options.parent_region_code
        grandparent = lineage(parent)[0]
    region = Region(
        region_name(header.authority_name),
        code or "",
        parent,
        options.grandparent_region_code or grandparent,
        national,
    )
    return region, req


def _unit_region(unit: Mapping[str, Any], top: Region) -> Region | None:
    code = region_code(str(unit.get("id") or ""))
    if code is None:
        return None  # a polling station: not a databank level
    if code[:1] == "K" and top.code[:1] == "L":
        # a district of the country: its province
        parent, grandparent = lineage(code, national=top.national)
    else:
        # The authority is the unit's parent (a municipality's district, a district's
        # province), so the unit inherits what was given or derived for it.
        parent, grandparent = top.code, top.parent
    return Region(region_name(unit.get("name")), code, parent, grandparent, top.national)


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


def _valid_blank_invalid(group: Mapping[str, Any]) -> int | None:
    """E + F + G when all three are stated."""
    rejected = group.get("rejected_votes") or {}
    parts = (group.get("total_counted"), rejected.get("blanco"), rejected.get("ongeldig"))
    total = 0
    for part in parts:
        if part is None:
            return None
        total += int(part)
    return total


def _ballots(group: Mapping[str, Any], label: str, notes: Notes) -> int | None:
    """``Opkomst``: the ballots cast, H as stated, else E + F + G when all three are (the
    real files' municipal rows have Opkomst = valid + blank + invalid, every one of them).
    A stated H is kept (a databank file read back keeps its own Opkomst), but one that
    differs from E + F + G is named in a note rather than passed on unremarked."""
    summed = _valid_blank_invalid(group)
    if group.get("votes_cast") is None:
        return summed
    stated = int(group["votes_cast"])
    if summed is not None and summed != stated:
        notes.opkomst_disagrees.append(f"{label}: H {stated}, E + F + G {summed}")
    return stated


@dataclass(frozen=True)
class _Context:
    list_names: Mapping[str, str]
    candidates: Mapping[tuple[str, str], CandidateColumns]
    #: Every list of the count, and the lists that have candidates (in the document or the
    #: candidate list): what a region's rows should cover.
    lists: tuple[str, ...]
    lists_with_candidates: frozenset[str]


def _rows(
    region: Region, group: Mapping[str, Any], ctx: _Context, notes: Notes
) -> Iterator[list[object]]:
    place = [region.name, region.code, region.parent, region.grandparent, None]
    label = f"{region.code} ({region.name})" if region.name else region.code
    _check_place(region, notes)
    rejected = group.get("rejected_votes") or {}
    for field_type, value in (
        ("Kiesgerechtigden", group.get("cast")),
        ("Opkomst", _ballots(group, label, notes)),
        ("AantalGeldigeStemmen", group.get("total_counted")),
        ("AantalBlancoStemmen", rejected.get("blanco")),
        ("AantalOngeldigeStemmen", rejected.get("ongeldig")),
    ):
        if value is None:
            notes.lack(field_type, label)
        else:
            yield [*place, *[None] * 9, field_type, value]
    # municipal rows hold list totals only; candidates from district level up (a province
    # summed from its districts has none: see _provinces)
    with_candidates = region.code[:1] not in ("G", "O") and not region.summed
    selections = group.get("selections") or []
    for absent in [n for n in ctx.lists if n not in {str(s["affiliation_id"]) for s in selections}]:
        notes.lack("LijstAantalStemmen", f"{region.code} list {absent}")
    for selection in selections:
        affiliation_id = str(selection["affiliation_id"])
        list_cells = [affiliation_id, ctx.list_names.get(affiliation_id)]
        if list_cells[1] is None and affiliation_id not in notes.unnamed_lists:
            notes.unnamed_lists.append(affiliation_id)
        if selection.get("valid_votes") is None:
            notes.lack("LijstAantalStemmen", f"{region.code} list {affiliation_id}")
        else:
            yield [
                *place, *list_cells, None, None, None, None, None, None, None,
                "LijstAantalStemmen", selection["valid_votes"],
            ]  # fmt: skip
        if not with_candidates:
            continue
        votes = selection.get("candidates") or []
        if not votes and affiliation_id in ctx.lists_with_candidates:
            notes.lack("KandidaatAantalStemmen", f"{region.code} list {affiliation_id}")
        for candidate in votes:
            candidate_id = str(candidate["candidate_id"])
            c = ctx.candidates.get((affiliation_id, candidate_id), CandidateColumns())
            notes.candidate_rows += 1
            if not c.last_name:
                notes.nameless_candidates += 1
            yield [
                *place, *list_cells, candidate_id, c.initials, c.first_name, c.prefix,
                c.last_name, c.locality, c.gender, "KandidaatAantalStemmen",
                candidate["valid_votes"],
            ]  # fmt: skip


def _check_place(region: Region, notes: Notes) -> None:
    if not region.name and region.code not in notes.unnamed_regions:
        notes.unnamed_regions.append(region.code)
    expected = _EXPECTED_CODES.get(region.code[:1], 0)
    for column, value, needed in (
        ("OuderRegioCode", region.parent, expected >= 1),
        ("GrootOuderRegioCode", region.grandparent, expected >= 2),
    ):
        if needed and not value:
            regions = notes.empty_codes.setdefault(column, [])
            if region.code not in regions:
                regions.append(region.code)


def build(
    document: Document, options: ExportOptions | None = None
) -> tuple[list[list[object]], Notes]:
    """Every data row (without the header), in output order, and what the count lacks."""
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
    affiliations = document.get("affiliations") or []
    for affiliation in affiliations:
        if affiliation.get("name") is not None:
            list_names[str(affiliation["id"])] = str(affiliation["name"])
    candidates = _candidate_columns(document, options)
    ctx = _Context(
        list_names,
        candidates,
        tuple(str(a["id"]) for a in affiliations),
        frozenset(key[0] for key in candidates),
    )
    regions: list[tuple[Region, Mapping[str, Any]]] = [(top, document.get("total_votes") or {})]
    for unit in document.get("reporting_unit_votes") or []:
        region = _unit_region(unit, top)
        if region is not None:
            regions.append((region, unit))
    notes = Notes()
    if top.code == COUNTRY and top.national:
        regions += _provinces(regions, notes)
    # sorted() is stable: a code stated twice (refused upstream) would keep its order.
    regions.sort(key=lambda item: region_order(item[0].code))
    rows = [row for region, group in regions for row in _rows(region, group, ctx, notes)]
    return rows, notes


def _provinces(
    regions: list[tuple[Region, Mapping[str, Any]]], notes: Notes
) -> list[tuple[Region, Mapping[str, Any]]]:
    """The province rows of a central count: the real files have them (P20-P31, P99), the
    count has its districts. Each province whose every kieskring the count holds gets its
    statistics and list totals summed from them; candidate votes are not summed (a list's
    candidate numbers may name different people in different districts)."""
    districts = {region.code: group for region, group in regions if region.code[:1] == "K"}
    if not districts:
        return []
    out: list[tuple[Region, Mapping[str, Any]]] = []
    for province in sorted({PROVINCE_OF_DISTRICT[k] for k in PROVINCE_OF_DISTRICT}, key=int):
        wanted = [f"K{k}" for k, p in PROVINCE_OF_DISTRICT.items() if p == province]
        present = [code for code in wanted if code in districts]
        if not present:
            continue
        code = "P" + province
        if len(present) < len(wanted):
            missing = ", ".join(code for code in wanted if code not in districts)
            notes.partial_provinces.append(f"{code} (no {missing})")
            continue
        region = Region(PROVINCE_NAMES.get(province), code, COUNTRY, None, True, summed=True)
        out.append((region, _summed([districts[k] for k in present])))
        notes.summed_provinces.append(code)
    return out


def _summed(groups: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The sum of vote groups: a number only where every group states it (a list absent
    from a district's ballot counts 0 there; one stated without votes leaves it unsummed)."""

    def total(values: list[Any]) -> int | None:
        if any(value is None for value in values):
            return None
        return sum(int(value) for value in values)

    rejected = [group.get("rejected_votes") or {} for group in groups]
    lists: dict[str, list[Any]] = {}
    for group in groups:
        for selection in group.get("selections") or []:
            lists.setdefault(str(selection["affiliation_id"]), []).append(
                selection.get("valid_votes")
            )
    return {
        "cast": total([group.get("cast") for group in groups]),
        "votes_cast": total([group.get("votes_cast") for group in groups]),
        "total_counted": total([group.get("total_counted") for group in groups]),
        "rejected_votes": {
            code: total([r.get(code) for r in rejected]) for code in ("blanco", "ongeldig")
        },
        "selections": [
            {"affiliation_id": number, "valid_votes": total(values), "candidates": []}
            for number, values in sorted(lists.items(), key=lambda item: id_sort_key(item[0]))
        ],
    }


def iter_rows(document: Document, options: ExportOptions | None = None) -> Iterator[list[object]]:
    """Every data row (without the header), in output order."""
    yield from build(document, options)[0]


_UNWRITABLE = re.compile(r"[;\r\n]+")


def _cell(value: object, changed: list[str]) -> str:
    """A cell as the import file writes it: as is, no quoting; a ``;`` or line end inside a
    name (which no real name has) would break the row, so it becomes a space, and the text
    is kept in ``changed`` for a note."""
    if value is None:
        return ""
    text = str(value)
    written = _UNWRITABLE.sub(" ", text)
    if written != text and text not in changed:
        changed.append(text)
    return written


def write(
    document: Document, options: ExportOptions | None = None
) -> tuple[bytes, tuple[str, ...]]:
    """The import file's bytes, and a note for each kind of row or cell the count could not
    fill (never filled in with a guess)."""
    rows, notes = build(document, options)
    neutralise = options is not None and options.neutralise_formulas
    changed: list[str] = []
    lines = [";".join(COLUMNS)]
    lines += [
        ";".join(_cell(neutralised(cell) if neutralise else cell, changed) for cell in row)
        for row in rows
    ]
    content = ("\n".join(lines) + "\n").encode("utf-8")
    has_list = options is not None and options.candidate_list is not None
    texts = notes.texts(has_list)
    if changed:
        shown = ", ".join(repr(text) for text in changed[:NAMED])
        texts += (
            f"{len(changed)} name(s) hold a ';' or a line break, which the import file (no "
            f"quoting) cannot hold: written with a space instead ({shown}).",
        )
    return content, texts


def to_databank(document: Document, options: ExportOptions | None = None) -> bytes:
    return write(document, options)[0]


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
    "Notes",
    "build",
    "filename_for",
    "iter_rows",
    "lineage",
    "neutralised",
    "region_code",
    "region_order",
    "split_name",
    "to_databank",
    "write",
]
