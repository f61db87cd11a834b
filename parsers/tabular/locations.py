"""The location map of a tabular count, kept compactly and written as a stream.

``locations=true`` on a 40 MB CSV located 4.6 million values: a pointer string, a small dict
and a dict insert each (about 0.8 µs a value), which made the map cost more than the rest of
the parse. Most values come from a family-a row, whose unit pointer, line and columns are
known at once: :meth:`TabularLocations.add_row` keeps one small record per row (the row's
line and the layout's shared ``(tail, column)`` pairs), and :meth:`iter_json` writes the
entries when the document is written, the bytes ``orjson.dumps`` of the full dict gives.
Every other value is stored as before, as a plain entry, in insertion order with them.

It is a read-only mapping to its readers (the validator's locator, tests): ``get`` computes a
row's entry when asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson

from telnorm.parsers.location_map import LocationMap

#: A row's located values: (pointer tail, 1-based column), in the order they are written.
Pairs = Sequence[tuple[str, int]]
_UNITS = "/reporting_unit_votes/"
_TOTAL = "/total_votes"


class _Row:
    __slots__ = ("line", "pairs", "pointer")

    def __init__(self, pointer: str, line: int, pairs: Pairs) -> None:
        self.pointer = pointer
        self.line = line
        self.pairs = pairs


class _Candidates:
    """One list's candidate votes of one unit: their cells, kept by the reader anyway
    (``(list id, candidate id) -> (sheet, row, column)``), in ballot order."""

    __slots__ = ("inner", "list_id", "order", "refs")

    def __init__(
        self, inner: str, list_id: str, order: Sequence[str], refs: Mapping[Any, Any]
    ) -> None:
        self.inner = inner  # '/reporting_unit_votes/7/selections/3/candidates/'
        self.list_id = list_id
        self.order = order
        self.refs = refs

    def location(self, k: int) -> dict[str, Any]:
        sheet, r, c = self.refs[(self.list_id, self.order[k])]
        if sheet.name is None:
            return {"line": sheet.row_numbers[r], "column": c + 1}
        found: dict[str, Any] = sheet.location(r, c)
        return found


class TabularLocations(LocationMap):
    """Plain entries and row records, in the order they were added.

    Writers add a row with :meth:`add_row`, and plain entries into :meth:`plain` (the current
    dict: written at dict speed) or by item assignment. A pointer is located once (each unit
    is built once); the reader does not look for the same pointer in two places.
    """

    def __init__(self) -> None:
        self._segments: list[dict[str, dict[str, Any]] | _Row | _Candidates] = []
        self._rows: dict[str, _Row] = {}
        self._candidates: dict[str, _Candidates] = {}

    # --- writing -----------------------------------------------------------------------

    def add_candidates(
        self, inner: str, list_id: str, order: Sequence[str], refs: Mapping[Any, Any]
    ) -> None:
        """The candidate votes of one list of one unit (pointers ``inner`` + ``k/valid_votes``),
        located from the reader's cell references when asked or written."""
        record = _Candidates(inner, list_id, order, refs)
        self._segments.append(record)
        self._candidates[inner] = record

    def plain(self) -> dict[str, dict[str, Any]]:
        """The dict plain entries go into now (after the last row record)."""
        last = self._segments[-1] if self._segments else None
        if not isinstance(last, dict):
            last = {}
            self._segments.append(last)
        return last

    def __setitem__(self, pointer: str, location: dict[str, Any]) -> None:
        self.plain()[pointer] = location

    def add_row(self, pointer: str, line: int, pairs: Pairs) -> None:
        """The values of the unit at ``pointer`` read from one text row at ``line``."""
        row = _Row(pointer, line, pairs)
        self._segments.append(row)
        self._rows[pointer] = row

    # --- reading -----------------------------------------------------------------------

    def get(self, pointer: str, default: Any = None) -> Any:
        inner, marker, rest = pointer.rpartition("/candidates/")
        record = self._candidates.get(inner + marker) if marker else None
        if record is not None:
            k, _, field = rest.partition("/")
            if field == "valid_votes" and _is_index(k) and int(k) < len(record.order):
                return record.location(int(k))
        group = _group_of(pointer)
        row = self._rows.get(group) if group is not None else None
        if row is not None and group is not None:
            tail = pointer[len(group) :]
            for candidate, column in row.pairs:
                if candidate == tail:
                    return {"line": row.line, "column": column}
        for segment in reversed(self._segments):  # rare: a finding's place
            if isinstance(segment, dict):
                found = segment.get(pointer)
                if found is not None:
                    return found
        return default

    def __iter__(self) -> Iterator[str]:
        for segment in self._segments:
            if isinstance(segment, dict):
                yield from segment
            elif isinstance(segment, _Row):
                yield from (segment.pointer + tail for tail, _c in segment.pairs)
            else:
                yield from (f"{segment.inner}{k}/valid_votes" for k in range(len(segment.order)))

    def __len__(self) -> int:
        return sum(_size(segment) for segment in self._segments)

    def __bool__(self) -> bool:
        return any(_size(segment) for segment in self._segments)

    def iter_json(self) -> Iterator[bytes]:
        """The map as JSON, the bytes ``orjson.dumps(dict(self))`` writes, in pieces."""
        yield b"{"
        first = True
        batch: list[str] = []
        for segment in self._segments:
            if isinstance(segment, dict):
                if batch:
                    piece = ",".join(batch).encode()
                    yield piece if first else b"," + piece
                    first, batch = False, []
                if segment:
                    piece = orjson.dumps(segment)[1:-1]
                    yield piece if first else b"," + piece
                    first = False
                continue
            if isinstance(segment, _Candidates):
                batch.extend(_candidate_entries(segment))
                continue
            key = orjson.dumps(segment.pointer).decode()[:-1]  # '"/reporting_unit_votes/7'
            line = segment.line
            batch.extend(
                f'{key}{_json_tail(tail)}":{{"line":{line},"column":{column}}}'
                for tail, column in segment.pairs
            )
            if len(batch) > 50_000:
                piece = ",".join(batch).encode()
                yield piece if first else b"," + piece
                first, batch = False, []
        if batch:
            piece = ",".join(batch).encode()
            yield piece if first else b"," + piece
        yield b"}"


def _size(segment: dict[str, dict[str, Any]] | _Row | _Candidates) -> int:
    if isinstance(segment, dict):
        return len(segment)
    return len(segment.pairs) if isinstance(segment, _Row) else len(segment.order)


def _candidate_entries(record: _Candidates) -> Iterator[str]:
    """A list's candidate entries as JSON members (the text orjson writes for them)."""
    key = orjson.dumps(record.inner).decode()[:-1]  # '"/reporting_unit_votes/7/selections/3/c...'
    refs, list_id = record.refs, record.list_id
    for k, candidate_id in enumerate(record.order):
        sheet, r, c = refs[(list_id, candidate_id)]
        if sheet.name is None:
            yield f'{key}{k}/valid_votes":{{"line":{sheet.row_numbers[r]},"column":{c + 1}}}'
        else:
            yield f'{key}{k}/valid_votes":' + orjson.dumps(sheet.location(r, c)).decode()


def _is_index(part: str) -> bool:
    return part.isdigit() and not (len(part) > 1 and part[0] == "0")


def _group_of(pointer: str) -> str | None:
    """The vote group a pointer lies in (``/total_votes``, ``/reporting_unit_votes/7``): the
    pointers row records are kept under."""
    if pointer.startswith(_TOTAL + "/"):
        return _TOTAL
    if pointer.startswith(_UNITS):
        index = pointer[len(_UNITS) :].partition("/")[0]
        return _UNITS + index
    return None


_TAILS: dict[str, str] = {}


def _json_tail(tail: str) -> str:
    """A pointer tail as it stands inside a JSON string (escaped once per distinct tail)."""
    found = _TAILS.get(tail)
    if found is None:
        found = _TAILS[tail] = orjson.dumps(tail).decode()[1:-1]
    return found
