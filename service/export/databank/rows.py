"""The databank's rows of a document, in output order.

Regions by RegioCode (level letter G < K < L < O < P, then the number), the one simple
order that puts the country's rows where the real TK2025 file has them (after the
municipalities and districts). Within a region: ``Kiesgerechtigden`` (cast), ``Opkomst``
(the ballots: H as stated, else E + F + G, as every municipal row of the real files adds
up), ``AantalGeldigeStemmen`` (E), ``AantalBlancoStemmen`` (F), ``AantalOngeldigeStemmen``
(G), then per list its ``LijstAantalStemmen`` row followed, from district level up, by its
``KandidaatAantalStemmen`` rows (municipal rows hold list totals only, as the real files
do). A number the document does not state has no row, never a 0; the notes say so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from telnorm.parsers.canonical import REJECTED_REASON_CODES, Document
from telnorm.service.export.databank.candidates import CandidateColumns, candidate_columns
from telnorm.service.export.databank.notes import Notes
from telnorm.service.export.databank.provinces import province_regions
from telnorm.service.export.databank.regions import (
    COUNTRY,
    Region,
    central_region,
    district_from_tree,
    district_of_unit,
    is_national,
    lineage,
    region_code,
    region_name,
    region_order,
)
from telnorm.service.export.options import (
    ExportOptions,
    Requirements,
    check_representable,
    resolve_header,
    supply_hint,
)

FIELD_TYPES = (
    "Kiesgerechtigden",
    "Opkomst",
    "AantalGeldigeStemmen",
    "AantalBlancoStemmen",
    "AantalOngeldigeStemmen",
    "LijstAantalStemmen",
    "KandidaatAantalStemmen",
)

#: Which parent codes a region of each level has in the real files (the country none, a
#: province only its parent, the country).
_EXPECTED_CODES = {"G": 2, "O": 2, "K": 2, "P": 1, "L": 0}


def top_region(document: Document, options: ExportOptions) -> tuple[Region, Requirements]:
    header = resolve_header(document, options)
    req = Requirements()
    code = options.region_code or region_code(header.authority_id) or central_region(header)
    if code is None:
        req.need(
            "region_code",
            "/managing_authority/id",
            supply_hint("region_code", "L528")
            + " (the databank code of the authority: L528 Nederland, P22 Drenthe, ...)",
        )
    contest = header.contest_id or ""
    national = is_national(header.election_category, options.election_definition)
    hint = None
    if code and code[0] in "GO" and national:
        # A TK 510b's contest is its kieskring; other files name none, so the election tree.
        if contest.isdigit() and contest != "0":
            hint = "K" + contest.lstrip("0")
        else:
            hint = district_from_tree(options.election_definition, code[1:])
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
    district = district_of_unit(str(unit.get("id") or ""))
    if code[:1] == "K" and top.code[:1] == "L":
        # a district of the country: its province
        parent, grandparent = lineage(code, national=top.national)
    elif top.national and district and code[:1] in "GO" and district != top.code:
        # a municipality of a whole election's document, its kieskring in its id
        # (HSB6::0668); another election's districts are not the kieskringen K1-K20
        parent = district
        grandparent = lineage(parent)[0]
    else:
        # The authority is the unit's parent (a municipality's district, a district's
        # province), so the unit inherits what was given or derived for it.
        parent, grandparent = top.code, top.parent
    return Region(region_name(unit.get("name")), code, parent, grandparent, top.national)


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
    # summed from its districts has none: see province_regions)
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
    top, req = top_region(document, options)
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
    candidates = candidate_columns(document, options)
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
        regions += province_regions(regions, notes)
        levels = {region.code[:1] for region, _ in regions}
        # a whole election's databank file read back: municipalities under the country
        notes.no_district_rows = "K" not in levels and bool(levels & {"G", "O"})
    # sorted() is stable: a code stated twice (refused upstream) would keep its order.
    regions.sort(key=lambda item: region_order(item[0].code))
    rows = [row for region, group in regions for row in _rows(region, group, ctx, notes)]
    return rows, notes


def iter_rows(document: Document, options: ExportOptions | None = None) -> Iterator[list[object]]:
    """Every data row (without the header), in output order."""
    yield from build(document, options)[0]


__all__ = ["FIELD_TYPES", "build", "iter_rows", "top_region"]
