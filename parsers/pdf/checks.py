"""The record's own arithmetic and the OCR confidences: every number is vouched for, or doubtful.

Checks (each one an equation the record itself states):

* ``candidates-sum``: a list's candidate votes add up to the list total (its ``Totaal``);
* ``lists-sum``: the list totals add up to the valid votes, when the record states them;
* ``votes-cast``: valid + blank + invalid equals the ballots counted, when stated;
* ``admitted``: valid polling cards + proxies + voter cards equal the admitted voters;
* ``positions``: candidate positions run 1, 2, 3, ... in each list; list numbers increase;
* ``stations-sum``: per-station annexes and tables add up to the totals (tabular reader).

A number that fails a check, a token that is not a whole number, or an OCR reading below the
confidence threshold is *doubtful*. A number covered by a passing check needs
``min_conf_checked``; a number no check covers (a blank-vote count on a record that states no
ballot total) needs the stricter ``min_conf``. Any doubtful number refuses the whole reading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from telnorm.parsers.pdf.record import Reading
from telnorm.parsers.pdf.words import location


@dataclass
class Doubts:
    """Doubtful numbers, by pointer (the first reason found for a number wins)."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    covered: set[str] = field(default_factory=set)

    def add(self, reading: Reading, reason: str, message: str, **extra: Any) -> None:
        if reading.key in self.entries:
            return
        entry: dict[str, Any] = {
            "id": reading.key,
            "pointer": reading.pointer,
            **location(reading.page, reading.bbox),
            "read": reading.text,
            "value": reading.value,
            "reason": reason,
            "message": message,
        }
        if reading.conf is not None:
            entry["confidence"] = round(reading.conf, 1)
        entry.update(extra)
        self.entries[reading.key] = entry

    def equation(self, name: str, stated: Reading | None, parts: list[Reading], what: str) -> None:
        """``stated == sum(parts)``: covered when it holds, the stated number doubtful when
        not (with the expected sum and the parts involved)."""
        if stated is None or stated.value is None or any(p.value is None for p in parts):
            return
        computed = sum(p.value or 0 for p in parts)
        if computed == stated.value:
            self.covered.update(p.pointer for p in (stated, *parts))
            return
        self.add(
            stated,
            name,
            f"{what}: the record states {stated.value}, its parts add up to {computed}.",
            expected=computed,
            involved=[p.key for p in parts],
        )

    def unreadable(self, readings: Iterable[Reading]) -> None:
        for reading in readings:
            if reading.value is None and not reading.corrected:
                self.add(
                    reading,
                    "not-a-number",
                    f"{reading.text!r} is not a whole number.",
                )

    def confidence(self, readings: Iterable[Reading], min_conf: float, checked: float) -> None:
        for reading in readings:
            if reading.conf is None or reading.corrected:
                continue
            floor = checked if reading.pointer in self.covered else min_conf
            if reading.conf < floor:
                self.add(
                    reading,
                    "low-confidence",
                    f"OCR read {reading.text!r} with confidence {reading.conf:.0f} "
                    f"(needed: {floor:g}).",
                )

    def listed(self) -> list[dict[str, Any]]:
        return sorted(
            self.entries.values(),
            key=lambda e: (e["page"], e["bbox"][1], e["bbox"][0], e["id"]),
        )


def sequence(doubts: Doubts, readings: list[Reading], what: str, *, from_one: bool) -> None:
    """Numbers that must run 1, 2, 3 (candidate positions) or strictly increase (list
    numbers): the first one out of step is doubtful."""
    previous = 0
    for reading in readings:
        if reading.value is None:
            return
        ok = reading.value == previous + 1 if from_one else reading.value > previous
        if not ok:
            expected = previous + 1 if from_one else None
            doubts.add(
                reading,
                "sequence",
                f"{what} {reading.value} does not follow {previous}"
                + (f" (expected {expected})" if expected is not None else "")
                + ": a row may be missing or misread.",
            )
            return
        previous = reading.value
    if from_one:
        # positions 1..n with nothing missing: each is vouched for by its place
        doubts.covered.update(r.pointer for r in readings)
