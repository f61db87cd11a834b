"""Generate a fictional national election for reconciliation: municipal counts (EML 510b)
and the district counts (EML 510c) they are reconciled against, with seeded faults.

The lists and candidates are those of ``generate_eml.make_plan`` (the same for every
municipality, as in a Tweede Kamer election with one list per party); each municipality
has its own polling stations (``generate_eml.make_station`` with its own seed). Files are
written minified, like the counting software's own exports.

Faults (``faults=True``, at least 4 municipalities), recorded in ``expected.json``:

* the first municipality's district keyed only lists 1-4 (the Boxmeer case);
* the second municipality's file moved votes from list 2 to list 3 at one station;
* the third municipality's file is cut off half way (unreadable);
* the fourth municipality is missing from its district's count (no reference).

Every ``csv_every``-th other municipality is delivered as the osv4-3 CSV instead (written by
telnorm's own exporter from the generated EML), so the set mixes EML and CSV as real
deliveries do.

Usage::

    python benchmarks/national.py OUT_DIR [--municipalities 350 --stations 5 --lists 26]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_eml import (
    REJECTED_CODES,
    UNCOUNTED_CODES,
    Plan,
    Station,
    make_plan,
    make_station,
)

ELECTION_ID = "TK2026"
NS = (
    'xmlns="urn:oasis:names:tc:evs:schema:eml" xmlns:kr="http://www.kiesraad.nl/extensions" '
    'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
)
MOVED = 7  # votes moved from list 2 to list 3 at one station (fault 2)


def _group(
    tag: str, unit: tuple[str, str] | None, station: Station, plan: Plan, keep: int | None = None
) -> str:
    parts = [f"<{tag}>"]
    if unit is not None:
        parts.append(
            f'<ReportingUnitIdentifier Id="{unit[0]}">{escape(unit[1])}</ReportingUnitIdentifier>'
        )
    for index, votes in enumerate(station.lists):
        if keep is not None and index >= keep:
            break
        item = plan.lists[index]
        parts.append(
            f'<Selection><AffiliationIdentifier Id="{item.number}"><RegisteredName>'
            f"{escape(item.name)}</RegisteredName></AffiliationIdentifier>"
            f"<ValidVotes>{votes}</ValidVotes></Selection>"
        )
        for position, value in enumerate(station.candidates[index], start=1):
            parts.append(
                f'<Selection><Candidate><CandidateIdentifier Id="{position}"></CandidateIdentifier>'
                f"</Candidate><ValidVotes>{value}</ValidVotes></Selection>"
            )
    parts.append(f"<Cast>{station.cast}</Cast><TotalCounted>{station.total_counted}</TotalCounted>")
    for code in REJECTED_CODES:
        parts.append(f'<RejectedVotes ReasonCode="{code}">{station.rejected[code]}</RejectedVotes>')
    for code in UNCOUNTED_CODES:
        parts.append(
            f'<UncountedVotes ReasonCode="{code}">{station.uncounted[code]}</UncountedVotes>'
        )
    parts.append(f"</{tag}>")
    return "".join(parts)


def _header(eml_id: str, authority: tuple[str, str], contest: str) -> str:
    return (
        f'<EML {NS} Id="{eml_id}" SchemaVersion="5"><TransactionId>1</TransactionId>'
        f'<ManagingAuthority><AuthorityIdentifier Id="{authority[0]}">{escape(authority[1])}'
        "</AuthorityIdentifier><AuthorityAddress></AuthorityAddress></ManagingAuthority>"
        "<kr:CreationDateTime>2026-10-30T10:00:00.000</kr:CreationDateTime><Count>"
        f'<EventIdentifier></EventIdentifier><Election><ElectionIdentifier Id="{ELECTION_ID}">'
        "<ElectionName>Tweede Kamer der Staten-Generaal 2026</ElectionName>"
        "<ElectionCategory>TK</ElectionCategory><kr:ElectionSubcategory>TK</kr:ElectionSubcategory>"
        "<kr:ElectionDate>2026-10-28</kr:ElectionDate></ElectionIdentifier><Contests><Contest>"
        f'<ContestIdentifier Id="{contest}"></ContestIdentifier>'
    )


_FOOTER = "</Contest></Contests></Election></Count></EML>"


def _add(total: Station, station: Station) -> None:
    total.cast += station.cast
    for i, votes in enumerate(station.lists):
        total.lists[i] += votes
        for p, value in enumerate(station.candidates[i]):
            total.candidates[i][p] += value
    for code, value in station.rejected.items():
        total.rejected[code] = total.rejected.get(code, 0) + value
    for code, value in station.uncounted.items():
        total.uncounted[code] = total.uncounted.get(code, 0) + value


def _empty(plan: Plan, name: str) -> Station:
    return Station(0, name, 0, [0] * len(plan.lists), [[0] * i.candidates for i in plan.lists])


def _municipality(
    plan: Plan, code: str, name: str, district: int, path: Path, move: bool
) -> tuple[Station, Station]:
    """Write the municipal 510b; returns (the true total, the total the file states)."""
    true_total, file_total = _empty(plan, name), _empty(plan, name)
    groups = []
    for number in range(1, plan.stations + 1):
        station = make_station(plan, number)
        _add(true_total, station)
        if move and number == 1:
            # fault 2: MOVED votes keyed on list 3 instead of list 2 (on their first
            # candidates), the station's own arithmetic left consistent
            station.lists[1] -= MOVED
            station.lists[2] += MOVED
            station.candidates[1][0] -= MOVED
            station.candidates[2][0] += MOVED
        _add(file_total, station)
        groups.append(
            _group(
                "ReportingUnitVotes", (f"{code}::SB{number}", f"Stembureau {number}"), station, plan
            )
        )
    head = _header("510b", (code, name), str(district))
    body = head + _group("TotalVotes", None, file_total, plan) + "".join(groups) + _FOOTER
    path.write_text(body, encoding="utf-8")
    return true_total, file_total


def _to_csv(path: Path) -> None:
    """Replace the EML file by the osv4-3 CSV of the same count (telnorm's own exporter)."""
    from telnorm.parsers.api import Limits
    from telnorm.service.export.job import normalise_export_job
    from telnorm.service.pipeline import InputFile, NormaliseOptions

    exported = normalise_export_job(
        InputFile(path, path.name), {}, NormaliseOptions(), Limits(), "osv4-3", {}
    )
    path.with_name(path.name.replace(".eml.xml", ".csv")).write_bytes(exported.content)
    path.unlink()


def build(
    out: Path,
    municipalities: int = 24,
    stations: int = 5,
    lists: int = 12,
    districts: int = 4,
    seed: int = 1,
    faults: bool = True,
    csv_every: int = 5,
) -> dict[str, Any]:
    """Write the set into ``out`` (``municipal/`` and ``districts/``); returns expectations."""
    if faults and municipalities < 4:
        raise ValueError("the seeded faults need at least 4 municipalities")
    base = make_plan(seed, stations, lists, "Nederland")
    (out / "municipal").mkdir(parents=True, exist_ok=True)
    (out / "districts").mkdir(parents=True, exist_ok=True)
    units: dict[int, list[str]] = {d: [] for d in range(1, districts + 1)}
    totals: dict[int, Station] = {d: _empty(base, f"HSB{d}") for d in units}
    expected: dict[str, Any] = {}
    for i in range(municipalities):
        code, name, district = f"{i + 1:04d}", f"Testdorp {i + 1}", i % districts + 1
        plan = replace(base, seed=seed * 100_000 + i + 1)
        path = out / "municipal" / f"Telling_{ELECTION_ID}_gemeente_{code}.eml.xml"
        true_total, file_total = _municipality(plan, code, name, district, path, faults and i == 1)
        if csv_every and i >= 4 and i % csv_every == 0:
            _to_csv(path)
        keep = 4 if faults and i == 0 else None
        if faults and i == 2:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
            expected[code] = {"status": "unreadable"}
        if faults and i == 3:
            expected[code] = {"status": "unmatched"}
            continue
        reference = true_total
        if keep is not None:
            reference = _empty(base, name)
            reference.cast = true_total.cast
            reference.lists[:keep] = true_total.lists[:keep]
            reference.candidates[:keep] = true_total.candidates[:keep]
            reference.rejected, reference.uncounted = true_total.rejected, true_total.uncounted
            expected[code] = {
                "status": "differs",
                "differences": {
                    str(n + 1): file_total.lists[n]
                    for n in range(keep, lists)
                    if file_total.lists[n]
                },
            }
        elif faults and i == 1:
            expected[code] = {"status": "differs", "differences": {"2": -MOVED, "3": MOVED}}
        elif code not in expected:
            expected[code] = {"status": "equal"}
        units[district].append(
            _group("ReportingUnitVotes", (f"HSB{district}::{code}", name), reference, base, keep)
        )
        _add(totals[district], reference)
    for d, parts in units.items():
        head = _header("510c", (f"HSB{d}", f"Kieskring {d}"), str(d))
        body = head + _group("TotalVotes", None, totals[d], base) + "".join(parts) + _FOOTER
        (out / "districts" / f"Totaaltelling_{ELECTION_ID}_kieskring_{d}.eml.xml").write_text(
            body, encoding="utf-8"
        )
    (out / "expected.json").write_text(json.dumps(expected, indent=1), encoding="utf-8")
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--municipalities", type=int, default=24)
    parser.add_argument("--stations", type=int, default=5, help="polling stations per municipality")
    parser.add_argument("--lists", type=int, default=12)
    parser.add_argument("--districts", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--csv-every", type=int, default=5, help="every Nth as osv4-3 (0: none)")
    args = parser.parse_args(argv)
    build(
        args.out,
        args.municipalities,
        args.stations,
        args.lists,
        args.districts,
        args.seed,
        not args.no_faults,
        args.csv_every,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
