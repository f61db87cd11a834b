"""From what was read to the canonical document: pointers, corrections, checks, refusal.

Every number gets the JSON Pointer of its place in the document first; corrections (by
pointer) replace values next; then the checks run; only a reading without a single doubtful
number becomes a document. Otherwise :class:`DoubtfulNumbers` lists each one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from telnorm.parsers.api import ParseContext
from telnorm.parsers.canonical import Document, Selection, new_vote_group
from telnorm.parsers.errors import DoubtfulNumbers, StructureError
from telnorm.parsers.pdf.checks import Doubts, sequence
from telnorm.parsers.pdf.record import ListRead, Reading, RecordRead
from telnorm.parsers.pdf.words import location

_CATEGORIES = (
    ("tweede kamer", "TK", "Tweede Kamer der Staten-Generaal"),
    ("eerste kamer", "EK", "Eerste Kamer der Staten-Generaal"),
    ("europees parlement", "EP", "Europees Parlement"),
    ("provinciale staten", "PS", None),
    ("gemeenteraad", "GR", None),
    ("algemeen bestuur", "AB", None),
)


@dataclass(frozen=True)
class Thresholds:
    min_conf: float
    min_conf_checked: float


def stat_pointer(key: str) -> str:
    if key.startswith("rejected:"):
        return "/total_votes/rejected_votes/" + key.split(":", 1)[1]
    if key.startswith("uncounted:"):
        return "/total_votes/uncounted_votes/" + key.split(":", 1)[1]
    return "/total_votes/" + key


def point_readings(record: RecordRead) -> list[Reading]:
    """Every number read, each given the JSON Pointer of its place in the document."""
    readings: list[Reading] = []
    for i, lst in enumerate(record.lists):
        lst.number.pointer = f"/affiliations/{i}/id"
        readings.append(lst.number)
        base = f"/total_votes/selections/{i}"
        if lst.total is not None:
            lst.total.pointer = f"{base}/valid_votes"
            readings.append(lst.total)
        for j, row in enumerate(lst.candidates):
            row.position.pointer = f"/affiliations/{i}/candidates/{j}/id"
            row.votes.pointer = f"{base}/candidates/{j}/valid_votes"
            readings += [row.position, row.votes]
    for key, reading in record.stats.items():
        reading.pointer = stat_pointer(key)
        readings.append(reading)
    return readings


def apply_corrections(
    readings: list[Reading], corrections: Mapping[str, int], context: ParseContext
) -> None:
    by_pointer = {r.pointer: r for r in readings}
    for pointer, value in corrections.items():
        reading = by_pointer.get(pointer)
        if reading is None:
            from telnorm.parsers.errors import RequestError

            raise RequestError(
                f"The correction for {pointer!r} names no number of this record. Use the "
                "ids listed in the doubtful-numbers problem (JSON Pointers).",
                pointer=pointer,
            )
        context.note(
            "corrected",
            f"{pointer}: read as {reading.text!r}, set to {value} by a supplied correction.",
            location(reading.page, reading.bbox),
        )
        reading.value = value
        reading.corrected = True


def check(record: RecordRead, readings: list[Reading], thresholds: Thresholds) -> Doubts:
    doubts = Doubts()
    doubts.unreadable(readings)
    for key, first, second in record.conflicts:
        doubts.add(
            second,
            "stated-twice",
            f"{key} is stated twice: {first.text!r} and {second.text!r}.",
        )
    for lst in record.lists:
        if lst.total is None:
            doubts.add(
                lst.number,
                "missing-total",
                f"List {lst.number.text} has no readable 'Totaal' line.",
            )
        doubts.equation(
            "candidates-sum",
            lst.total,
            [row.votes for row in lst.candidates],
            f"Total of list {lst.number.text}",
        )
        sequence(doubts, [row.position for row in lst.candidates], "Position", from_one=True)
    sequence(doubts, [lst.number for lst in record.lists], "List number", from_one=False)
    _orphans(record, doubts)
    totals = [lst.total for lst in record.lists if lst.total is not None]
    stats = record.stats
    if len(totals) == len(record.lists):
        doubts.equation("lists-sum", stats.get("total_counted"), totals, "Valid votes")
    parts = [stats.get(k) for k in ("total_counted", "rejected:blanco", "rejected:ongeldig")]
    if all(p is not None for p in parts):
        doubts.equation(
            "votes-cast", stats.get("votes_cast"), [p for p in parts if p], "Ballots counted"
        )
    admitted = [
        stats.get("uncounted:" + k)
        for k in ("geldige stempassen", "geldige volmachtbewijzen", "geldige kiezerspassen")
    ]
    if all(p is not None for p in admitted):
        doubts.equation(
            "admitted",
            stats.get("uncounted:toegelaten kiezers"),
            [p for p in admitted if p],
            "Admitted voters",
        )
    doubts.confidence(readings, thresholds.min_conf, thresholds.min_conf_checked)
    return doubts


def _orphans(record: RecordRead, doubts: Doubts) -> None:
    """Rows outside any list: a list-totals table (each row must equal that list's total) or
    rows of a list whose heading was not read (refused: a list would be missing)."""
    by_number = {lst.number.value: lst for lst in record.lists if lst.number.value is not None}
    for row in record.orphans:
        row.votes.ident = f"p{row.votes.page}:row@{row.votes.bbox[1]:.0f}"
        value = row.position.value
        lst = by_number.get(value) if value is not None else None
        if lst is None or lst.total is None:
            doubts.add(
                row.votes,
                "outside-list",
                f"The row {row.position.text} {row.name!r} {row.votes.text} stands outside any "
                "list that was read: a list heading may be unreadable, so a list could be "
                "missing.",
            )
        elif row.votes.value == lst.total.value and lst.total.value is not None:
            doubts.covered.add(lst.total.pointer)
        else:
            doubts.add(
                lst.total,
                "stated-twice",
                f"List {lst.number.text}'s total is {lst.total.text} here and "
                f"{row.votes.text} on page {row.votes.page}.",
                other={"page": row.votes.page, "bbox": [round(v, 1) for v in row.votes.bbox]},
            )


def refuse(doubts: Doubts, method: str) -> DoubtfulNumbers:
    listed = doubts.listed()
    pages = sorted({e["page"] for e in listed})
    return DoubtfulNumbers(
        f"{len(listed)} number(s) of this record cannot be trusted ({method}); nothing is "
        f"returned rather than a guess. They are on page(s) {', '.join(map(str, pages))}. "
        "Check each against the paper record and send the right values as corrections "
        '(a JSON object of id -> number, e.g. {"' + listed[0]["id"] + '": 123}).',
        location={"page": listed[0]["page"], "bbox": listed[0]["bbox"]},
        doubtful=listed,
    )


def build(record: RecordRead, level: str, context: ParseContext) -> Document:
    """The canonical document of a fully vouched-for reading."""
    if not record.lists:
        raise StructureError(
            "No list with candidate votes was found in the record ('Lijstnummer' and rows of "
            "position, name and votes).",
            location={"page": 1},
        )
    total = new_vote_group()
    affiliations: list[dict[str, Any]] = []
    selections: list[Selection] = []
    total["selections"] = selections
    for lst in record.lists:
        affiliations.append(_affiliation(lst))
        selections.append(
            {
                "affiliation_id": str(_vouched(lst.number)),
                "valid_votes": _vouched(lst.total) if lst.total else None,
                "candidates": [
                    {
                        "candidate_id": str(_vouched(r.position)),
                        "valid_votes": _vouched(r.votes),
                    }
                    for r in lst.candidates
                ],
            }
        )
    _stats(record, total, context)
    for reading in _all_readings(record):
        context.locate(reading.pointer, location(reading.page, reading.bbox))
    return {
        "format_version": "1",
        "document": {"eml_id": None, "level": level, "created": None, "transaction_id": None},
        "election": _election(record),
        "contest": _contest(record),
        "managing_authority": _authority(record),
        "affiliations": affiliations,
        "total_votes": total,
        "reporting_unit_votes": [],
        "notes": [],
    }


def _vouched(reading: Reading) -> int:
    """The value of a number the checks passed (a missing one here is a telnorm bug: never
    let it become a 0 or a "None")."""
    if reading.value is None:
        raise RuntimeError(f"unchecked number {reading.pointer} reached the document")
    return reading.value


def _affiliation(lst: ListRead) -> dict[str, Any]:
    return {
        "id": str(_vouched(lst.number)),
        "name": lst.name,
        "candidates": [
            {"id": str(_vouched(r.position)), "name": r.name, "short_code": None}
            for r in lst.candidates
        ],
    }


def _stats(record: RecordRead, total: Any, context: ParseContext) -> None:
    for key, reading in record.stats.items():
        if key.startswith("rejected:"):
            total["rejected_votes"][key.split(":", 1)[1]] = reading.value
        elif key.startswith("uncounted:"):
            total["uncounted_votes"][key.split(":", 1)[1]] = reading.value
        else:
            total[key] = reading.value
    if total.get("total_counted") is None:
        total["total_counted"] = sum(s["valid_votes"] or 0 for s in total["selections"])
        context.note(
            "derived-total",
            "The record states no total of valid votes: total_counted is the sum of the "
            "list totals (each list total checked against its candidates).",
            None,
        )


def _all_readings(record: RecordRead) -> list[Reading]:
    out: list[Reading] = []
    for lst in record.lists:
        out.append(lst.number)
        if lst.total is not None:
            out.append(lst.total)
        for row in lst.candidates:
            out += [row.position, row.votes]
    out += record.stats.values()
    return out


def _election(record: RecordRead) -> dict[str, Any]:
    name = record.election_name
    category = None
    official = None
    lowered = (name or "").lower()
    for needle, code, full in _CATEGORIES:
        if needle in lowered:
            category, official = code, full
            break
    year = record.election_date[:4] if record.election_date else None
    return {
        "id": f"{category}{year}" if category and year else None,
        "name": f"{official} {year}" if official and year else name,
        "category": category,
        "subcategory": None,
        "date": record.election_date,
        "domain": None,
    }


def _contest(record: RecordRead) -> dict[str, Any]:
    if record.kieskring is not None:
        return {"id": record.kieskring[0], "name": record.kieskring[1]}
    return {"id": None, "name": None}


def _authority(record: RecordRead) -> dict[str, Any]:
    if record.kieskring is not None:
        return {"id": f"HSB{record.kieskring[0]}", "name": record.kieskring[1]}
    return {"id": None, "name": record.municipality}
