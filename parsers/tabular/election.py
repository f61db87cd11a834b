"""Election inference: election fields from a free-text name, and from a candidate list."""

from __future__ import annotations

import re
from typing import Any

from telnorm.parsers.tabular.assembly import DocBuilder

_CATEGORIES = (
    ("tweede kamer", "TK"),
    ("eerste kamer", "EK"),
    ("europees parlement", "EP"),
    ("provinciale staten", "PS"),
    ("gemeenteraad", "GR"),
    ("waterschap", "AB"),
    ("algemeen bestuur", "AB"),
    ("bestuurscommissie", "BC"),
    ("eilandsraad", "ER"),
    ("kiescollege", "GC"),
)


def infer_election(
    builder: DocBuilder, name: str | None, date: str | None, domain_name: str | None
) -> None:
    """Election fields from a free-text name such as ``Gemeenteraad West Maas en Waal 2022``."""
    election = builder.election
    election["name"] = name
    if date and re.match(r"^\d{4}-\d{2}-\d{2}$", date):
        election["date"] = date
    elif date:
        match = re.match(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$", date)
        if match:
            day, month, year_text = match.groups()
            election["date"] = f"{year_text}-{int(month):02d}-{int(day):02d}"
    if not name:
        return
    lowered = name.lower()
    category = next((cat for text, cat in _CATEGORIES if text in lowered), None)
    year_match = re.search(r"(19|20)\d{2}", name)
    year = year_match.group(0) if year_match else (election["date"] or "")[:4] or None
    election["category"] = category
    if category in ("TK", "EK", "EP"):
        election["subcategory"] = category
    if category and year:
        if category in ("TK", "EK", "EP"):
            election["id"] = f"{category}{year}"
        elif domain_name:
            place = re.sub(r"^(gemeente|provincie|waterschap)\s+", "", domain_name, flags=re.I)
            election["id"] = f"{category}{year}_{re.sub(r'[^A-Za-z0-9]', '', place)}"
        builder.context.note(
            "election-inferred",
            f"Election id {election['id']!r} and category {category!r} are inferred from the "
            f"name {name!r}; supply the candidate list to take them from the Kiesraad's file.",
            None,
        )


def apply_candidate_list_election(builder: DocBuilder, candidate_list: Any) -> None:
    """Take election and contest from a candidate list (they are authoritative there)."""
    election = getattr(candidate_list, "election", None) or {}
    for key in ("id", "name", "category", "subcategory", "date", "domain"):
        if election.get(key) is not None:
            builder.election[key] = election[key]
    # A municipal election's candidate list is issued by the municipality itself (a CBS code);
    # a TK/PS list comes from the CSB or a district and says nothing about this count's author.
    authority = getattr(candidate_list, "authority", None) or {}
    if builder.authority.get("id") is None and re.fullmatch(r"\d{4}", str(authority.get("id"))):
        builder.authority["id"] = authority["id"]
        builder.authority["name"] = builder.authority.get("name") or authority.get("name")
        builder.context.note(
            "authority-from-candidate-list",
            f"The file does not name its municipality; {authority['id']} is taken from the "
            "candidate list.",
            None,
        )
    contest = getattr(candidate_list, "contest", None) or {}
    for key in ("id", "name"):
        if contest.get(key) is not None:
            builder.contest[key] = contest[key]
