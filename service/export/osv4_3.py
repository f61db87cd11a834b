"""Write a canonical document as the "osv4-3" CSV that municipalities publish.

The layout is today's (2022 and later) form, as in the corpus files
``osv4-3_telling_*_westmaasenwaal.csv``:

* UTF-8 with a byte-order mark, ``;`` between cells, ``\\n`` between lines, no line end after
  the last line; every non-empty cell in double quotes (a quote inside doubled), empty cells
  empty;
* a preamble ``"Verkiezing";;name``, ``"Datum";;date``, ``"Gebied";;"Gemeente <name>"``,
  ``"Nummer";;authority id``, then one blank line;
* a wide table: the header row (``Lijstnummer``, ``Aanduiding``, ``Volgnummer``,
  ``Naam kandidaat``, ``Totaal``, then one column per reporting unit, named by its canonical
  name: the municipality's own name of the station), a ``Gebiednummer`` and (for polling
  stations) a ``Postcode`` row, the statistic rows of :data:`STATISTICS` that the count has
  (a row whose every cell would be empty is not written), then per list a list row and its
  candidate rows.

A number the document does not state is an empty cell (never ``"0"``). ``aangetroffen
stembiljetten`` is the stated H (``votes_cast``) or else H = E + F + G. Postal-vote reason
codes (``geen briefstembiljetten``, ...) have no row in the published layout; they get one,
labelled with the EML reason code, after ``andere verklaring`` only when the document has them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from telnorm.parsers.canonical import (
    REJECTED_REASON_CODES,
    UNCOUNTED_REASON_CODES,
    Document,
    derived_votes_cast,
)
from telnorm.service.export.options import (
    ExportOptions,
    Requirements,
    check_representable,
    resolve_header,
)

MEDIA_TYPE = "text/csv; charset=utf-8"

Getter = Callable[[Mapping[str, Any]], int | None]


@dataclass(frozen=True)
class _Uncounted:
    """The getter of one UncountedVotes reason code (a class, so its code can be read)."""

    code: str

    def __call__(self, group: Mapping[str, Any]) -> int | None:
        value: int | None = (group.get("uncounted_votes") or {}).get(self.code)
        return value


def _uncounted(code: str) -> Getter:
    return _Uncounted(code)


def _rejected(code: str) -> Getter:
    return lambda group: (group.get("rejected_votes") or {}).get(code)


def _votes_cast(group: Mapping[str, Any]) -> int | None:
    stated = group.get("votes_cast")
    return stated if stated is not None else derived_votes_cast(group)  # type: ignore[arg-type]


#: The statistic rows of the published layout, in order: (label, value of a vote group).
STATISTICS: tuple[tuple[str, Getter], ...] = (
    ("opgeroepenen", lambda group: group.get("cast")),
    ("geldige stempas", _uncounted("geldige stempassen")),
    ("geldig volmachtbewijs", _uncounted("geldige volmachtbewijzen")),
    ("geldige kiezerspas", _uncounted("geldige kiezerspassen")),
    ("toegelaten kiezers", _uncounted("toegelaten kiezers")),
    ("geldige stembiljetten", lambda group: group.get("total_counted")),
    ("blanco stembiljetten", _rejected("blanco")),
    ("ongeldige stembiljetten", _rejected("ongeldig")),
    ("aangetroffen stembiljetten", _votes_cast),
    ("meer stembiljetten dan toegelaten kiezers", _uncounted("meer getelde stembiljetten")),
    ("minder stembiljetten dan toegelaten kiezers", _uncounted("minder getelde stembiljetten")),
    ("kiezers met stembiljet hebben niet gestemd", _uncounted("meegenomen stembiljetten")),
    (
        "er zijn te weinig stembiljetten uitgereikt",
        _uncounted("te weinig uitgereikte stembiljetten"),
    ),
    ("er zijn te veel stembiljetten uitgereikt", _uncounted("te veel uitgereikte stembiljetten")),
    ("geen verklaring", _uncounted("geen verklaring")),
    ("andere verklaring", _uncounted("andere verklaring")),
)
#: The reason codes the fixed statistic rows cover; other EML codes present in a document
#: get a row of their own after them.
_COVERED = frozenset(g.code for _, g in STATISTICS if isinstance(g, _Uncounted))


def _cell(value: object) -> str:
    if value is None or value == "":
        return ""
    return '"' + str(value).replace('"', '""') + '"'


def _line(cells: Sequence[object]) -> str:
    return ";".join(_cell(value) for value in cells)


def column_name(unit: Mapping[str, Any]) -> str:
    """A unit's column header: its canonical name, which is the name the municipality gave
    the station (EML's form has one ``Stembureau `` more; the reader removed it)."""
    return str(unit.get("name") or "")


#: What ``Gebied`` puts before the authority's name, per level of the count.
_AREA_PREFIX = {"municipality": "Gemeente ", "district": "Kieskring "}


def area_name(document: Document, authority_name: str | None) -> str | None:
    """``Gebied``: ``Gemeente <name>`` for a municipal count, ``Kieskring <name>`` for a
    district's, else the authority's name."""
    if authority_name is None:
        return None
    level = (document.get("document") or {}).get("level")
    prefix = _AREA_PREFIX.get(str(level))
    if prefix and not authority_name.lower().startswith(prefix.lower()):
        return prefix + authority_name
    return authority_name


def _has_postcodes(document: Document, units: Sequence[Mapping[str, Any]]) -> bool:
    """A municipality's file has a ``Postcode`` row (its units are polling stations); a
    district's or central office's has none (its units are municipalities)."""
    level = (document.get("document") or {}).get("level")
    return level in (None, "municipality", "polling_station") or any(
        unit.get("postal_code") for unit in units
    )


def _unit_number(unit: Mapping[str, Any]) -> object:
    number = unit.get("number")
    if number is not None:
        return number
    # A municipality or district unit (510c/510d) has no SB number: its id's last part.
    return str(unit.get("id") or "").rsplit("::", 1)[-1] or None


def _candidate_names(document: Document, options: ExportOptions) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    if options.candidate_list is not None:
        for affiliation_id, info in options.candidate_list.affiliations.items():
            for candidate_id, candidate in info.candidates.items():
                if candidate.name:
                    names[(affiliation_id, candidate_id)] = candidate.name
    for affiliation in document.get("affiliations") or []:
        for candidate in affiliation.get("candidates") or []:
            if candidate.get("name"):
                names[(str(affiliation["id"]), str(candidate["id"]))] = str(candidate["name"])
    return names


def _lists(document: Document) -> list[tuple[str, str | None, list[str]]]:
    """Every list with its candidates, in list order: from ``affiliations``, completed by any
    list or candidate that only the selections name (so no number is left out)."""
    order: dict[str, tuple[str | None, dict[str, None]]] = {}
    for affiliation in document.get("affiliations") or []:
        candidates = {str(c["id"]): None for c in affiliation.get("candidates") or []}
        order[str(affiliation["id"])] = (affiliation.get("name"), candidates)
    groups = [document.get("total_votes") or {}, *(document.get("reporting_unit_votes") or [])]
    for group in groups:
        for selection in group.get("selections") or []:
            name_and_candidates = order.setdefault(str(selection["affiliation_id"]), (None, {}))
            for candidate in selection.get("candidates") or []:
                name_and_candidates[1].setdefault(str(candidate["candidate_id"]), None)
    return [(key, name, list(candidates)) for key, (name, candidates) in order.items()]


def _votes_by_list(group: Mapping[str, Any]) -> dict[str, tuple[int | None, dict[str, int]]]:
    return {
        str(selection["affiliation_id"]): (
            selection.get("valid_votes"),
            {str(c["candidate_id"]): c["valid_votes"] for c in selection.get("candidates") or []},
        )
        for selection in group.get("selections") or []
    }


def iter_lines(document: Document, options: ExportOptions | None = None) -> Iterator[str]:
    """The CSV's lines (without line ends)."""
    options = options or ExportOptions()
    header = resolve_header(document, options)
    units = list(document.get("reporting_unit_votes") or [])
    total = document.get("total_votes") or {}
    groups = [total, *units]

    yield _line(["Verkiezing", None, header.election_name])
    yield _line(["Datum", None, header.election_date])
    yield _line(["Gebied", None, area_name(document, header.authority_name)])
    yield _line(["Nummer", None, header.authority_id])
    yield ""
    yield _line(
        ["Lijstnummer", "Aanduiding", "Volgnummer", "Naam kandidaat", "Totaal"]
        + [column_name(unit) for unit in units]
    )
    yield _line(["Gebiednummer", None, None, None, None] + [_unit_number(u) for u in units])
    if _has_postcodes(document, units):
        yield _line(["Postcode", None, None, None, None] + [u.get("postal_code") for u in units])
    for label, getter in STATISTICS:
        row = [getter(group) for group in groups]
        # The rows follow the count, as the counting software writes them: a count without
        # kiezerspassen or explanations (a council election, TK2023) has none of those rows.
        if any(value is not None for value in row):
            yield _line([None, label, None, None, *row])
    extra = [
        code
        for code in UNCOUNTED_REASON_CODES
        if code not in _COVERED
        and any(code in (group.get("uncounted_votes") or {}) for group in groups)
    ]
    for code in extra:
        getter = _uncounted(code)
        yield _line([None, code, None, None] + [getter(group) for group in groups])

    names = _candidate_names(document, options)
    list_names: dict[str, str] = {}
    if options.candidate_list is not None:
        list_names = {
            key: info.name for key, info in options.candidate_list.affiliations.items() if info.name
        }
    votes = [_votes_by_list(group) for group in groups]
    for affiliation_id, name, candidates in _lists(document):
        list_name = name if name is not None else list_names.get(affiliation_id)
        yield _line(
            [affiliation_id, list_name, None, None]
            + [v.get(affiliation_id, (None, {}))[0] for v in votes]
        )
        for candidate_id in candidates:
            yield _line(
                [None, None, candidate_id, names.get((affiliation_id, candidate_id))]
                + [v.get(affiliation_id, (None, {}))[1].get(candidate_id) for v in votes]
            )


def to_osv4_3(document: Document, options: ExportOptions | None = None) -> bytes:
    """The osv4-3 CSV as bytes (UTF-8 with BOM)."""
    check(document, options)
    return ("\ufeff" + "\n".join(iter_lines(document, options))).encode("utf-8")


def check(document: Document, options: ExportOptions | None = None) -> None:
    """The CSV can hold gaps (empty cells), but a file without its units or lists says
    nothing: refuse those, naming what is missing."""
    req = Requirements()
    if not (document.get("total_votes") or {}).get("selections") and not any(
        unit.get("selections") for unit in document.get("reporting_unit_votes") or []
    ):
        req.need("selections", "/total_votes/selections", "the document has no list votes at all")
    check_representable(
        document,
        req,
        rejected_codes=frozenset(REJECTED_REASON_CODES),
        uncounted_codes=frozenset(UNCOUNTED_REASON_CODES),
    )
    req.raise_if_any("osv4-3 CSV")


def filename_for(document: Document) -> str:
    # GR2022_WestMaasenWaal -> gr2022: the municipality follows anyway.
    election = str((document.get("election") or {}).get("id") or "onbekend").split("_", 1)[0]
    authority = (document.get("managing_authority") or {}).get("name") or "onbekend"
    slug = re.sub(r"[^0-9a-z]+", "", str(authority).lower())
    level = (document.get("document") or {}).get("level")
    kind = {"district": "kieskring", "central": "centraal"}.get(str(level), "gemeente")
    return f"osv4-3_telling_{str(election).lower()}_{kind}_{slug}.csv"


__all__ = ["MEDIA_TYPE", "STATISTICS", "column_name", "filename_for", "iter_lines", "to_osv4_3"]
