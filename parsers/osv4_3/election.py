"""The election an osv4-3 CSV is about, from its ``Verkiezing`` line.

The counting software writes the election's name as the Kiesraad names it in EML
(``ElectionName``): ``Tweede Kamer der Staten-Generaal 2025``, ``Provinciale Staten Fryslân
2019``, ``Algemeen bestuur van het waterschap Scheldestromen 2023``, ``Gemeenteraad West Maas
en Waal 2022`` (a few put the year first: ``Gemeenteraad 2025 Juinen``). The category and the
year come from it, and so does the election's domain: the province, water board or
municipality the election is for. The Kiesraad's election id is ``<category><year>`` for the
national elections and ``<category><year>_<domain>`` for the others, the domain's name with
accents folded and everything but letters and digits left out (``PS2019_Fryslan``,
``GR2022_WestMaasenWaal``, ``GR2022_MiddenDelfland``, ``AB2023_Scheldestromen``).

The domain is never taken from ``Gebied``: that is the area of the count (a municipality of a
provincial election, a kieskring), not of the election.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: How the Kiesraad's election names start, per category (the longest phrases first).
_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("tweede kamer der staten-generaal", "TK"),
    ("tweede kamer", "TK"),
    ("eerste kamer der staten-generaal", "EK"),
    ("eerste kamer", "EK"),
    ("europees parlement", "EP"),
    ("provinciale staten", "PS"),
    ("algemeen bestuur", "AB"),
    ("waterschap", "AB"),
    ("gemeenteraad", "GR"),
    ("eilandsraad", "ER"),
    ("kiescollege", "GC"),
    ("bestuurscommissie", "BC"),
)
#: National elections: one id for the whole country, no domain.
_NATIONAL = frozenset({"TK", "EK", "EP"})
#: Words between the category and the domain's name (``van het waterschap Scheldestromen``).
_DOMAIN_LEAD = re.compile(r"^(?:van\s+(?:het|de)\s+)?(?:waterschap|hoogheemraadschap)?\s*", re.I)
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")


@dataclass(frozen=True)
class ElectionName:
    """What a ``Verkiezing`` line says."""

    name: str
    category: str | None
    year: str | None
    domain: str | None

    @property
    def id(self) -> str | None:
        if self.category is None or self.year is None:
            return None
        if self.category in _NATIONAL:
            return f"{self.category}{self.year}"
        if not self.domain:
            return None
        return f"{self.category}{self.year}_{id_part(self.domain)}"


def id_part(name: str) -> str:
    """A domain's name as the Kiesraad writes it in an election id: accents folded, only
    letters and digits (``Fryslân`` -> ``Fryslan``, ``Midden-Delfland`` -> ``MiddenDelfland``)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def read_election_name(name: str, date: str | None = None) -> ElectionName:
    """Category, year and domain of an election from its name (and date, for the year)."""
    text = " ".join(name.split())
    lowered = text.lower()
    category = None
    rest: str | None = None  # what follows the category phrase, when the name starts with it
    for phrase, code in _CATEGORIES:
        if lowered.startswith(phrase):
            category, rest = code, text[len(phrase) :]
            break
    else:
        # a name in another form (``Verkiezing gemeenteraad 2026``): the category only
        for phrase, code in _CATEGORIES:
            if phrase in lowered:
                category = code
                break
    year_match = _YEAR.search(text)
    year = year_match.group(1) if year_match else (date[:4] if date and len(date) >= 4 else None)
    domain = None
    if category is not None and category not in _NATIONAL and rest is not None:
        domain = _YEAR.sub(" ", rest)
        domain = _DOMAIN_LEAD.sub("", " ".join(domain.split())).strip(" -,") or None
    return ElectionName(text, category, year, domain)


__all__ = ["ElectionName", "id_part", "read_election_name"]
