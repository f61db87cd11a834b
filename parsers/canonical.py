"""The canonical result document, version 1 (see ``docs/canonical-v1.md``).

Two views of one contract:

* the **pydantic models** (:class:`CanonicalDocument` and friends) are the typed model: they
  generate the committed JSON Schema (``parsers/schema/canonical-v1.schema.json``, served at
  ``GET /schema``) and the OpenAPI docs. A test keeps the committed file equal to the models.
* the **TypedDicts** (:class:`VoteGroup`, :class:`ReportingUnit`, ...) type the plain dicts
  that parsers build for the bulk rows: a 100 MB count has millions of selections, and
  building them as pydantic objects would cost more than parsing the XML.

Counts are strict integers everywhere: never floats, never booleans, never strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from pydantic import BaseModel, ConfigDict, Field, StrictInt

FORMAT_VERSION: Literal["1"] = "1"

Count = Annotated[StrictInt, Field(ge=0)]

#: The EML ``UncountedVotes/@ReasonCode`` values of EML_NL 1.2.2, verbatim.
UNCOUNTED_REASON_CODES = (
    "geldige stempassen",
    "geldige volmachtbewijzen",
    "geldige kiezerspassen",
    "toegelaten kiezers",
    "meer getelde stembiljetten",
    "minder getelde stembiljetten",
    "meegenomen stembiljetten",
    "te weinig uitgereikte stembiljetten",
    "te veel uitgereikte stembiljetten",
    "geen briefstembiljetten",
    "te veel briefstembiljetten",
    "kwijtgeraakte stembiljetten",
    "geen verklaring",
    "andere verklaring",
)
REJECTED_REASON_CODES = ("blanco", "ongeldig")


# --- TypedDicts: the shape parsers build ---------------------------------------------


class CandidateVotes(TypedDict):
    candidate_id: str
    valid_votes: int


class Selection(TypedDict):
    affiliation_id: str
    valid_votes: int | None
    candidates: list[CandidateVotes]


class VoteGroup(TypedDict, total=False):
    cast: int | None
    total_counted: int | None
    rejected_votes: dict[str, int]
    uncounted_votes: dict[str, int]
    votes_cast: int | None
    selections: Sequence[Selection]
    previous: dict[str, Any]


class ReportingUnit(VoteGroup, total=False):
    id: str
    number: int | None
    name: str | None
    raw_name: NotRequired[str]
    postal_code: str | None
    kind: str | None
    investigations: NotRequired[dict[str, bool]]


class Note(TypedDict):
    code: str
    message: str
    location: dict[str, Any] | None


Document = dict[str, Any]


# --- pydantic models: the schema and the OpenAPI docs ---------------------------------

_STRICT = ConfigDict(extra="forbid", strict=True)


class _Model(BaseModel):
    model_config = _STRICT


class DocumentInfo(_Model):
    eml_id: Literal["510a", "510b", "510c", "510d"] | None = Field(
        description="EML document id, or null when the input was not EML and the level was "
        "inferred."
    )
    level: Literal["polling_station", "municipality", "district", "central"]
    created: Annotated[str, Field(json_schema_extra={"format": "iso-date-time"})] | None = Field(
        description="kr:CreationDateTime (ISO 8601, as xs:dateTime: the UTC offset is "
        "optional) or null."
    )
    transaction_id: str | None
    schema_version: str | None = Field(
        default=None, description="kr:Schema/@Version of EML_NL 1.3 drafts."
    )
    phase: str | None = Field(default=None, description="kr:Phase/@PhaseCode (1.3 draft).")
    counting_method: str | None = Field(
        default=None, description="kr:CountingMethod/@MethodCode (1.3 draft)."
    )


class Domain(_Model):
    id: str | None
    name: str | None


class Election(_Model):
    id: str | None
    name: str | None
    category: str | None
    subcategory: str | None
    date: Annotated[str, Field(json_schema_extra={"format": "date"})] | None = Field(
        description="YYYY-MM-DD"
    )
    domain: Domain | None


class Contest(_Model):
    id: str | None
    name: str | None


class Authority(_Model):
    id: str | None = Field(description="CBS code (0518), HSBn or CSB.")
    name: str | None


class Candidate(_Model):
    id: str = Field(description="Position on the list.")
    name: str | None
    short_code: str | None


class Affiliation(_Model):
    id: str = Field(description="List number as a string.")
    name: str | None = Field(description="RegisteredName; may be empty.")
    candidates: list[Candidate]


class CandidateVotesModel(_Model):
    candidate_id: str
    valid_votes: Count


class SelectionModel(_Model):
    affiliation_id: str
    valid_votes: Count | None = Field(description="List total (E.x) as the file states it.")
    candidates: list[CandidateVotesModel]


class PreviousValues(_Model):
    """Earlier values of a corrected count (EML_NL 1.3 draft ``kr:Previous*``)."""

    cast: Count | None = None
    total_counted: Count | None = None
    rejected_votes: dict[str, Count] = Field(default_factory=dict)
    uncounted_votes: dict[str, Count] = Field(default_factory=dict)
    selections: list[SelectionModel] = Field(default_factory=list)


class VoteGroupModel(_Model):
    cast: Count | None = Field(default=None, description="Z: eligible voters, not votes cast.")
    total_counted: Count | None = Field(default=None, description="E: valid votes.")
    rejected_votes: dict[str, Count] = Field(
        default_factory=dict, description="F, G keyed by reason code (blanco, ongeldig)."
    )
    uncounted_votes: dict[str, Count] = Field(
        default_factory=dict, description="A-D, I, J, ... keyed by EML reason code, verbatim."
    )
    votes_cast: Count | None = Field(
        default=None, description="H as the source states it; absent for EML."
    )
    selections: list[SelectionModel] = Field(default_factory=list)
    previous: PreviousValues | None = None


class ReportingUnitModel(VoteGroupModel):
    id: str
    number: int | None
    name: str | None
    raw_name: str | None = None
    postal_code: str | None = Field(pattern=r"^\d{4} [A-Z]{2}$")
    kind: Literal["polling_station", "postal", "municipality", "district"] | None
    investigations: dict[str, bool] | None = None


class FormatInfo(_Model):
    id: str
    confidence: float = Field(ge=0, le=1)
    evidence: list[str]


class ParserInfo(_Model):
    name: str
    version: str


class MappingInfo(_Model):
    id: str
    version: str


class ContextFile(_Model):
    role: str = Field(description="candidate_list, election_definition or polling_stations.")
    filename: str | None
    sha256: str
    eml_id: str | None


class SourceInfo(_Model):
    filename: str | None
    bytes: StrictInt = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    media_type: str
    encoding: str | None
    format: FormatInfo
    parser: ParserInfo
    mapping: MappingInfo | None
    context: list[ContextFile]
    normaliser_version: str
    member: str | None = Field(default=None, description="Zip member the count came from.")
    cells: dict[str, StrictInt] | None = Field(
        default=None, description="Tabular input: numeric cells read, mapped and left over."
    )


class NoteModel(_Model):
    code: str
    message: str
    location: dict[str, Any] | None


class CanonicalDocument(_Model):
    """One municipal (or district, or central) count, whatever file it came from."""

    model_config = ConfigDict(
        extra="forbid", strict=True, title="telnorm canonical result document v1"
    )

    format_version: Literal["1"]
    document: DocumentInfo
    election: Election
    contest: Contest
    managing_authority: Authority
    affiliations: list[Affiliation]
    total_votes: VoteGroupModel
    reporting_unit_votes: list[ReportingUnitModel]
    source: SourceInfo
    notes: list[NoteModel]
    locations: dict[str, dict[str, Any]] | None = Field(
        default=None, description="JSON Pointer -> source location; only with locations=true."
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of the canonical document, as committed in the repo."""
    schema = CanonicalDocument.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:telnorm:schema:canonical-v1",
        **schema,
    }


# --- small helpers every parser needs --------------------------------------------------

_POSTCODE_SUFFIX = re.compile(r"\s*\(\s*postcode\s*:\s*([^)]*)\)\s*$", re.IGNORECASE)
_POSTCODE = re.compile(r"^\s*(\d{4})\s*([A-Za-z]{2})\s*$")
_DOUBLE_PREFIX = re.compile(r"^\s*Stembureau\s+(?=Stembureau\b)", re.IGNORECASE)
_SB_NUMBER = re.compile(r"(?:^|::)SB(\d+)$")


def normalise_postcode(text: str | None) -> str | None:
    """``1234ab`` / ``1234 AB`` -> ``1234 AB``; anything else -> None."""
    if not text:
        return None
    match = _POSTCODE.match(text)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2).upper()}"


def clean_unit_name(raw: str | None) -> tuple[str | None, str | None]:
    """Split a reporting-unit name into (display name, postal code).

    Drops a doubled ``Stembureau `` prefix and a ``(postcode: 1234 AB)`` suffix, and strips
    quotes some exports wrap names in.
    """
    return _split_unit_name(raw, lambda name: _DOUBLE_PREFIX.sub("", name))


def _split_unit_name(
    raw: str | None, without_prefix: Callable[[str], str]
) -> tuple[str | None, str | None]:
    """(name, postal code): the ``(postcode: ...)`` suffix split off, the prefix rule
    applied, surrounding quotes dropped."""
    if raw is None:
        return None, None
    name = raw.strip()
    postal: str | None = None
    match = _POSTCODE_SUFFIX.search(name)
    if match:
        postal = normalise_postcode(match.group(1))
        name = name[: match.start()].rstrip()
    name = without_prefix(name)
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        name = name[1:-1].strip()
    return (name or None), postal


#: What the counting software puts before a polling station's name in EML (only there: its
#: osv4-3 CSV and the municipality's own lists have the name without it).
EML_STATION_PREFIX = "Stembureau "
_ONE_PREFIX = re.compile(r"^Stembureau\s+", re.IGNORECASE)


def eml_unit_name(raw: str | None) -> tuple[str | None, str | None]:
    """Split an EML ``ReportingUnitIdentifier`` text into (name, postal code).

    The counting software writes a station as ``Stembureau `` + the name the municipality gave
    it + `` (postcode: 1234 AB)``; the canonical ``name`` is the municipality's own name, so
    exactly one ``Stembureau `` is removed (``Stembureau Stembureau Stadhuis`` is the station
    the municipality called ``Stembureau Stadhuis``, as its osv4-3 CSV says). Surrounding
    quotes go as in :func:`clean_unit_name`.
    """
    return _split_unit_name(raw, lambda name: _ONE_PREFIX.sub("", name, count=1) or name)


def eml_unit_text(name: str | None, postal_code: str | None, kind: str | None) -> str:
    """The inverse of :func:`eml_unit_name`: how the counting software writes a unit's name
    in EML (the prefix for polling stations only; municipalities and districts are named as
    they are)."""
    text = name or ""
    if kind in ("polling_station", "postal") and text:
        text = EML_STATION_PREFIX + text
    return f"{text} (postcode: {postal_code})" if postal_code else text


def unit_number(unit_id: str) -> int | None:
    """The integer after ``SB`` in ``0518::SB12`` (or ``SB12``), else None (also for more
    than 15 digits, which no station number has)."""
    match = _SB_NUMBER.search(unit_id)
    return int(match.group(1)) if match and len(match.group(1)) < 16 else None


def new_vote_group() -> VoteGroup:
    return {
        "cast": None,
        "total_counted": None,
        "rejected_votes": {},
        "uncounted_votes": {},
        "selections": [],
    }


def derived_votes_cast(group: VoteGroup) -> int | None:
    """H = E + F + G, or None when E is not stated."""
    total = group.get("total_counted")
    if total is None:
        return None
    rejected = group.get("rejected_votes") or {}
    return total + rejected.get("blanco", 0) + rejected.get("ongeldig", 0)
