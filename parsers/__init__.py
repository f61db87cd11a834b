"""telnorm's format layer and its public plugin API (version 1).

Everything a parser plugin needs is importable from here; the names below are the whole public
surface (``tests/test_contract.py`` keeps it exact). Anything else under ``parsers.`` is
internal and may change without notice.
"""

from parsers.api import API_VERSION, HEAD_BYTES, Detection, Limits, ParseContext, Parser, Source
from parsers.canonical import (
    FORMAT_VERSION,
    CandidateVotes,
    CanonicalDocument,
    Document,
    Note,
    ReportingUnit,
    Selection,
    VoteGroup,
    clean_unit_name,
    json_schema,
    new_vote_group,
    normalise_postcode,
    unit_number,
)
from parsers.errors import (
    BinaryInput,
    ContextFileError,
    EmptyInput,
    InputTooLarge,
    InvalidValue,
    LimitExceeded,
    MalformedInput,
    MalformedXML,
    NotACount,
    NotEML,
    ParseTimeout,
    RequestError,
    StructureError,
    TelnormError,
    UnknownParser,
    UnsafeXML,
    UnsupportedFormat,
)
from parsers.xmlsafe import safe_iterparse

__all__ = [
    "API_VERSION",
    "FORMAT_VERSION",
    "HEAD_BYTES",
    "BinaryInput",
    "CandidateVotes",
    "CanonicalDocument",
    "ContextFileError",
    "Detection",
    "Document",
    "EmptyInput",
    "InputTooLarge",
    "InvalidValue",
    "LimitExceeded",
    "Limits",
    "MalformedInput",
    "MalformedXML",
    "NotACount",
    "NotEML",
    "Note",
    "ParseContext",
    "ParseTimeout",
    "Parser",
    "ReportingUnit",
    "RequestError",
    "Selection",
    "Source",
    "StructureError",
    "TelnormError",
    "UnknownParser",
    "UnsafeXML",
    "UnsupportedFormat",
    "VoteGroup",
    "clean_unit_name",
    "json_schema",
    "new_vote_group",
    "normalise_postcode",
    "safe_iterparse",
    "unit_number",
]
