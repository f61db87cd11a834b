"""The control-protocol report of one count: parts A, B and C, as plain JSON-ready dicts.

Parts A and B list only stations with at least one finding; part C has every station and
list. ``checks`` says, per check, at how many stations it applied and where it could not
(a statistic the file does not state), so an empty part never hides a check that did not run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from telnorm.parsers.canonical import Document
from telnorm.service.protocol import checks
from telnorm.service.protocol.checks import DEFAULT_THRESHOLDS, Swap, Thresholds
from telnorm.service.protocol.neighbourhoods import NeighbourhoodTable
from telnorm.service.protocol.summary import summary_a, summary_b
from telnorm.service.validation.model import BLANCO, ONGELDIG

#: Each check with what it needs, for the ``checks`` block.
CHECK_NEEDS = {
    "no_explanation": "'geen verklaring'",
    "explanations_short": "admitted voters (D) and ballots (H, or E, F and G)",
    "recounted": "the investigations block (kr:ReportingUnitInvestigations)",
    "invalid_pct": "invalid votes (G) and ballots (H)",
    "blank_pct": "blank votes (F) and ballots (H)",
    "admitted_difference": "admitted voters (D) and ballots (H)",
    "list_deviations": "list votes",
    "swaps": "candidate votes, and at least "
    f"{DEFAULT_THRESHOLDS.swap_min_units_municipality} stations",
}


def _round(value: float) -> float:
    return round(value, 2)


class _Tally:
    """Where each check applied and where it could not."""

    def __init__(self) -> None:
        self.applied = dict.fromkeys(CHECK_NEEDS, 0)
        self.missing: dict[str, list[str]] = {key: [] for key in CHECK_NEEDS}

    def record(self, check: str, station: str, applies: bool) -> None:
        if applies:
            self.applied[check] += 1
        else:
            self.missing[check].append(station)

    def to_dict(self) -> dict[str, Any]:
        return {
            key: {
                "applied": self.applied[key],
                "not_applicable": self.missing[key],
                "needs": needs,
            }
            for key, needs in CHECK_NEEDS.items()
        }


def station_label(unit: Mapping[str, Any]) -> str:
    number = unit.get("number")
    return str(number) if number is not None else str(unit.get("id"))


class _Neighbourhoods:
    """Each station's neighbourhood reference: the summed votes of its neighbourhood."""

    def __init__(self, table: NeighbourhoodTable, units: Sequence[Mapping[str, Any]]) -> None:
        self.code_of = [table.neighbourhood_of(unit) for unit in units]
        members: dict[str, list[Mapping[str, Any]]] = {}
        for unit, code in zip(units, self.code_of, strict=True):
            if code is not None:
                members.setdefault(code, []).append(unit)
        self.size = {code: len(group) for code, group in members.items()}
        self.reference = {code: checks.add_groups(group) for code, group in members.items()}


def _swaps(
    total: Mapping[str, Any],
    unit: Mapping[str, Any],
    index: int,
    unit_count: int,
    neighbourhoods: _Neighbourhoods | None,
    thresholds: Thresholds,
) -> list[Swap] | None:
    municipality = checks.candidate_swaps(
        total, unit, unit_count, thresholds.swap_min_units_municipality, thresholds
    )
    local: list[Swap] | None = None
    code = neighbourhoods.code_of[index] if neighbourhoods is not None else None
    if neighbourhoods is not None and code is not None:
        local = checks.candidate_swaps(
            neighbourhoods.reference[code],
            unit,
            neighbourhoods.size[code],
            thresholds.swap_min_units_neighbourhood,
            thresholds,
        )
    if municipality is None:
        return None
    return checks.combine_swaps(municipality, local)


def _swap_dict(swap: Swap) -> dict[str, Any]:
    return {
        "affiliation_id": swap.affiliation_id,
        "over": {
            "candidate_id": swap.over.candidate_id,
            "votes": swap.over.votes,
            "expected": swap.over.expected,
        },
        "under": {
            "candidate_id": swap.under.candidate_id,
            "votes": swap.under.votes,
            "expected": swap.under.expected,
        },
    }


def _part_a(unit: Mapping[str, Any], station: str, tally: _Tally) -> dict[str, Any] | None:
    unexplained = checks.no_explanation(unit)
    short = checks.explanations_short(unit)
    recounted = checks.recounted(unit)
    tally.record("no_explanation", station, unexplained is not None)
    tally.record("explanations_short", station, short is not None)
    tally.record("recounted", station, recounted is not None)
    if not (unexplained or short):
        return None
    return {
        "station": station,
        "name": unit.get("name"),
        "no_explanation": unexplained,
        "explanations_short": short,
        "recounted": recounted,
        "summary": summary_a(unexplained, short, recounted),
    }


def _rejected_pct(
    unit: Mapping[str, Any], code: str, percent: float, station: str, key: str, tally: _Tally
) -> float | None:
    share = checks.rejected_share(unit, code)
    tally.record(key, station, share is not None)
    return _round(share.percent) if share is not None and share.crosses(percent) else None


def _part_b(
    total: Mapping[str, Any],
    unit: Mapping[str, Any],
    station: str,
    swaps: list[Swap] | None,
    thresholds: Thresholds,
    tally: _Tally,
    list_names: Mapping[str, str | None],
) -> dict[str, Any] | None:
    gap = checks.admitted_gap(unit)
    tally.record("admitted_difference", station, gap is not None)
    tally.record("list_deviations", station, bool(unit.get("selections")))
    tally.record("swaps", station, swaps is not None)
    deviations = checks.deviating_lists(total, unit, thresholds)
    entry: dict[str, Any] = {
        "station": station,
        "name": unit.get("name"),
        "zero_votes": checks.zero_votes(unit),
        "invalid_pct": _rejected_pct(
            unit, ONGELDIG, thresholds.invalid_pct, station, "invalid_pct", tally
        ),
        "blank_pct": _rejected_pct(unit, BLANCO, thresholds.blank_pct, station, "blank_pct", tally),
        "admitted_difference": gap.gap if gap is not None and gap.crosses(thresholds) else None,
        "ballots": gap.ballots if gap is not None else None,
        "list_deviations": [
            {
                "affiliation_id": d.affiliation_id,
                "share": _round(d.share),
                "rest_share": _round(d.rest_share),
            }
            for d in deviations
        ],
        "swaps": [_swap_dict(swap) for swap in swaps or ()],
        "recounted": checks.recounted(unit),
    }
    flagged = (
        entry["zero_votes"]
        or entry["list_deviations"]
        or entry["swaps"]
        or any(
            entry[key] is not None for key in ("invalid_pct", "blank_pct", "admitted_difference")
        )
    )
    if not flagged:
        return None
    entry["summary"] = summary_b(entry, list_names)
    return entry


def _part_c(
    total: Mapping[str, Any],
    unit: Mapping[str, Any],
    station: str,
    list_names: Mapping[str, str | None],
) -> list[dict[str, Any]]:
    return [
        {
            "station": station,
            "name": unit.get("name"),
            "affiliation_id": share.affiliation_id,
            "affiliation_name": list_names.get(share.affiliation_id),
            "votes": share.votes,
            "share": _round(share.share),
            "rest_share": _round(share.rest_share),
            "deviation": _round(share.deviation),
        }
        for share in checks.list_shares(total, unit)
    ]


def _header(document: Document) -> dict[str, Any]:
    election = document.get("election") or {}
    authority = document.get("managing_authority") or {}
    contest = document.get("contest") or {}
    return {
        "election": {
            "id": election.get("id"),
            "name": election.get("name"),
            "category": election.get("category"),
            "date": election.get("date"),
            "contest": contest.get("id"),
        },
        "authority": {"id": authority.get("id"), "name": authority.get("name")},
        "created": (document.get("document") or {}).get("created"),
        "level": (document.get("document") or {}).get("level"),
    }


def build_report(
    document: Document,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    neighbourhoods: NeighbourhoodTable | None = None,
) -> dict[str, Any]:
    """The report of one canonical document (see ``docs/protocol.md`` for its fields)."""
    total: Mapping[str, Any] = document.get("total_votes") or {}
    units: Sequence[Mapping[str, Any]] = document.get("reporting_unit_votes") or ()
    list_names = {a["id"]: a.get("name") for a in document.get("affiliations") or ()}
    local = _Neighbourhoods(neighbourhoods, units) if neighbourhoods is not None else None
    tally = _Tally()
    part_a: list[dict[str, Any]] = []
    part_b: list[dict[str, Any]] = []
    part_c: list[dict[str, Any]] = []
    for index, unit in enumerate(units):
        station = station_label(unit)
        swaps = _swaps(total, unit, index, len(units), local, thresholds)
        if (entry := _part_a(unit, station, tally)) is not None:
            part_a.append(entry)
        if (
            entry := _part_b(total, unit, station, swaps, thresholds, tally, list_names)
        ) is not None:
            part_b.append(entry)
        part_c.extend(_part_c(total, unit, station, list_names))
    return {
        **_header(document),
        "protocol_version": thresholds.version,
        "thresholds": {
            key: value for key, value in vars_of(thresholds).items() if key != "version"
        },
        "neighbourhoods_used": neighbourhoods is not None,
        "stations": len(units),
        "checks": tally.to_dict(),
        "a": part_a,
        "b": part_b,
        "c": part_c,
    }


def vars_of(thresholds: Thresholds) -> dict[str, Any]:
    return {name: getattr(thresholds, name) for name in thresholds.__dataclass_fields__}


__all__ = ["CHECK_NEEDS", "build_report", "station_label"]
