"""What a count lacks for the databank's rows, gathered per kind and said as notes (never
filled in with a guess): missing rows, empty region codes, unnamed regions and lists,
candidate rows without names, provinces summed or left out."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    #: A country's document whose units are municipalities, not districts.
    no_district_rows: bool = False
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
        if self.no_district_rows:
            out.append(
                "The document holds the country's municipalities, not its districts: no "
                "district (K) or province (P) rows are written, since their candidate votes "
                "are not in it (a databank file read back keeps them out of the document)."
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


__all__ = ["NAMED", "Notes"]
