"""Generate a large, realistic municipal EML_NL 510b count for the performance benchmark.

The output has the structure of the real municipal counts (EML_NL 510b as exported by
OSV2020/Abacus for a municipal council election, like the corpus file
``Telling_GR2022_WestMaasenWaal.eml.xml``): one ``TotalVotes`` followed by one
``ReportingUnitVotes`` per polling station, each carrying every list (``AffiliationIdentifier``
with ``RegisteredName``) followed by all its candidates positionally, then ``Cast``,
``TotalCounted``, two ``RejectedVotes`` and the eleven ``UncountedVotes`` reason codes in the
order the real files use. The data is fictional (municipality "Grootstad", CBS code 0999).

The arithmetic is consistent, so the document normalises and validates without errors:

* a list's total is the sum of its candidates' votes; ``TotalCounted`` (E) the sum of the lists;
* A + B + C = D (``geldige stempassen`` + ``volmachtbewijzen`` + ``kiezerspassen`` =
  ``toegelaten kiezers``); C is 0 (municipal election);
* H = E + blanco + ongeldig equals D, except at a handful of stations (one in fifty) where one
  ballot more was counted than voters admitted: there ``meer getelde stembiljetten`` is 1 and
  explained as ``te veel uitgereikte stembiljetten``;
* ``TotalVotes`` is the sum over the polling stations of every field (``Cast`` included).

Determinism: the same ``--seed`` and sizes give byte-identical output. Every polling station
has its own random stream (seeded from the seed and its number), so the file is written in two
streamed passes: the first sums the stations into ``TotalVotes`` (which comes first in the
file), the second regenerates and writes them one at a time. Memory stays flat.

Formatting: ``--indent 2`` (default) writes the indented layout of the indented real exports
(``<?xml version="1.0"?>``, self-closing empty elements); with the default sizes that is about
100 MB. ``--indent 0`` writes the minified one-line layout of the OSV exports (explicit end
tags, no declaration), about 67 MB; ``--indent tab`` uses tabs.

Usage::

    python benchmarks/generate_eml.py OUT [--stations 450] [--lists 30] [--seed 1]
    python benchmarks/generate_eml.py /tmp/small.eml.xml --stations 3 --lists 3

It prints a one-line JSON summary (sizes and the total's key figures) on stdout.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape

# --- the fictional election -----------------------------------------------------------------

AUTHORITY_ID = "0999"
AUTHORITY_NAME = "Grootstad"
ELECTION_DATE = "2026-03-18"
CREATED = "2026-03-19T02:14:07.512"

NATIONAL_PARTIES = [
    "VVD",
    "GROENLINKS / Partij van de Arbeid (PvdA)",
    "D66",
    "CDA",
    "SP (Socialistische Partij)",
    "Partij voor de Dieren",
    "ChristenUnie",
    "Volt",
    "JA21",
    "BBB",
    "DENK",
    "50PLUS",
    "SGP",
    "PVV (Partij voor de Vrijheid)",
    "BIJ1",
    "Piratenpartij",
    "Forum voor Democratie",
]
LOCAL_PARTIES = [
    "Stadsbelangen {m}",
    "Leefbaar {m}",
    "Lokaal {m}",
    "Partij voor {m}",
    "Ouderenpartij {m}",
    "{m} Centraal",
    "Wijkpartij Noord",
    "Trots op {m}",
    "Onafhankelijk {m}",
    "Hart voor {m}",
    "Groen {m}",
    "Jong {m}",
    "Dorpenlijst {m}",
    "Burgerbelang {m}",
    "Sterk {m}",
    "Partij Nieuw {m}",
    "Gemeentebelangen {m}",
    "{m} Vooruit",
]
LOCATIONS = [
    "Gemeentehuis",
    "Stadhuis",
    "Bibliotheek",
    "Sporthal De Veste",
    "Wijkcentrum De Brug",
    "Basisschool De Regenboog",
    "Basisschool Het Kompas",
    "Dorpshuis De Schuur",
    "Buurthuis 't Centrum",
    "MFA De Rosmolen",
    "Kerkelijk Centrum De Ark",
    "Zorgcentrum Avondrust",
    "Station Centraal",
    "Cultuurhuis De Kroon",
    "Speeltuinvereniging Oost",
    "Clubhuis VV Grootstad",
    "Wijkgebouw De Linde",
    "Kulturhus d'n Dulper",
    "Theater De Schouw",
    "Gymzaal Zuid",
    "Mobiel stembureau",
    "Scoutinggebouw De Horst",
    "Brandweerkazerne",
    "Hogeschool Campus",
]
DISTRICTS = [
    "Centrum",
    "Noord",
    "Oost",
    "Zuid",
    "West",
    "Nieuw-West",
    "Oud-Zuid",
    "Haven",
    "De Vaart",
    "Molenwijk",
    "Schildersbuurt",
    "Bloemenbuurt",
    "Vogelwijk",
    "Kerkdorp",
    "Buitenveld",
]
POSTCODE_LETTERS = "ABCEGHJKLMNPRSTVWXZ"

REJECTED_CODES = ("ongeldig", "blanco")
UNCOUNTED_CODES = (
    "geldige stempassen",
    "geldige volmachtbewijzen",
    "geldige kiezerspassen",
    "toegelaten kiezers",
    "meer getelde stembiljetten",
    "minder getelde stembiljetten",
    "meegenomen stembiljetten",
    "te weinig uitgereikte stembiljetten",
    "te veel uitgereikte stembiljetten",
    "geen verklaring",
    "andere verklaring",
)
NAMESPACES = (
    'xmlns="urn:oasis:names:tc:evs:schema:eml" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
    'xmlns:kr="http://www.kiesraad.nl/extensions" '
    'xmlns:xal="urn:oasis:names:tc:ciq:xsdschema:xAL:2.0" '
    'xmlns:xnl="urn:oasis:names:tc:ciq:xsdschema:xNL:2.0"'
)
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"

#: One station in this many counts one ballot more than voters admitted (I = 1). Kept rare so
#: the municipal total's H - D stays under the W.203 warning threshold (15).
DISCREPANCY_EVERY = 50


# --- the plan: lists, candidates, stations ---------------------------------------------------


@dataclass(frozen=True)
class ListPlan:
    number: int
    name: str
    weight: float
    #: Cumulative candidate weights (position 1 first).
    candidate_weights: tuple[float, ...]

    @property
    def candidates(self) -> int:
        return len(self.candidate_weights)


@dataclass(frozen=True)
class Plan:
    seed: int
    stations: int
    lists: tuple[ListPlan, ...]
    municipality: str = AUTHORITY_NAME
    authority_id: str = AUTHORITY_ID


def make_plan(seed: int, stations: int, lists: int, municipality: str = AUTHORITY_NAME) -> Plan:
    """The fixed part: party names, list popularity, candidate counts and popularity."""
    rng = random.Random(f"plan:{seed}")
    names = [*NATIONAL_PARTIES, *(name.format(m=municipality) for name in LOCAL_PARTIES)]
    # Big parties usually get the low list numbers (last election's order), locals follow.
    chosen = (
        names[:lists]
        if lists <= len(names)
        else names + [f"Lijst {i}" for i in range(len(names) + 1, lists + 1)]
    )
    plans = []
    for number, name in enumerate(chosen, start=1):
        weight = rng.paretovariate(1.2) * (1.0 / (1.0 + 0.08 * number))
        count = rng.randint(30, 50)
        cumulative: list[float] = []
        running = 0.0
        for position in range(1, count + 1):
            # The list leader takes most preference votes; a few others are locally popular.
            share = 5.0 if position == 1 else 1.0 / position**1.1
            if position > 1 and rng.random() < 0.08:
                share *= rng.uniform(3, 12)
            running += share
            cumulative.append(running)
        plans.append(ListPlan(number, name, weight, tuple(cumulative)))
    # One list in a large field has no appellation (registered without a name), as happens.
    if lists >= 20:
        last = plans[-1]
        plans[-1] = ListPlan(last.number, "", last.weight, last.candidate_weights)
    return Plan(seed, stations, tuple(plans), municipality)


@dataclass
class Station:
    """The numbers of one polling station (or, summed, of the total)."""

    number: int
    name: str
    cast: int = 0
    lists: list[int] = field(default_factory=list)
    candidates: list[list[int]] = field(default_factory=list)
    rejected: dict[str, int] = field(default_factory=dict)
    uncounted: dict[str, int] = field(default_factory=dict)

    @property
    def total_counted(self) -> int:
        return sum(self.lists)


def _postcode(rng: random.Random) -> str:
    letters = rng.choice(POSTCODE_LETTERS) + rng.choice(POSTCODE_LETTERS)
    return f"{rng.randint(1000, 9999)} {letters}"


def _multinomial(rng: random.Random, total: int, cumulative: Sequence[float]) -> list[int]:
    """``total`` draws over categories with the given cumulative weights, counted."""
    counts = [0] * len(cumulative)
    if total:
        for index in rng.choices(range(len(cumulative)), cum_weights=cumulative, k=total):
            counts[index] += 1
    return counts


def make_station(plan: Plan, number: int) -> Station:
    """Station ``number`` (1-based), from its own seeded stream: the same every time."""
    rng = random.Random(f"station:{plan.seed}:{number}")
    location = rng.choice(LOCATIONS)
    district = rng.choice(DISTRICTS)
    name = f"Stembureau {location} {district} (postcode: {_postcode(rng)})"
    cast = rng.randint(1200, 2600)  # voters registered at this station
    admitted = round(cast * rng.uniform(0.45, 0.75))  # D
    proxies = round(admitted * rng.uniform(0.05, 0.12))  # B
    passes = 0  # C: no kiezerspassen in a municipal election
    stempassen = admitted - proxies - passes  # A
    surplus = 1 if number % DISCREPANCY_EVERY == DISCREPANCY_EVERY // 2 else 0
    ballots = admitted + surplus  # H
    blanco = round(ballots * rng.uniform(0.002, 0.008))
    ongeldig = round(ballots * rng.uniform(0.001, 0.005))
    counted = ballots - blanco - ongeldig  # E

    running = 0.0
    list_cumulative = []
    for item in plan.lists:
        running += item.weight * rng.lognormvariate(0.0, 0.3)
        list_cumulative.append(running)
    list_votes = _multinomial(rng, counted, list_cumulative)
    candidate_votes = [
        _multinomial(rng, votes, item.candidate_weights)
        for item, votes in zip(plan.lists, list_votes, strict=True)
    ]
    uncounted = dict.fromkeys(UNCOUNTED_CODES, 0)
    uncounted.update(
        {
            "geldige stempassen": stempassen,
            "geldige volmachtbewijzen": proxies,
            "geldige kiezerspassen": passes,
            "toegelaten kiezers": admitted,
            "meer getelde stembiljetten": surplus,
            "te veel uitgereikte stembiljetten": surplus,
        }
    )
    return Station(
        number=number,
        name=name,
        cast=cast,
        lists=list_votes,
        candidates=candidate_votes,
        rejected={"ongeldig": ongeldig, "blanco": blanco},
        uncounted=uncounted,
    )


def stations(plan: Plan) -> Iterator[Station]:
    for number in range(1, plan.stations + 1):
        yield make_station(plan, number)


def total_of(plan: Plan) -> Station:
    """The municipal total: every field summed over the stations (first streamed pass)."""
    total = Station(
        number=0,
        name=plan.municipality,
        lists=[0] * len(plan.lists),
        candidates=[[0] * item.candidates for item in plan.lists],
        rejected=dict.fromkeys(REJECTED_CODES, 0),
        uncounted=dict.fromkeys(UNCOUNTED_CODES, 0),
    )
    for station in stations(plan):
        total.cast += station.cast
        for index, votes in enumerate(station.lists):
            total.lists[index] += votes
            row = total.candidates[index]
            for position, value in enumerate(station.candidates[index]):
                row[position] += value
        for code, value in station.rejected.items():
            total.rejected[code] += value
        for code, value in station.uncounted.items():
            total.uncounted[code] += value
    return total


# --- writing ---------------------------------------------------------------------------------


class Layout:
    """Indentation and empty-element style; pre-renders the repeated fragments."""

    def __init__(self, indent: str, plan: Plan) -> None:
        self.pretty = indent != ""
        self.indent = indent
        self.nl = "\n" if self.pretty else ""
        nl = self.nl
        # Selection children sit at depth 6 (EML=0, Count, Election, Contests, Contest, group).
        s, c, cc = self.pad(6), self.pad(7), self.pad(8)
        self.candidate_prefix: list[list[str]] = []
        self.list_prefix: list[str] = []
        for item in plan.lists:
            name = escape(item.name)
            self.list_prefix.append(
                f'{s}<Selection>{nl}{c}<AffiliationIdentifier Id="{item.number}">{nl}'
                f"{cc}<RegisteredName>{name}</RegisteredName>{nl}{c}</AffiliationIdentifier>{nl}"
                f"{c}<ValidVotes>"
            )
            self.candidate_prefix.append(
                [
                    f"{s}<Selection>{nl}{c}<Candidate>{nl}"
                    f"{cc}{self.empty('CandidateIdentifier', self.id_attribute(position))}{nl}"
                    f"{c}</Candidate>{nl}{c}<ValidVotes>"
                    for position in range(1, item.candidates + 1)
                ]
            )
        self.selection_suffix = f"</ValidVotes>{nl}{s}</Selection>{nl}"

    @staticmethod
    def id_attribute(value: int) -> str:
        return f'Id="{value}"'

    def pad(self, depth: int) -> str:
        return self.indent * depth

    def empty(self, tag: str, attributes: str = "") -> str:
        space = " " if attributes else ""
        if self.pretty:
            return f"<{tag}{space}{attributes}/>"
        return f"<{tag}{space}{attributes}></{tag}>"

    def line(self, depth: int, text: str) -> str:
        return f"{self.pad(depth)}{text}{self.nl}"


def _group(layout: Layout, station: Station, total: bool) -> str:
    """One ``TotalVotes`` or ``ReportingUnitVotes`` element as text (a few hundred KB)."""
    tag = "TotalVotes" if total else "ReportingUnitVotes"
    parts = [layout.line(5, f"<{tag}>")]
    if not total:
        parts.append(
            layout.line(
                6,
                f'<ReportingUnitIdentifier Id="{AUTHORITY_ID}::SB{station.number}">'
                f"{escape(station.name)}</ReportingUnitIdentifier>",
            )
        )
    suffix = layout.selection_suffix
    for index, votes in enumerate(station.lists):
        parts += (layout.list_prefix[index], str(votes), suffix)
        prefixes = layout.candidate_prefix[index]
        for position, value in enumerate(station.candidates[index]):
            parts += (prefixes[position], str(value), suffix)
    parts.append(layout.line(6, f"<Cast>{station.cast}</Cast>"))
    parts.append(layout.line(6, f"<TotalCounted>{station.total_counted}</TotalCounted>"))
    for code in REJECTED_CODES:
        value = station.rejected[code]
        parts.append(layout.line(6, f'<RejectedVotes ReasonCode="{code}">{value}</RejectedVotes>'))
    for code in UNCOUNTED_CODES:
        value = station.uncounted[code]
        parts.append(
            layout.line(6, f'<UncountedVotes ReasonCode="{code}">{value}</UncountedVotes>')
        )
    parts.append(layout.line(5, f"</{tag}>"))
    return "".join(parts)


def _header(layout: Layout, plan: Plan) -> str:
    m = escape(plan.municipality)
    line, empty = layout.line, layout.empty
    election_id = f"GR{ELECTION_DATE[:4]}_{plan.municipality.replace(' ', '')}"
    parts = ['<?xml version="1.0"?>\n'] if layout.pretty else []
    parts += [
        line(0, f'<EML {NAMESPACES} Id="510b" SchemaVersion="5">'),
        line(1, "<TransactionId>1</TransactionId>"),
        line(1, "<ManagingAuthority>"),
        line(2, f'<AuthorityIdentifier Id="{plan.authority_id}">{m}</AuthorityIdentifier>'),
        line(2, empty("AuthorityAddress")),
        line(1, "</ManagingAuthority>"),
        line(1, f"<kr:CreationDateTime>{CREATED}</kr:CreationDateTime>"),
        line(1, empty("ds:CanonicalizationMethod", f'Algorithm="{C14N}"')),
        line(1, "<Count>"),
        line(2, empty("EventIdentifier")),
        line(2, "<Election>"),
        line(3, f'<ElectionIdentifier Id="{escape(election_id)}">'),
        line(4, f"<ElectionName>Gemeenteraad {m} {ELECTION_DATE[:4]}</ElectionName>"),
        line(4, "<ElectionCategory>GR</ElectionCategory>"),
        line(4, "<kr:ElectionSubcategory>GR1</kr:ElectionSubcategory>"),
        line(4, f'<kr:ElectionDomain Id="{plan.authority_id}">{m}</kr:ElectionDomain>'),
        line(4, f"<kr:ElectionDate>{ELECTION_DATE}</kr:ElectionDate>"),
        line(3, "</ElectionIdentifier>"),
        line(3, "<Contests>"),
        line(4, "<Contest>"),
        line(5, empty("ContestIdentifier", 'Id="geen"')),
    ]
    return "".join(parts)


def _footer(layout: Layout) -> str:
    line = layout.line
    return "".join(
        [
            line(4, "</Contest>"),
            line(3, "</Contests>"),
            line(2, "</Election>"),
            line(1, "</Count>"),
            line(0, "</EML>"),
        ]
    )


def parse_indent(value: str) -> str:
    """``2`` -> two spaces, ``0`` -> minified, ``tab`` -> a tab."""
    if value == "tab":
        return "\t"
    try:
        width = int(value)
    except ValueError:
        message = f"indent must be a number or 'tab', not {value!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not 0 <= width <= 8:
        raise argparse.ArgumentTypeError("indent must be between 0 and 8")
    return " " * width


def write(plan: Plan, out: TextIO, indent: str = "  ") -> Station:
    """Write the document to ``out`` in two streamed passes; returns the total."""
    layout = Layout(indent, plan)
    total = total_of(plan)
    out.write(_header(layout, plan))
    out.write(_group(layout, total, total=True))
    for station in stations(plan):
        out.write(_group(layout, station, total=False))
    out.write(_footer(layout))
    return total


def generate(
    path: Path,
    stations: int = 450,
    lists: int = 30,
    seed: int = 1,
    indent: str = "  ",
    municipality: str = AUTHORITY_NAME,
) -> dict[str, object]:
    """Generate the file at ``path``; returns a summary (sizes and the total's key figures)."""
    plan = make_plan(seed, stations, lists, municipality)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    temporary = path.with_name(path.name + ".part")
    with temporary.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        total = write(plan, out, indent)
    temporary.replace(path)
    return {
        "path": str(path),
        "bytes": path.stat().st_size,
        "seconds": round(time.perf_counter() - started, 2),
        "seed": seed,
        "stations": stations,
        "lists": lists,
        "candidates": sum(item.candidates for item in plan.lists),
        "total_counted": total.total_counted,
        "cast": total.cast,
        "toegelaten_kiezers": total.uncounted["toegelaten kiezers"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate a large, realistic, arithmetically consistent EML_NL 510b.",
    )
    parser.add_argument("out", type=Path, help="the file to write (e.g. benchmarks/out/x.eml.xml)")
    parser.add_argument("--stations", type=int, default=450, help="polling stations (450)")
    parser.add_argument("--lists", type=int, default=30, help="lists of 30-50 candidates each (30)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument(
        "--indent",
        type=parse_indent,
        default="2",
        help="spaces per level, 0 for the minified layout, or 'tab' (2)",
    )
    parser.add_argument("--municipality", default=AUTHORITY_NAME, help="fictional name (Grootstad)")
    args = parser.parse_args(argv)
    if args.stations < 1 or args.lists < 1:
        parser.error("--stations and --lists must be at least 1")
    summary = generate(
        args.out, args.stations, args.lists, args.seed, args.indent, args.municipality
    )
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
