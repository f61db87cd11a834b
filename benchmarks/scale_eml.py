"""Scale a real municipal 510b up to many polling stations (issue 18's benchmark input).

Issue 18 measures telnorm on a held-out 81 MB municipal 510b "scaled from a real count" (700
stations). This builds the same kind of file from a real count in the corpus: the stations of
the source are repeated round-robin (station ``i`` is a copy of source station ``i mod k``, with
its own identifier ``CBS::SB<i>`` and name), and ``TotalVotes`` is recomputed as the sum of the
stations so the file is as consistent as the source was. The real stations' own anomalies
(admitted voters against counted ballots, explanations) are kept, so ``telnorm validate``
reports findings on it, as it does on the held-out file.

The corpus file is read, never copied into the repository; the output goes to
``benchmarks/out/`` (git-ignored). It is written in the source's layout (the OSV2020 exports of
TK2025 are minified), one station at a time.

Usage::

    .venv/bin/python benchmarks/scale_eml.py OUT [--stations 700] [--source CORPUS_510B]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_SOURCE = CORPUS / "eml" / "510b" / "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml"
EML = "urn:oasis:names:tc:evs:schema:eml"
NUMBERS = ("ValidVotes", "Cast", "TotalCounted", "RejectedVotes", "UncountedVotes")


def _q(name: str) -> str:
    return f"{{{EML}}}{name}"


def _key(element: etree._Element, list_id: str | None) -> tuple[str, ...]:
    """Where a number sits in a vote group: the same key in every station and the total."""
    tag = etree.QName(element).localname
    if tag == "ValidVotes":
        selection = element.getparent()
        affiliation = selection.find(_q("AffiliationIdentifier"))
        if affiliation is not None:
            return ("list", affiliation.get("Id", ""))
        candidate = selection.find(f"{_q('Candidate')}/{_q('CandidateIdentifier')}")
        candidate_id = candidate.get("Id", "") if candidate is not None else ""
        return ("candidate", list_id or "", candidate_id)
    return (tag, *sorted(f"{k}={v}" for k, v in element.attrib.items()))


def _numbers(group: etree._Element) -> Counter[tuple[str, ...]]:
    found: Counter[tuple[str, ...]] = Counter()
    list_id: str | None = None
    for element in group.iter():
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag == "AffiliationIdentifier":
            list_id = element.get("Id")
        if tag in NUMBERS and (element.text or "").strip().isdigit():
            found[_key(element, list_id)] += int(element.text or "0")
    return found


def _write_numbers(group: etree._Element, totals: Counter[tuple[str, ...]]) -> None:
    list_id: str | None = None
    for element in group.iter():
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag == "AffiliationIdentifier":
            list_id = element.get("Id")
        if tag in NUMBERS and (element.text or "").strip().isdigit():
            element.text = str(totals[_key(element, list_id)])


def scale(source: Path, out: Path, stations: int) -> dict[str, int]:
    """Write ``out``: ``source`` with ``stations`` stations; returns what was written."""
    # The source is a small real file (about 1.7 MB): a whole tree is fine here.
    tree = etree.parse(str(source), etree.XMLParser(resolve_entities=False, no_network=True))
    root = tree.getroot()
    contest = root.find(f".//{_q('Contest')}")
    if contest is None:
        raise SystemExit(f"{source}: no Contest")
    units = contest.findall(_q("ReportingUnitVotes"))
    total = contest.find(_q("TotalVotes"))
    if not units or total is None:
        raise SystemExit(f"{source}: no TotalVotes or no ReportingUnitVotes")
    authority = root.find(f".//{_q('AuthorityIdentifier')}")
    cbs = authority.get("Id", "0000") if authority is not None else "0000"

    per_template = [_numbers(unit) for unit in units]
    uses = Counter(i % len(units) for i in range(stations))
    totals: Counter[tuple[str, ...]] = Counter()
    for index, count in uses.items():
        for key, value in per_template[index].items():
            totals[key] += value * count
    # A number only the total states (the electorate: stations write Cast 0) is scaled.
    factor = stations / len(units)
    for key, value in _numbers(total).items():
        if not totals[key] and value:
            totals[key] = round(value * factor)
    _write_numbers(total, totals)

    # The stations' text as the source writes it (its namespace prefixes, its layout): serialise
    # the tree once and cut it at the stations' tags; each copy then gets its own identifier.
    text = etree.tostring(root, encoding="unicode")
    start, end = "<ReportingUnitVotes>", "</ReportingUnitVotes>"
    first, last = text.index(start), text.rindex(end) + len(end)
    head, body, tail = text[:first], text[first:last], text[last:]
    templates = [start + part.split(end)[0] + end for part in body.split(start)[1:]]
    if len(templates) != len(units):
        raise SystemExit(f"{source}: stations are not written as plain <ReportingUnitVotes>")
    old_ids = [u.find(_q("ReportingUnitIdentifier")) for u in units]

    selections = 0
    with out.open("w", encoding="utf-8") as stream:
        stream.write('<?xml version="1.0" encoding="UTF-8"?>')
        stream.write(head)
        for i in range(stations):
            k = i % len(units)
            unit_text = templates[k]
            identifier = old_ids[k]
            if identifier is not None:
                was = f'<ReportingUnitIdentifier Id="{identifier.get("Id")}">'
                unit_text = unit_text.replace(
                    f"{was}{identifier.text or ''}</ReportingUnitIdentifier>",
                    f'<ReportingUnitIdentifier Id="{cbs}::SB{i + 1}">Stembureau {i + 1} '
                    f"(postcode: {1000 + i % 8999} AA)</ReportingUnitIdentifier>",
                    1,
                )
            selections += unit_text.count("<Selection>")
            stream.write(unit_text)
        stream.write(tail)
    lists = sum(1 for _ in units[0].iter(_q("AffiliationIdentifier")))
    return {
        "source": source.name,
        "stations": stations,
        "lists": lists,
        "candidates": sum(1 for _ in units[0].iter(_q("CandidateIdentifier"))),
        "selections": selections,
        "total_counted": totals[("TotalCounted",)],
        "bytes": out.stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--stations", type=int, default=700)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"{args.source} not found (the corpus sits beside the repository)", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    print(json.dumps(scale(args.source, args.out, args.stations)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
