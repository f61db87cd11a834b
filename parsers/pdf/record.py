"""Read the Kiesraad record models (N 10-1, N 11, O 3) from lines of positioned words.

The models print the same parts in the same words, whatever produced the PDF: per list a
``Partijnaam`` and ``Lijstnummer``, rows of ``position  name  votes``, a ``Totaal`` line with
the list total; statistic lines (``aantal blanco stemmen 845``); sentences with a number in
them (``In de stembureaus zijn 133 stembiljetten meer geteld``). The reader walks the lines in
page order with a small state (the open list), keeps every number as a :class:`Reading` (the
token, its page and box, the OCR confidence), and never interprets a damaged token: that is
the job of :mod:`telnorm.parsers.pdf.checks`, which refuses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from telnorm.parsers.pdf.layout import Line, looks_like_number, read_count
from telnorm.parsers.pdf.words import BBox, Word
from telnorm.parsers.tabular.vocabulary import field_for, is_number_field, normalise_label

#: ``Lijstnummer`` (and OCR's ``Lijsthummer``): ``lijst`` and a short word, then a number.
_LIST_HEADER = re.compile(r"^lijst[a-z]{0,8}[:.]?$", re.IGNORECASE)
_SENTENCES = (
    (
        re.compile(r"zijn\s+(\S+)\s+stembiljetten\s+meer\s+geteld", re.I),
        "meer getelde stembiljetten",
    ),
    (
        re.compile(r"zijn\s+(\S+)\s+stembiljetten\s+minder\s+geteld", re.I),
        "minder getelde stembiljetten",
    ),
)
#: Leading words a statistic line may carry before its vocabulary label.
_LEAD = re.compile(r"^(?:[a-j]\s+|het\s+|totaal\s+)+")


@dataclass
class Reading:
    """One number as printed: the token, where it is, how sure OCR was, what it is worth."""

    text: str
    value: int | None
    page: int
    bbox: BBox
    conf: float | None
    method: str
    pointer: str = ""
    corrected: bool = False
    #: The id a correction names: the JSON Pointer, or a printed table's cell (``p1!F17``).
    ident: str | None = None

    @property
    def key(self) -> str:
        return self.ident or self.pointer

    @classmethod
    def of(cls, word: Word, method: str) -> Reading:
        return cls(word.text, read_count(word.text), word.page, word.bbox, word.conf, method)


@dataclass
class CandidateRow:
    position: Reading
    name: str
    votes: Reading


@dataclass
class ListRead:
    number: Reading
    name: str | None
    candidates: list[CandidateRow] = field(default_factory=list)
    total: Reading | None = None
    heading: BBox | None = None


@dataclass
class RecordRead:
    """Everything read from the record's pages."""

    lists: list[ListRead] = field(default_factory=list)
    #: Statistic key (``total_counted``, ``rejected:blanco``, ``uncounted:<code>``, ...).
    stats: dict[str, Reading] = field(default_factory=dict)
    #: Rows shaped like ``number  name  number`` outside any list: a list-totals table, or
    #: candidates of a list whose heading was not read (checked, never dropped silently).
    orphans: list[CandidateRow] = field(default_factory=list)
    #: Statistic lines stated twice with different tokens: (key, first, second).
    conflicts: list[tuple[str, Reading, Reading]] = field(default_factory=list)
    election_name: str | None = None
    election_date: str | None = None
    kieskring: tuple[str, str | None] | None = None
    municipality: str | None = None
    annex_from: int | None = None


def read_record(pages: list[list[Line]], methods: dict[int, str]) -> RecordRead:
    """Walk the lines of all pages (each page's lines top to bottom)."""
    record = RecordRead()
    state = _State(record, methods)
    for lines in pages:
        for line in lines:
            if state.annex:
                break
            state.feed(line)
    return record


class _State:
    def __init__(self, record: RecordRead, methods: dict[int, str]) -> None:
        self.record = record
        self.methods = methods
        self.open: ListRead | None = None
        self.pending_name: tuple[str, BBox] | None = None
        self.annex = False

    def reading(self, word: Word) -> Reading:
        return Reading.of(word, self.methods.get(word.page, "text"))

    def feed(self, line: Line) -> None:
        label = line.label
        if label.startswith("bijlage"):
            self.annex = True
            self.record.annex_from = line.page
            return
        self._meta(line, label)
        rest = _after_label(line, "partijnaam")
        if rest is not None:
            header = next((i for i, w in enumerate(rest[:-1]) if _LIST_HEADER.match(w.text)), None)
            if header is not None and self._list_header(Line(rest[header:])):
                # ``Partijnaam VVD  Lijstnummer 1`` on one line
                assert self.open is not None
                self.open.name = " ".join(w.text for w in rest[:header]).strip() or None
                return
            name = " ".join(w.text for w in rest).strip() or None
            if self.open is not None and self.open.name is None and not self.open.candidates:
                self.open.name = name
            elif name is not None:
                self.pending_name = (name, line.bbox)
            return
        if self._list_header(line):
            return
        if self.open is not None and self._in_list(line, label):
            return
        if self._statistic(line, label) or self.open is not None:
            return
        row = _row(line)
        if row is not None and read_count(row.position.text) is not None:
            self.record.orphans.append(self._candidate(row))

    def _meta(self, line: Line, label: str) -> None:
        record = self.record
        text = line.text
        if record.election_name is None and "verkiezing van de" in label:
            found = re.search(r"verkiezing van (de .+)$", text, re.IGNORECASE)
            if found:
                record.election_name = found.group(1).strip()
        if record.election_date is None and label.startswith("datum stemming"):
            record.election_date = _dutch_date(label)
        if record.kieskring is None and label.startswith("kieskring"):
            found = re.match(r"kieskring\s+(\d+)\s*(?:\((.+)\))?", text.strip(), re.IGNORECASE)
            if found:
                name = found.group(2).strip() if found.group(2) else None
                record.kieskring = (found.group(1), name)
        if record.municipality is None and label.startswith("gemeente "):
            # ``Gemeente Lindehoven, stembureau 3 (Het Baken)``: the municipality only
            record.municipality = text.strip()[9:].split(",")[0].strip() or None

    def _list_header(self, line: Line) -> bool:
        words = line.words
        if len(words) < 2 or not _LIST_HEADER.match(words[0].text):
            if not (
                len(words) >= 3
                and normalise_label(words[0].text) == "lijst"
                and normalise_label(words[1].text) == "nr"
            ):
                return False
            words = [words[0], *words[2:]]
        number = words[1]
        if not looks_like_number(number.text):
            return False
        rest = " ".join(w.text for w in words[2:]).strip(" -:") or None
        name = rest
        if name is None and self.pending_name is not None:
            name = self.pending_name[0]
        self.pending_name = None
        self.open = ListRead(self.reading(number), name, heading=line.bbox)
        self.record.lists.append(self.open)
        return True

    def _in_list(self, line: Line, label: str) -> bool:
        """A candidate row or the list's total line; False for anything else."""
        assert self.open is not None
        words = line.words
        last = words[-1]
        if "totaal" in label and looks_like_number(last.text):
            self.open.total = self.reading(last)
            self.open = None
            return True
        row = _row(line)
        if row is None:
            return False
        self.open.candidates.append(self._candidate(row))
        return True

    def _candidate(self, row: RowShape) -> CandidateRow:
        """Readings (with this page's method) of a row shaped by :func:`_row`."""
        return CandidateRow(self.reading(row.position), row.name, self.reading(row.votes))

    def _statistic(self, line: Line, label: str) -> bool:
        for pattern, code in _SENTENCES:
            found = pattern.search(line.text)
            if found:
                token = found.group(1)
                word = next((w for w in line.words if w.text == token), None)
                if word is not None:
                    self._put(f"uncounted:{code}", self.reading(word))
                return True
        words = line.words
        if len(words) < 2 or not looks_like_number(words[-1].text):
            return False
        head = normalise_label(" ".join(w.text for w in words[:-1]))
        stripped = _LEAD.sub("", head)
        key = field_for(head) or field_for(stripped)
        if key is None and stripped.startswith("aantal "):
            key = field_for(stripped[7:])
        if key is None:
            key = phrase_field(stripped)
        if key is None or not is_number_field(key):
            return False
        self._put(key, self.reading(words[-1]))
        return True

    def _put(self, key: str, reading: Reading) -> None:
        seen = self.record.stats.get(key)
        if seen is None:
            self.record.stats[key] = reading
        elif seen.text != reading.text:
            self.record.conflicts.append((key, seen, reading))


@dataclass(frozen=True)
class RowShape:
    position: Word
    name: str
    votes: Word


def _row(line: Line) -> RowShape | None:
    """``position  name  votes``: a number, words with letters, and the votes cell.

    The votes cell stands apart at the right; whatever it holds there (``g`` for 9 is OCR's
    way) is the votes, kept as read and refused later if not a number. The same for a short
    first token in the position column (``L`` for 1).
    """
    words = line.words
    if len(words) < 3:
        return None
    first, middle, last = words[0], words[1:-1], words[-1]
    if not any(any(ch.isalpha() for ch in w.text) for w in middle):
        return None
    apart = last.x0 - middle[-1].x1 >= 4 * max(last.height, middle[-1].height)
    # a word (``stemmen`` of a header line) is not a damaged number: at most 4 characters
    if not (looks_like_number(last.text) or (apart and len(last.text) <= 4)):
        return None
    if not looks_like_number(first.text) and not (apart and len(first.text) <= 2):
        return None
    return RowShape(first, " ".join(w.text for w in middle), last)


def _after_label(line: Line, label: str) -> list[Word] | None:
    """The words after a leading label, also when OCR split it (``P artijnaam``)."""
    joined = ""
    for index, word in enumerate(line.words[:3]):
        joined += normalise_label(word.text).replace(" ", "")
        if joined == label:
            return line.words[index + 1 :]
        if not label.startswith(joined):
            return None
    return None


#: The record models' longer wordings of a statistic (``Aantal stembiljetten met een geldige
#: stem op een kandidaat``), by the words they contain; the first match wins, so the more
#: specific come first. Only for a line that ends in a number and that the vocabulary does
#: not know; two lines for one statistic that disagree are refused (``stated-twice``).
_PHRASES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("meer", "geteld"), "uncounted:meer getelde stembiljetten"),
    (("minder", "geteld"), "uncounted:minder getelde stembiljetten"),
    (("toegelaten kiezers",), "uncounted:toegelaten kiezers"),
    (("volmachtbewijs",), "uncounted:geldige volmachtbewijzen"),
    (("volmachtbewijzen",), "uncounted:geldige volmachtbewijzen"),
    (("stempas",), "uncounted:geldige stempassen"),
    (("kiezerspas",), "uncounted:geldige kiezerspassen"),
    (("blanco",), "rejected:blanco"),
    (("ongeldig",), "rejected:ongeldig"),
    (("op een kandidaat",), "total_counted"),
    (("op kandidaten",), "total_counted"),
    (("geldige stemmen",), "total_counted"),
    (("uitgebrachte stemmen",), "votes_cast"),
    (("getelde stembiljetten",), "votes_cast"),
    (("kiesgerechtigden",), "cast"),
)


def phrase_field(label: str) -> str | None:
    """The statistic a longer record wording names, by the words in it (or ``None``)."""
    padded = f" {label} "
    for needles, key in _PHRASES:
        if all(f" {needle}" in padded for needle in needles):
            return key
    return None


_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
        start=1,
    )
}


def _dutch_date(label: str) -> str | None:
    found = re.search(r"(\d{1,2}) ([a-z]+) (\d{4})", label)
    if not found or found.group(2) not in _MONTHS:
        return None
    return f"{found.group(3)}-{_MONTHS[found.group(2)]:02d}-{int(found.group(1)):02d}"
