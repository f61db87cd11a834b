"""The databank's regions: their codes, names, parents and order.

``G`` + CBS code for a municipality (``G0150``; ``G9010`` is the postal vote from abroad, under
K12), ``O`` + code for the public bodies 9001-9003, ``K`` + number for a Tweede Kamer district
(``HSB4`` -> ``K4``), ``P`` + CBS province code (``P23``; ``P99`` the non-provincial region
of the Caribbean district), ``L528`` for the Netherlands. A municipality's parent is its
kieskring, the grandparent that kieskring's province (:data:`PROVINCE_OF_DISTRICT`, the
Kieswet's art. E 1); a district's parent its province, the grandparent the country; a
province's parent the country. A municipality's kieskring comes from its count (a TK 510b's
contest id) or from an election tree (:func:`district_from_tree`); only a Tweede Kamer
count's districts are those kieskringen (:func:`is_national`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telnorm.parsers.databank.geography import (
    COUNTRY,
    PROVINCE_NAMES,
    PROVINCE_OF_DISTRICT,
    PUBLIC_BODIES,
)
from telnorm.parsers.eml.context import MASTER_TREE, ContextDocument, district_of
from telnorm.service.export.options import Header

_CBS = re.compile(r"(?:HSB\d+::)?(\d{4})")

_HSB = re.compile(r"HSB(\d+)")

#: The district in a unit id as a 510c (or a whole election's databank file) writes it.
_DISTRICT_OF_UNIT = re.compile(r"HSB(\d+)::")


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


def district_of_unit(identifier: str | None) -> str | None:
    """``K6`` for a unit id that names its district (``HSB6::0668``), else None."""
    match = _DISTRICT_OF_UNIT.match(identifier or "")
    return "K" + match.group(1) if match else None


def _category(value: object) -> str:
    return str(value or "").strip().upper()


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


def central_region(header: Header) -> str | None:
    """The region of a central count (``CSB``): the country for a Tweede Kamer, Eerste Kamer
    or European Parliament count, the province for a Provinciale Staten count whose domain
    names it (``PS2023_Drenthe`` -> ``P22``); else None (the caller passes region_code)."""
    if (header.authority_id or "").strip().upper() != "CSB":
        return None
    category = _category(header.election_category)
    if category in ("TK", "EK", "EP"):
        return COUNTRY
    if category == "PS":
        province = _PROVINCE_OF_NAME.get((header.domain_name or "").strip().lower())
        return "P" + province if province else None
    return None


def is_national(category: str | None, definition: ContextDocument | None) -> bool:
    """Whether the count's districts are the Tweede Kamer's kieskringen (K1-K20): a TK count,
    or one whose election is not known (a databank file read back names none, and its K
    codes are the databank's). A count of another election (a PS or AB count's districts
    are the province's or water board's own) is not."""
    if not category and definition is not None:
        category = definition.election.get("category")
    return _category(category or "TK") == "TK"


def district_from_tree(definition: ContextDocument | None, municipality: str) -> str | None:
    """``K6`` for a municipality of kieskring 6, from an election tree whose districts are the
    Tweede Kamer's: a TK 110a, or OSV's master tree (a PS or AB 110a has its own)."""
    if definition is None:
        return None
    category = _category(definition.election.get("category"))
    usable = definition.eml_id == MASTER_TREE or category == "TK"
    number = district_of(definition.region_tree, municipality) if usable else None
    return "K" + number.lstrip("0") if number and number.isdigit() else None


def region_order(code: str) -> tuple[str, int, str]:
    """Where a region's rows go: by level letter (G < K < L < O < P), then by number, so
    that ``K2`` comes before ``K10``."""
    number = code[1:]
    return code[:1], int(number) if number.isdigit() else -1, number


__all__ = [
    "COUNTRY",
    "PROVINCE_NAMES",
    "PROVINCE_OF_DISTRICT",
    "PUBLIC_BODIES",
    "Region",
    "central_region",
    "district_from_tree",
    "district_of_unit",
    "is_national",
    "lineage",
    "region_code",
    "region_name",
    "region_order",
]
