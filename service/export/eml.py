"""Write a canonical document as EML_NL 1.2.2 (510a-d, by the document's level).

The output validates against the strict schema set ``510-count-kiesraad-strict.xsd``.
Everything is checked before the first byte is written, so a document that cannot become a
valid 510 raises one :class:`~telnorm.parsers.errors.ExportFieldsMissing` (422) that names every
missing or unusable field, instead of yielding half a file.

The writer builds strings rather than a tree: a 100 MB municipal count has millions of
``Selection`` elements, and :func:`iter_eml` yields them a reporting unit at a time, so it can
stream. Output is deterministic: the same document and options give the same bytes (the
creation time comes from the document or the request, never from the clock unless asked).

What EML_NL 1.2.2 cannot carry is not written: ``votes_cast`` (EML derives H = E + F + G; a
stated H that differs is refused, see :func:`_check_group`), the 1.3-draft ``previous``
values, ``phase`` and ``counting_method``, candidate names (a 510 identifies candidates by
position; names travel in the 230b) and ``notes``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from telnorm.parsers.canonical import (
    REJECTED_REASON_CODES,
    UNCOUNTED_REASON_CODES,
    Document,
    derived_votes_cast,
    eml_unit_text,
)
from telnorm.parsers.eml import names as eml_names
from telnorm.service.export.options import (
    AUTHORITY_ID,
    CATEGORIES,
    CONTEST_ID,
    DOMAIN_ID,
    ELECTION_ID,
    SUBCATEGORIES,
    ExportOptions,
    Header,
    Requirements,
    is_date,
    is_datetime,
    resolve_header,
    supply_hint,
)

#: The namespaces of the reader, declared with the counting software's prefixes.
NAMESPACES = eml_names.PREFIXES
#: Every real 510 carries this (empty) canonicalisation declaration; the schema allows it.
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"

LEVEL_EML_ID = {
    "polling_station": "510a",
    "municipality": "510b",
    "district": "510c",
    "central": "510d",
    "national": "510d",
}
UNIT_ID = re.compile(r"HSB\d+|(?:HSB\d+::)?\d{4}|(?:(?:HSB\d+::)?\d{4}::)?SB\d+|HSB\d+::SB\d+")
POSITIVE_ID = re.compile(r"[1-9]\d*")
SHORT_CODE = re.compile(r"[^\W\d_]*\d{0,7}")
INVESTIGATION_CODES = (
    "onderzocht vanwege onverklaard verschil",
    "onderzocht vanwege andere fout",
    "uitslag gecorrigeerd",
    "toegelaten kiezers opnieuw vastgesteld",
    "onderzocht vanwege andere reden",
    "stembiljetten deels herteld",
)
# Characters XML 1.0 cannot carry at all (not even escaped).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

MEDIA_TYPE = "application/xml"


def eml_id_for(document: Document) -> str:
    """510a-d: the document's own id when it has one, else by its level."""
    eml_id = (document.get("document") or {}).get("eml_id")
    if eml_id in ("510a", "510b", "510c", "510d"):
        return str(eml_id)
    level = (document.get("document") or {}).get("level")
    return LEVEL_EML_ID.get(str(level), "510b")


# The writer uses f-strings with the two escaping helpers below, not lxml.etree.xmlfile:
# benchmarks/export_eml.py builds the xmlfile variant, checks it writes the same bytes, and
# times it at about 7-8 times the f-string writer (issue 10 allowed 10 %); docs/benchmarks.md
# has the figures. Escaping stays in these two functions; the check before writing refuses
# every character XML cannot carry.
def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    # Tabs and line ends in attributes are escaped: a parser would normalise them to spaces.
    return (
        _text(value)
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


# --- the check before writing ---------------------------------------------------------------


class _Checker:
    """Walks the document once and records every value that would make the EML invalid."""

    def __init__(self, document: Document, options: ExportOptions, header: Header) -> None:
        self.document = document
        self.options = options
        self.header = header
        self.req = Requirements()

    def text(self, name: str, pointer: str, value: str | None) -> None:
        if value is not None and _XML_INVALID.search(value):
            self.req.bad(name, pointer, value, "contains control characters XML cannot carry")

    def run(self) -> Requirements:
        h, req = self.header, self.req
        has_list = self.options.candidate_list is not None
        if h.authority_id is None:
            req.need("authority_id", "/managing_authority/id", supply_hint("authority_id", "0518"))
        elif not AUTHORITY_ID.fullmatch(h.authority_id):
            req.bad(
                "authority_id", "/managing_authority/id", h.authority_id,
                "EML wants a 4-digit CBS code (0518), HSBn or CSB",
            )  # fmt: skip
        if h.created is None:
            req.need(
                "creation_time",
                "/document/created",
                supply_hint("creation_time", "2025-10-30T12:00:00")
                + ", or creation_time=now for the current time",
            )
        elif not is_datetime(h.created):
            req.bad("creation_time", "/document/created", h.created, "not an ISO 8601 date-time")
        if h.election_id is None:
            req.need("election_id", "/election/id", supply_hint("election_id", "GR2026", has_list))
        elif not ELECTION_ID.fullmatch(h.election_id):
            req.bad(
                "election_id", "/election/id", h.election_id,
                "EML wants category + year, e.g. TK2025 or GR2022_WestMaasenWaal",
            )  # fmt: skip
        if h.election_category is None:
            req.need(
                "election_category", "/election/category",
                supply_hint("election_category", "GR", has_list),
            )  # fmt: skip
        elif h.election_category not in CATEGORIES:
            req.bad(
                "election_category", "/election/category", h.election_category,
                "one of " + ", ".join(CATEGORIES),
            )  # fmt: skip
        if h.election_subcategory is not None and h.election_subcategory not in SUBCATEGORIES:
            req.bad(
                "election_subcategory", "/election/subcategory", h.election_subcategory,
                "one of " + ", ".join(SUBCATEGORIES),
            )  # fmt: skip
        if h.election_date is None:
            req.need(
                "election_date", "/election/date",
                supply_hint("election_date", "2026-03-18", has_list),
            )  # fmt: skip
        elif not is_date(h.election_date):
            req.bad("election_date", "/election/date", h.election_date, "not a YYYY-MM-DD date")
        if h.domain_id is not None and not DOMAIN_ID.fullmatch(h.domain_id):
            req.bad(
                "election_domain_id", "/election/domain/id", h.domain_id,
                "a 4-digit CBS code or a number up to 29",
            )  # fmt: skip
        if h.contest_id is None:
            req.need(
                "contest_id", "/contest/id",
                supply_hint("contest_id", "geen", has_list)
                + "; a kieskring number, a Roman numeral, geen or alle",
            )  # fmt: skip
        elif not CONTEST_ID.fullmatch(h.contest_id):
            req.bad(
                "contest_id", "/contest/id", h.contest_id,
                "a kieskring number, a Roman numeral, geen or alle",
            )  # fmt: skip
        for name, value in (
            ("election_name", h.election_name),
            ("contest_name", h.contest_name),
            ("authority_name", h.authority_name),
            ("election_domain_name", h.domain_name),
            ("transaction_id", h.transaction_id),
        ):
            self.text(name, "", value)

        for index, affiliation in enumerate(self.document.get("affiliations") or []):
            pointer = f"/affiliations/{index}"
            self.text("affiliation name", pointer + "/name", affiliation.get("name"))
            for c_index, candidate in enumerate(affiliation.get("candidates") or []):
                code = candidate.get("short_code")
                if code is not None and not (1 <= len(code) <= 15 and SHORT_CODE.fullmatch(code)):
                    req.bad(
                        "candidate short_code",
                        f"{pointer}/candidates/{c_index}/short_code",
                        code,
                        "letters then at most 7 digits, 1-15 characters",
                    )

        self.group(self.document.get("total_votes") or {}, "/total_votes", is_total=True)
        seen: set[str] = set()
        for index, unit in enumerate(self.document.get("reporting_unit_votes") or []):
            pointer = f"/reporting_unit_votes/{index}"
            unit_id = unit.get("id")
            if not unit_id or not UNIT_ID.fullmatch(str(unit_id)):
                req.bad(
                    "reporting unit id", pointer + "/id", unit_id,
                    "EML wants 0518::SB1, HSB1::0518, 0518 or HSB1",
                )  # fmt: skip
            elif unit_id in seen:
                req.bad("reporting unit id", pointer + "/id", unit_id, "two units share this id")
            seen.add(str(unit_id))
            self.text(
                "reporting unit name", pointer + "/name", unit.get("raw_name") or unit.get("name")
            )
            investigations = unit.get("investigations") or {}
            for code in investigations:
                if code not in INVESTIGATION_CODES:
                    req.bad(
                        "investigation reason code", pointer + "/investigations", code,
                        "not an EML_NL 1.2.2 kr:Investigation ReasonCode",
                    )  # fmt: skip
            if len(investigations) > 3:
                req.bad(
                    "investigations", pointer + "/investigations", len(investigations),
                    "EML_NL 1.2.2 allows at most 3 per unit",
                )  # fmt: skip
            self.group(unit, pointer, is_total=False)
        return req

    def count(self, name: str, pointer: str, value: Any) -> None:
        if value is None:
            if self.options.missing_counts == "error":
                self.req.need(
                    name, pointer,
                    "the source does not state it; correct the source, or pass "
                    "missing_counts=zero to write 0",
                )  # fmt: skip
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.req.bad(name, pointer, value, "not a non-negative integer")

    def group(self, group: Mapping[str, Any], pointer: str, *, is_total: bool) -> None:
        selections = group.get("selections") or []
        if not selections:
            self.req.bad(
                "selections", pointer + "/selections", 0,
                "EML needs at least one list (Selection) per unit",
            )  # fmt: skip
        for s_index, selection in enumerate(selections):
            s_pointer = f"{pointer}/selections/{s_index}"
            affiliation_id = str(selection.get("affiliation_id"))
            if not POSITIVE_ID.fullmatch(affiliation_id):
                self.req.bad(
                    "list number", s_pointer + "/affiliation_id", affiliation_id,
                    "EML wants a positive whole number",
                )  # fmt: skip
            self.count("list votes", s_pointer + "/valid_votes", selection.get("valid_votes"))
            for c_index, candidate in enumerate(selection.get("candidates") or []):
                c_pointer = f"{s_pointer}/candidates/{c_index}"
                candidate_id = str(candidate.get("candidate_id"))
                if not POSITIVE_ID.fullmatch(candidate_id):
                    self.req.bad(
                        "candidate number", c_pointer + "/candidate_id", candidate_id,
                        "EML wants a positive whole number",
                    )  # fmt: skip
                self.count(
                    "candidate votes", c_pointer + "/valid_votes", candidate.get("valid_votes")
                )
        if is_total:
            # Per unit, EML writes Cast 0 when it is not counted there (every real 510b does);
            # the total's Cast is the electorate and is never invented.
            self.count("cast (opgeroepenen)", pointer + "/cast", group.get("cast"))
        elif group.get("cast") is not None:
            self.count("cast (opgeroepenen)", pointer + "/cast", group.get("cast"))
        self.count("total_counted", pointer + "/total_counted", group.get("total_counted"))
        rejected = group.get("rejected_votes") or {}
        for code in REJECTED_REASON_CODES:
            self.count(
                f"rejected_votes {code}", f"{pointer}/rejected_votes/{code}", rejected.get(code)
            )
        for code in rejected:
            if code not in REJECTED_REASON_CODES:
                self.req.bad(
                    "rejected_votes reason code", f"{pointer}/rejected_votes", code,
                    "EML knows only blanco and ongeldig",
                )  # fmt: skip
        uncounted = group.get("uncounted_votes") or {}
        for code, value in uncounted.items():
            u_pointer = f"{pointer}/uncounted_votes/{code}"
            if code not in UNCOUNTED_REASON_CODES:
                self.req.bad(
                    "uncounted_votes reason code", u_pointer, code,
                    "not an EML_NL 1.2.2 UncountedVotes ReasonCode",
                )  # fmt: skip
            else:
                self.count(f"uncounted_votes {code}", u_pointer, value)
        stated = group.get("votes_cast")
        derived = derived_votes_cast(group)  # type: ignore[arg-type]
        if stated is not None and derived is not None and stated != derived:
            self.req.bad(
                "votes_cast (aangetroffen stembiljetten)", pointer + "/votes_cast", stated,
                f"EML has no place for a stated total and derives H = E + F + G = {derived}; "
                "correct the count in the source so they agree",
            )  # fmt: skip


def check(document: Document, options: ExportOptions | None = None) -> Header:
    """Raise ExportFieldsMissing naming every problem; return the resolved header."""
    options = options or ExportOptions()
    header = resolve_header(document, options)
    _Checker(document, options, header).run().raise_if_any("EML " + eml_id_for(document))
    return header


# --- writing ---------------------------------------------------------------------------------


def _n(value: int | None) -> str:
    # Only reached for None when missing_counts=zero (the check refused it otherwise), or for
    # a unit's Cast (EML's 0 for "not counted here").
    return "0" if value is None else str(value)


def _vote_group(
    group: Mapping[str, Any],
    names: Mapping[str, str],
    short_codes: Mapping[tuple[str, str], str],
    indent: str,
) -> Iterator[str]:
    i1, i2, i3 = indent, indent + "\t", indent + "\t\t"
    for selection in group.get("selections") or []:
        affiliation_id = str(selection["affiliation_id"])
        yield (
            f'{i1}<Selection>\n{i2}<AffiliationIdentifier Id="{_attr(affiliation_id)}">\n'
            f"{i3}<RegisteredName>{_text(names.get(affiliation_id, ''))}</RegisteredName>\n"
            f"{i2}</AffiliationIdentifier>\n"
            f"{i2}<ValidVotes>{_n(selection.get('valid_votes'))}</ValidVotes>\n{i1}</Selection>\n"
        )
        for candidate in selection.get("candidates") or []:
            candidate_id = str(candidate["candidate_id"])
            code = short_codes.get((affiliation_id, candidate_id))
            identifier = (
                f'<CandidateIdentifier Id="{_attr(candidate_id)}">'
                f"<ShortCode>{_text(code)}</ShortCode></CandidateIdentifier>"
                if code
                else f'<CandidateIdentifier Id="{_attr(candidate_id)}"/>'
            )
            yield (
                f"{i1}<Selection>\n{i2}<Candidate>\n{i3}{identifier}\n{i2}</Candidate>\n"
                f"{i2}<ValidVotes>{_n(candidate.get('valid_votes'))}</ValidVotes>\n"
                f"{i1}</Selection>\n"
            )
    rejected = group.get("rejected_votes") or {}
    uncounted = group.get("uncounted_votes") or {}
    parts = [
        f"{i1}<Cast>{_n(group.get('cast'))}</Cast>\n",
        f"{i1}<TotalCounted>{_n(group.get('total_counted'))}</TotalCounted>\n",
    ]
    # ongeldig before blanco, as the counting software (OSV2020) writes them.
    for code in ("ongeldig", "blanco"):
        parts.append(
            f'{i1}<RejectedVotes ReasonCode="{code}">{_n(rejected.get(code))}</RejectedVotes>\n'
        )
    for code in UNCOUNTED_REASON_CODES:
        if code in uncounted:
            parts.append(
                f'{i1}<UncountedVotes ReasonCode="{code}">{_n(uncounted[code])}</UncountedVotes>\n'
            )
    yield "".join(parts)


def _unit_name(unit: Mapping[str, Any], from_eml: bool) -> str:
    """The name as EML carries it: the raw name when it came from EML (a round trip keeps
    the bytes), else as the counting software writes it (``Stembureau `` + the station's
    own name + the postcode suffix)."""
    raw = unit.get("raw_name")
    if raw is not None and from_eml:
        return str(raw)
    return eml_unit_text(unit.get("name"), unit.get("postal_code"), unit.get("kind"))


def _names(document: Document, options: ExportOptions) -> dict[str, str]:
    names: dict[str, str] = {}
    if options.candidate_list is not None:
        for affiliation_id, info in options.candidate_list.affiliations.items():
            if info.name is not None:
                names[affiliation_id] = info.name
    for affiliation in document.get("affiliations") or []:
        if affiliation.get("name") is not None:
            names[str(affiliation["id"])] = str(affiliation["name"])
    return names


def _short_codes(affiliations: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    return {
        (str(affiliation["id"]), str(candidate["id"])): str(candidate["short_code"])
        for affiliation in affiliations
        for candidate in affiliation.get("candidates") or []
        if candidate.get("short_code")
    }


def iter_eml(document: Document, options: ExportOptions | None = None) -> Iterator[bytes]:
    """The EML as UTF-8 chunks: the header, then one chunk per reporting unit.

    Checks the whole document first (raises ExportFieldsMissing before yielding anything).
    """
    options = options or ExportOptions()
    header = check(document, options)
    eml_id = eml_id_for(document)
    names = _names(document, options)
    short_codes = _short_codes(document.get("affiliations") or [])
    return _generate(document, header, eml_id, names, short_codes)


def _generate(
    document: Document,
    h: Header,
    eml_id: str,
    names: Mapping[str, str],
    short_codes: Mapping[tuple[str, str], str],
) -> Iterator[bytes]:
    xmlns = " ".join(f'xmlns{":" + prefix if prefix else ""}="{uri}"' for prefix, uri in NAMESPACES)
    election = [f'\t\t\t<ElectionIdentifier Id="{_attr(h.election_id or "")}">\n']
    if h.election_name is not None:
        election.append(f"\t\t\t\t<ElectionName>{_text(h.election_name)}</ElectionName>\n")
    election.append(
        f"\t\t\t\t<ElectionCategory>{_text(h.election_category or '')}</ElectionCategory>\n"
    )
    if h.election_subcategory is not None:
        election.append(
            f"\t\t\t\t<kr:ElectionSubcategory>{_text(h.election_subcategory)}</kr:ElectionSubcategory>\n"
        )
    if h.domain_id is not None or h.domain_name is not None:
        domain_id = f' Id="{_attr(h.domain_id)}"' if h.domain_id is not None else ""
        domain = _text(h.domain_name or "")
        election.append(f"\t\t\t\t<kr:ElectionDomain{domain_id}>{domain}</kr:ElectionDomain>\n")
    election.append(f"\t\t\t\t<kr:ElectionDate>{_text(h.election_date or '')}</kr:ElectionDate>\n")
    election.append("\t\t\t</ElectionIdentifier>\n")
    contest_name = (
        f"<ContestName>{_text(h.contest_name)}</ContestName></ContestIdentifier>"
        if h.contest_name is not None
        else None
    )
    contest = (
        f'\t\t\t\t\t<ContestIdentifier Id="{_attr(h.contest_id or "")}">{contest_name}\n'
        if contest_name
        else f'\t\t\t\t\t<ContestIdentifier Id="{_attr(h.contest_id or "")}"/>\n'
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<EML {xmlns} Id="{eml_id}" SchemaVersion="5">\n'
        f"\t<TransactionId>{_text(h.transaction_id or '1')}</TransactionId>\n"
        "\t<ManagingAuthority>\n"
        f'\t\t<AuthorityIdentifier Id="{_attr(h.authority_id or "")}">'
        f"{_text(h.authority_name or '')}</AuthorityIdentifier>\n"
        "\t\t<AuthorityAddress/>\n"
        "\t</ManagingAuthority>\n"
        f"\t<kr:CreationDateTime>{_text(h.created or '')}</kr:CreationDateTime>\n"
        f'\t<ds:CanonicalizationMethod Algorithm="{C14N}"/>\n'
        "\t<Count>\n"
        "\t\t<EventIdentifier/>\n"
        "\t\t<Election>\n" + "".join(election) + "\t\t\t<Contests>\n"
        "\t\t\t\t<Contest>\n" + contest + "\t\t\t\t\t<TotalVotes>\n"
    )
    # canonical eml_id is set only for EML input: only then is a raw_name EML's own text
    from_eml = bool((document.get("document") or {}).get("eml_id"))
    total = "".join(_vote_group(document.get("total_votes") or {}, names, short_codes, "\t" * 6))
    yield (head + total + "\t\t\t\t\t</TotalVotes>\n").encode("utf-8")
    for unit in document.get("reporting_unit_votes") or []:
        parts = [
            "\t\t\t\t\t<ReportingUnitVotes>\n",
            f'\t\t\t\t\t\t<ReportingUnitIdentifier Id="{_attr(str(unit["id"]))}">'
            f"{_text(_unit_name(unit, from_eml))}</ReportingUnitIdentifier>\n",
        ]
        parts.extend(_vote_group(unit, names, short_codes, "\t" * 6))
        investigations = unit.get("investigations")
        if investigations:
            parts.append("\t\t\t\t\t\t<kr:ReportingUnitInvestigations>\n")
            for code in INVESTIGATION_CODES:
                if code in investigations:
                    value = "true" if investigations[code] else "false"
                    parts.append(
                        f'\t\t\t\t\t\t\t<kr:Investigation ReasonCode="{code}">{value}'
                        "</kr:Investigation>\n"
                    )
            parts.append("\t\t\t\t\t\t</kr:ReportingUnitInvestigations>\n")
        parts.append("\t\t\t\t\t</ReportingUnitVotes>\n")
        yield "".join(parts).encode("utf-8")
    yield b"\t\t\t\t</Contest>\n\t\t\t</Contests>\n\t\t</Election>\n\t</Count>\n</EML>\n"


def to_eml(document: Document, options: ExportOptions | None = None) -> bytes:
    """The whole EML document as bytes (see :func:`iter_eml` to stream it)."""
    return b"".join(iter_eml(document, options))


def filename_for(document: Document, header: Header | None = None) -> str:
    """``Telling_<election>_<authority>.eml.xml``, as the counting software names its files."""
    eml_id = eml_id_for(document)
    prefix = "Totaaltelling" if eml_id in ("510c", "510d") else "Telling"
    election = (document.get("election") or {}).get("id") or (
        header.election_id if header else None
    )
    authority = (document.get("managing_authority") or {}).get("name") or (
        (document.get("managing_authority") or {}).get("id")
    )
    parts = [prefix, election or "onbekend", authority or "onbekend"]
    safe = "_".join(re.sub(r"[^\w-]+", "_", str(part)).strip("_") for part in parts)
    return safe + ".eml.xml"


__all__ = ["MEDIA_TYPE", "check", "eml_id_for", "filename_for", "iter_eml", "to_eml"]
