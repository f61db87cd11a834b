"""A telnorm parser plugin for TelStaat, the (made-up) counting tool of Lindewaarde.

TelStaat exports a count as UTF-8 ``key = value`` text: a magic first line
``# TELSTAAT <version>``, header keys for the election and the municipality, a ``[lijst N]``
section per list with its candidates, and a ``[stembureau N]`` section per polling station
with its counts (``lijst.N`` is the list total, ``lijst.N.M`` candidate M of list N)::

    # TELSTAAT 2
    verkiezing.id = GR2026_Lindewaarde
    gemeente.code = 9903

    [lijst 1]
    naam = Lindewaarde Lokaal
    kandidaat.1 = Jansen, A.

    [stembureau 1]
    naam = Raadhuis (postcode: 9903 AB)
    opgeroepenen = 1250
    lijst.1 = 310
    lijst.1.1 = 310

Everything the plugin needs comes from telnorm's public API, ``telnorm.parsers``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from telnorm.parsers import (
    FORMAT_VERSION,
    CandidateVotes,
    Detection,
    Document,
    InvalidValue,
    LimitExceeded,
    MalformedInput,
    ParseContext,
    Parser,
    ReportingUnit,
    Selection,
    Source,
    StructureError,
    VoteGroup,
    clean_unit_name,
    new_vote_group,
)

__all__ = ["TelStaatParser"]

_MAGIC = re.compile(rb"^\s*#\s*TELSTAAT\s+(\d+)(?:\.\d+)*\b")
_SECTION = re.compile(r"^\[\s*(lijst|stembureau)\s+(\d{1,6})\s*\]$")
_COUNT = re.compile(r"^\d{1,9}$")
_HEADER_KEYS = {
    "verkiezing.id": "election id",
    "verkiezing.naam": "election name",
    "verkiezing.soort": "election category",
    "verkiezing.datum": "election date",
    "gemeente.code": "CBS code of the municipality",
    "gemeente.naam": "name of the municipality",
}
_REQUIRED = ("verkiezing.id", "gemeente.code")
_STATISTICS = {
    "opgeroepenen": "cast",
    "geldig": "total_counted",
    "uitgebracht": "votes_cast",
}
_REJECTED = {"blanco": "blanco", "ongeldig": "ongeldig"}
_UNCOUNTED = {"stempassen": "geldige stempassen", "volmachten": "geldige volmachtbewijzen"}


@dataclass
class _List:
    number: str
    line: int
    name: str | None = None
    candidates: dict[str, str] = field(default_factory=dict)


@dataclass
class _Station:
    number: int
    line: int
    name: str | None = None
    group: VoteGroup = field(default_factory=new_vote_group)
    lists: dict[str, Selection] = field(default_factory=dict)
    #: Where each value came from, by its path inside the unit (``selections/1/2``).
    where: dict[str, dict[str, int]] = field(default_factory=dict)


class TelStaatParser(Parser):
    name = "telstaat"
    version = "1.0.0"
    api_version = "1.0"
    title = "TelStaat key=value export (Lindewaarde's counting tool)"
    media_types = ("text/plain",)
    extensions = (".txt", ".telstaat")

    def detect(self, head: bytes, filename: str | None) -> Detection:
        text = head.removeprefix(b"\xef\xbb\xbf")
        match = _MAGIC.match(text)
        if not match:
            return Detection.no("no '# TELSTAAT' first line")
        evidence = [f"first line '# TELSTAAT {match.group(1).decode()}'"]
        confidence = 0.9
        if b"[stembureau " in text:
            evidence.append("a [stembureau N] section")
            confidence = 0.97
        return Detection(confidence, tuple(evidence), "telstaat-" + match.group(1).decode())

    def parse(self, source: Source, context: ParseContext) -> Document:
        data = source.read_bytes()
        text = _decode(data)
        return _Reader(context).read(text)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidValue(
            "A TelStaat export is UTF-8 text, but this file has bytes that are not UTF-8. "
            "Export the count again from TelStaat.",
            location={"line": line, "column": column},
        ) from None


class _Reader:
    def __init__(self, context: ParseContext) -> None:
        self.context = context
        self.header: dict[str, str] = {}
        self.lists: dict[str, _List] = {}
        self.stations: dict[int, _Station] = {}
        self.seen: set[tuple[str, str]] = set()

    def read(self, text: str) -> Document:
        lines = text.splitlines()
        if len(lines) > self.context.limits.max_rows:
            raise LimitExceeded(
                f"The file has {len(lines)} lines; at most {self.context.limits.max_rows} "
                "are read.",
                location={"line": self.context.limits.max_rows + 1},
            )
        if not lines or not _MAGIC.match(lines[0].encode()):
            raise StructureError(
                "The file does not start with '# TELSTAAT <version>': it is not a TelStaat export.",
                location={"line": 1, "column": 1},
            )
        section: _List | _Station | None = None
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            match = _SECTION.match(line)
            if match:
                section = self._section(match.group(1), match.group(2), number)
                continue
            key, equals, value = line.partition("=")
            if not equals:
                raise MalformedInput(
                    f"Line {number} is neither '[section]' nor 'key = value': {line[:60]!r}.",
                    location={"line": number, "column": 1},
                )
            key, value = key.strip().lower(), value.strip()
            after = raw[raw.index("=") + 1 :]
            column = raw.index("=") + 2 + len(after) - len(after.lstrip())  # of the value, 1-based
            self._once(section, key, number)
            if section is None:
                self._header(key, value, number)
            elif isinstance(section, _List):
                self._list_key(section, key, value, number)
            else:
                self._station_key(section, key, value, number, column)
        return self._document(len(lines))

    def _once(self, section: _List | _Station | None, key: str, line: int) -> None:
        scope = "header" if section is None else f"{type(section).__name__}{section.number}"
        if (scope, key) in self.seen:
            raise StructureError(
                f"'{key}' is stated twice in the same section (line {line}).",
                location={"line": line, "column": 1},
            )
        self.seen.add((scope, key))

    def _section(self, kind: str, number: str, line: int) -> _List | _Station:
        if kind == "lijst":
            key = str(int(number))
            if key in self.lists:
                raise StructureError(
                    f"List {key} has two [lijst] sections.", location={"line": line, "column": 1}
                )
            self.lists[key] = _List(key, line)
            return self.lists[key]
        unit = int(number)
        if unit in self.stations:
            raise StructureError(
                f"Polling station {unit} has two [stembureau] sections.",
                location={"line": line, "column": 1},
            )
        self.stations[unit] = _Station(unit, line)
        return self.stations[unit]

    def _header(self, key: str, value: str, line: int) -> None:
        if key not in _HEADER_KEYS:
            self.context.note(
                "unknown-key", f"Header key '{key}' is not known; ignored.", {"line": line}
            )
            return
        self.header[key] = value

    def _list_key(self, section: _List, key: str, value: str, line: int) -> None:
        if key == "naam":
            section.name = value
        elif key.startswith("kandidaat.") and key[10:].isdigit():
            section.candidates[str(int(key[10:]))] = value
        else:
            self.context.note(
                "unknown-key", f"List key '{key}' is not known; ignored.", {"line": line}
            )

    def _count(self, value: str, line: int, column: int) -> int:
        if not _COUNT.match(value):
            raise InvalidValue(
                f"Line {line}: {value[:30]!r} is not a count (a whole number, at most 9 digits).",
                location={"line": line, "column": column},
            )
        return int(value)

    def _station_key(self, station: _Station, key: str, value: str, line: int, column: int) -> None:
        where = {"line": line, "column": column}
        path = key
        if key == "naam":
            station.name = value
            return
        group = station.group
        if key in _STATISTICS:
            path = _STATISTICS[key]
            count = self._count(value, line, column)
            if path == "cast":
                group["cast"] = count
            elif path == "total_counted":
                group["total_counted"] = count
            else:
                group["votes_cast"] = count
        elif key in _REJECTED:
            path = "rejected_votes/" + _REJECTED[key]
            group["rejected_votes"][_REJECTED[key]] = self._count(value, line, column)
        elif key in _UNCOUNTED:
            path = "uncounted_votes/" + _UNCOUNTED[key]
            group["uncounted_votes"][_UNCOUNTED[key]] = self._count(value, line, column)
        elif key.startswith("lijst."):
            parts = key.split(".")
            if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts[1:]):
                raise InvalidValue(
                    f"Line {line}: '{key}' should be 'lijst.N' or 'lijst.N.M'.", location=where
                )
            list_id = str(int(parts[1]))
            if list_id not in self.lists:
                raise StructureError(
                    f"Line {line} gives votes for list {list_id}, which has no [lijst "
                    f"{list_id}] section.",
                    location=where,
                )
            selection = station.lists.setdefault(
                list_id, {"affiliation_id": list_id, "valid_votes": None, "candidates": []}
            )
            votes = self._count(value, line, column)
            path = "selections/" + "/".join(str(int(p)) for p in parts[1:])
            if len(parts) == 2:
                selection["valid_votes"] = votes
            else:
                candidate: CandidateVotes = {
                    "candidate_id": str(int(parts[2])),
                    "valid_votes": votes,
                }
                selection["candidates"].append(candidate)
        else:
            self.context.note(
                "unknown-key", f"Station key '{key}' is not known; ignored.", {"line": line}
            )
            return
        station.where[path] = where

    def _locate(self, index: int, unit: ReportingUnit, station: _Station) -> None:
        """Record the JSON Pointer of every value read for this unit (when asked to)."""
        base = f"/reporting_unit_votes/{index}/"
        for s_index, selection in enumerate(unit.get("selections", [])):
            list_id = selection["affiliation_id"]
            if f"selections/{list_id}" in station.where:
                pointer = f"{base}selections/{s_index}/valid_votes"
                self.context.locate(pointer, station.where[f"selections/{list_id}"])
            for c_index, candidate in enumerate(selection["candidates"]):
                at = station.where.get(f"selections/{list_id}/{candidate['candidate_id']}")
                if at is not None:
                    pointer = f"{base}selections/{s_index}/candidates/{c_index}/valid_votes"
                    self.context.locate(pointer, at)
        for path, at in station.where.items():
            if not path.startswith("selections/"):
                self.context.locate(base + path.replace("~", "~0"), at)

    def _document(self, line_count: int) -> Document:
        for key in _REQUIRED:
            if key not in self.header:
                raise StructureError(
                    f"The header lacks '{key}' ({_HEADER_KEYS[key]}).",
                    location={"line": 2, "column": 1},
                )
        if not self.stations:
            raise StructureError(
                "The file has no [stembureau N] section: there are no counts in it.",
                location={"line": line_count, "column": 1},
            )
        code = self.header["gemeente.code"]
        list_order = sorted(self.lists, key=int)
        units: list[ReportingUnit] = []
        for number in sorted(self.stations):
            station = self.stations[number]
            name, postal = clean_unit_name(station.name)
            unit: ReportingUnit = {
                "id": f"{code}::SB{number}",
                "number": number,
                "name": name,
                "postal_code": postal,
                "kind": "polling_station",
                "cast": station.group.get("cast"),
                "total_counted": station.group.get("total_counted"),
                "rejected_votes": station.group.get("rejected_votes", {}),
                "uncounted_votes": station.group.get("uncounted_votes", {}),
            }
            if "votes_cast" in station.group:
                unit["votes_cast"] = station.group["votes_cast"]
            unit["selections"] = [station.lists[i] for i in list_order if i in station.lists]
            for selection in unit["selections"]:
                selection["candidates"].sort(key=lambda c: int(c["candidate_id"]))
            self._locate(len(units), unit, station)
            units.append(unit)
        self.context.note(
            "derived-total",
            "TelStaat exports no municipal total: total_votes is the sum of the stations.",
        )
        return {
            "format_version": FORMAT_VERSION,
            "document": {
                "eml_id": None,
                "level": "municipality",
                "created": None,
                "transaction_id": None,
            },
            "election": {
                "id": self.header["verkiezing.id"],
                "name": self.header.get("verkiezing.naam"),
                "category": self.header.get("verkiezing.soort"),
                "subcategory": None,
                "date": self.header.get("verkiezing.datum"),
                "domain": None,
            },
            "contest": {"id": "geen", "name": None},
            "managing_authority": {"id": code, "name": self.header.get("gemeente.naam")},
            "affiliations": [
                {
                    "id": i,
                    "name": self.lists[i].name,
                    "candidates": [
                        {"id": c, "name": n, "short_code": None}
                        for c, n in sorted(
                            self.lists[i].candidates.items(), key=lambda x: int(x[0])
                        )
                    ],
                }
                for i in list_order
            ],
            "total_votes": _sum(units, list_order),
            "reporting_unit_votes": units,
            "notes": [],
            "source": {"encoding": "utf-8", "media_type": "text/plain"},
        }


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _sum(units: list[ReportingUnit], list_order: list[str]) -> VoteGroup:
    """The municipal total: a number is only summed when every station states it."""
    total = new_vote_group()
    total["cast"] = _total(unit.get("cast") for unit in units)
    total["total_counted"] = _total(unit.get("total_counted") for unit in units)
    votes_cast = _total(unit.get("votes_cast") for unit in units)
    if votes_cast is not None:
        total["votes_cast"] = votes_cast
    for unit in units:
        for code, count in unit.get("rejected_votes", {}).items():
            total["rejected_votes"][code] = total["rejected_votes"].get(code, 0) + count
        for code, count in unit.get("uncounted_votes", {}).items():
            total["uncounted_votes"][code] = total["uncounted_votes"].get(code, 0) + count
    lists: dict[str, Selection] = {}
    candidates: dict[tuple[str, str], CandidateVotes] = {}
    for unit in units:
        for selection in unit.get("selections", []):
            list_id = selection["affiliation_id"]
            into = lists.setdefault(
                list_id, {"affiliation_id": list_id, "valid_votes": 0, "candidates": []}
            )
            into["valid_votes"] = _add(into["valid_votes"], selection["valid_votes"])
            for candidate in selection["candidates"]:
                key = (list_id, candidate["candidate_id"])
                if key not in candidates:
                    candidates[key] = {"candidate_id": key[1], "valid_votes": 0}
                    into["candidates"].append(candidates[key])
                candidates[key]["valid_votes"] += candidate["valid_votes"]
    total["selections"] = [lists[i] for i in list_order if i in lists]
    for selection in total["selections"]:
        selection["candidates"].sort(key=lambda c: int(c["candidate_id"]))
    return total


def _total(values: Iterable[int | None]) -> int | None:
    result: int | None = 0
    for value in values:
        result = _add(result, value)
    return result
