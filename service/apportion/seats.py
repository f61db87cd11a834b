"""Seats per list: Kieswet chapter P, paragraph 2 (articles P 5 to P 10).

Exact arithmetic only (``fractions.Fraction``): the quota is rarely a whole number and a
float could decide a residual seat wrongly. A tie that the law leaves to the lot ("zo nodig
beslist het lot") is never picked: the apportionment stops there and the result carries
``tie`` with the lists involved and the seats left undecided.

Lijstencombinaties (P 1-P 4 of old) were abolished in 2017 (Stb. 2017, 227), so every list
competes on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

#: Below this number of seats residual seats go by largest remainders first (P 8).
REMAINDER_SYSTEM_BELOW = 19


@dataclass(frozen=True)
class ListVotes:
    """One list's votes (its stemcijfer) and, when known, how many candidates it has."""

    affiliation_id: str
    name: str | None
    votes: int
    candidates: int | None = None


@dataclass
class Standing:
    entry: ListVotes
    full: int = 0
    residual: int = 0
    #: residual seats won by largest remainder (P 8 lid 1) and by the one-each averages of
    #: P 8 lid 2: each list may win at most one of each.
    by_remainder: int = 0
    by_unique_average: int = 0

    @property
    def seats(self) -> int:
        return self.full + self.residual


class TieByLot(Exception):
    """The law leaves the choice to the lot: the apportionment stops here."""

    def __init__(self, article: str, lists: list[str], seats: int, reason: str) -> None:
        super().__init__(reason)
        self.info: dict[str, Any] = {
            "tie": True,
            "article": article,
            "lists": lists,
            "seats": seats,
            "reason": reason,
        }


def fraction_json(value: Fraction) -> dict[str, Any]:
    """A fraction for an auditor: exact (``"1200/23"``) and as a decimal to 4 places."""
    return {"fraction": f"{value.numerator}/{value.denominator}", "decimal": f"{float(value):.4f}"}


@dataclass
class SeatResult:
    seats: int
    total_votes: int
    quota: Fraction
    standings: list[Standing]
    steps: list[dict[str, Any]]
    tie: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    vacant: int = 0

    def seats_of(self) -> dict[str, int]:
        return {s.entry.affiliation_id: s.seats for s in self.standings}


class _Apportionment:
    def __init__(self, lists: list[ListVotes], seats: int, category: str | None) -> None:
        self.seats = seats
        self.category = (category or "").upper()
        self.total = sum(item.votes for item in lists)
        self.quota = Fraction(self.total, seats)
        self.standings = [Standing(item) for item in lists]
        self.steps: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.last_group: list[Standing] = []
        self.exhaustion = False
        self.residual_number = 0
        self.vacant = 0

    # --- helpers -------------------------------------------------------------------------

    def step(
        self, article: str, kind: str, standing: Standing | None, reason: str, **extra: Any
    ) -> None:
        entry: dict[str, Any] = {"step": len(self.steps) + 1, "article": article, "kind": kind}
        if standing is not None:
            entry["affiliation_id"] = standing.entry.affiliation_id
        entry.update(extra)
        entry["reason"] = reason
        self.steps.append(entry)

    def open_for_seat(self, s: Standing) -> bool:
        if s.entry.votes <= 0:
            return False
        if self.exhaustion and s.entry.candidates is not None:
            return s.seats < s.entry.candidates
        return True

    def average(self, s: Standing) -> Fraction:
        return Fraction(s.entry.votes, s.seats + 1)

    def remainder(self, s: Standing) -> Fraction:
        return s.entry.votes - s.full * self.quota

    # --- P 6 -------------------------------------------------------------------------------

    def full_seats(self) -> None:
        for s in self.standings:
            s.full = (s.entry.votes * self.seats) // self.total
            if s.full:
                self.step(
                    "P 6",
                    "full_seats",
                    s,
                    f"{s.entry.votes} votes hold the quota {s.full} time(s)",
                    seats=s.full,
                )

    # --- P 7 / P 8 ---------------------------------------------------------------------------

    def _choose(self) -> tuple[str, str, list[Standing], dict[str, Fraction]]:
        """The method for the next residual seat, and every list's value under it."""
        open_lists = [s for s in self.standings if self.open_for_seat(s)]
        if self.seats >= REMAINDER_SYSTEM_BELOW:
            if self.category == "TK":
                # P 7 lid 2: for the Tweede Kamer a list below the quota gets no residual seat
                open_lists = [s for s in open_lists if s.entry.votes >= self.quota]
            return (
                "P 7",
                "largest_average",
                open_lists,
                {s.entry.affiliation_id: self.average(s) for s in open_lists},
            )
        threshold = Fraction(3, 4) * self.quota
        by_remainder = [s for s in open_lists if s.entry.votes >= threshold and s.by_remainder == 0]
        if by_remainder:
            return (
                "P 8 lid 1",
                "largest_remainder",
                by_remainder,
                {s.entry.affiliation_id: self.remainder(s) for s in by_remainder},
            )
        unique = [s for s in open_lists if s.by_unique_average == 0]
        if unique:
            return (
                "P 8 lid 2",
                "largest_average_one_each",
                unique,
                {s.entry.affiliation_id: self.average(s) for s in unique},
            )
        # Every list had its one P 8 lid 2 seat: plain largest averages (as Abacus does).
        return (
            "P 8 lid 2",
            "largest_average",
            open_lists,
            {s.entry.affiliation_id: self.average(s) for s in open_lists},
        )

    def residual_seats(self, count: int) -> None:
        while count > 0:
            article, kind, eligible, values = self._choose()
            if not eligible:
                self.vacant += count
                self.step(
                    "P 10",
                    "vacant",
                    None,
                    f"{count} seat(s) cannot be assigned: every list is exhausted",
                    seats=count,
                )
                return
            best = max(values.values())
            group = [s for s in eligible if values[s.entry.affiliation_id] == best]
            if len(group) > count:
                ids = [s.entry.affiliation_id for s in group]
                raise TieByLot(
                    article,
                    ids,
                    count,
                    f"lists {', '.join(ids)} have the same {kind.replace('_', ' ')} "
                    f"({best.numerator}/{best.denominator}) for {count} remaining seat(s): "
                    "the law decides by lot",
                )
            for s in group:
                self.residual_number += 1
                s.residual += 1
                if kind == "largest_remainder":
                    s.by_remainder += 1
                elif kind == "largest_average_one_each":
                    s.by_unique_average += 1
                count -= 1
                shared = [g.entry.affiliation_id for g in group if g is not s]
                extra: dict[str, Any] = {"seat": self.residual_number, "value": fraction_json(best)}
                if shared:
                    extra["equal_with"] = shared
                self.step(
                    article,
                    kind,
                    s,
                    f"residual seat {self.residual_number}: highest {kind.replace('_', ' ')}",
                    **extra,
                )
            self.last_group = group

    # --- P 9 -------------------------------------------------------------------------------

    def absolute_majority(self) -> None:
        for s in self.standings:
            if 2 * s.entry.votes > self.total and 2 * s.seats <= self.seats:
                losers = [g for g in self.last_group if g is not s]
                if not losers:
                    self.notes.append(
                        f"List {s.entry.affiliation_id} has more than half of the votes but "
                        "not of the seats, and no other list won the last residual seat: P 9 "
                        "cannot be applied as written; check by hand."
                    )
                    return
                if len(losers) > 1:
                    ids = [g.entry.affiliation_id for g in losers]
                    raise TieByLot(
                        "P 9",
                        ids,
                        1,
                        f"lists {', '.join(ids)} won the last residual seats with equal "
                        "values: the lot decides which one gives a seat up for the majority",
                    )
                loser = losers[0]
                loser.residual -= 1
                if loser.by_unique_average:
                    loser.by_unique_average -= 1
                elif loser.by_remainder:
                    loser.by_remainder -= 1
                s.residual += 1
                self.step(
                    "P 9",
                    "absolute_majority",
                    s,
                    f"list {s.entry.affiliation_id} has more than half of the votes but not "
                    f"more than half of the seats: it gets the last residual seat of list "
                    f"{loser.entry.affiliation_id}",
                    from_affiliation_id=loser.entry.affiliation_id,
                )
                return

    # --- P 10 ------------------------------------------------------------------------------

    def list_exhaustion(self) -> None:
        freed = 0
        for s in self.standings:
            candidates = s.entry.candidates
            if candidates is None or s.seats <= candidates:
                continue
            excess = s.seats - candidates
            freed += excess
            for _ in range(excess):
                if s.residual:
                    s.residual -= 1
                else:
                    s.full -= 1
            self.step(
                "P 10",
                "list_exhaustion",
                s,
                f"list {s.entry.affiliation_id} has {candidates} candidate(s) for "
                f"{candidates + excess} seats: {excess} seat(s) pass to the other lists",
                seats=excess,
            )
        if freed:
            self.exhaustion = True
            self.residual_seats(freed)

    def run(self) -> SeatResult:
        tie: dict[str, Any] | None = None
        if self.total > 0:
            try:
                self.full_seats()
                self.residual_seats(self.seats - sum(s.full for s in self.standings))
                self.absolute_majority()
                self.list_exhaustion()
            except TieByLot as exc:
                tie = exc.info
                self.step(
                    exc.info["article"],
                    "tie",
                    None,
                    exc.info["reason"],
                    lists=exc.info["lists"],
                    seats=exc.info["seats"],
                )
        return SeatResult(
            self.seats,
            self.total,
            self.quota,
            self.standings,
            self.steps,
            tie,
            self.notes,
            self.vacant,
        )


def assign_seats(lists: list[ListVotes], seats: int, category: str | None = None) -> SeatResult:
    """Apportion ``seats`` over ``lists`` (P 5 quota, P 6 full seats, P 7/P 8 residual
    seats, P 9 absolute majority, P 10 list exhaustion). ``category`` is the election
    category (``TK`` applies P 7 lid 2)."""
    if seats <= 0:
        raise ValueError("seats must be positive")
    return _Apportionment(lists, seats, category).run()
