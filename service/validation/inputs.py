"""What ``/validate`` and ``telnorm validate`` accept, turned into what the rules read.

The validated input is either a canonical document (JSON) or any file telnorm normalises;
a file is normalised with source locations so that findings can name the cell, line or
element. A canonical document from a caller is checked first (:mod:`.shape`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from telnorm.parsers.api import Limits, Source
from telnorm.parsers.canonical import Document
from telnorm.parsers.eml.context import CANDIDATE_LIST, ContextDocument, read_context_file
from telnorm.parsers.errors import (
    ContextFileError,
    EmptyInput,
    InvalidValue,
    StructureError,
    TelnormError,
)
from telnorm.parsers.location_map import LocationMap
from telnorm.service.jsonsafe import check_numbers
from telnorm.service.jsonsafe import dumps as checked_dumps
from telnorm.service.pipeline import (
    InputFile,
    NormaliseOptions,
    RequestContext,
    normalise,
    read_context,
)
from telnorm.service.validation.reference import load_reference, looks_like_json
from telnorm.service.validation.runner import attach_sources, validate
from telnorm.service.validation.shape import check_count_values, check_document, check_envelope
from telnorm.service.validation.strict import check_schema

CandidateList = dict[str, tuple[str | None, list[str]]]


def load_document_json(data: bytes, name: str = "document") -> Document:
    if not data.strip():
        raise EmptyInput(f"The file ({name}) is empty: there is no document to validate.")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidValue(
            f"The file ({name}) is read as a canonical document (JSON) but is not valid JSON: "
            f"{exc}. Send another format without a JSON content type or .json name."
        ) from None
    # meant as a canonical document at all (clear messages naming what it lacks), then the
    # whole contract (every violation listed), then what the rules read (exact int types)
    check_envelope(document)
    try:
        check_schema(document)
    except StructureError as error:
        # a bad count alone is the numbers rule's own problem (invalid-count), as from
        # every parser; otherwise the listing of every violation stands
        check_count_values(document, {v["pointer"] for v in error.extra.get("errors", [])})
        raise
    check_document(document)
    result: Document = document
    return result


def load_candidate_list(
    path: Path, filename: str | None = None, limits: Limits | None = None
) -> CandidateList:
    """A candidate list (EML 230b) as ``{list id: (name, [candidate ids])}``."""
    parsed = read_context_file(
        Source(path, filename or path.name), CANDIDATE_LIST, limits or Limits()
    )
    return candidate_list_ids(parsed)


def candidate_list_ids(parsed: ContextDocument) -> CandidateList:
    """What the rules read of a candidate list: ``{list id: (name, [candidate ids])}``."""
    if not parsed.affiliations:
        raise ContextFileError("The candidate list names no lists.", role=CANDIDATE_LIST)
    return {
        aff_id: (info.name, list(info.candidates)) for aff_id, info in parsed.affiliations.items()
    }


@dataclass(frozen=True)
class ValidateRequest:
    """The files and options of one validation (picklable: it crosses to a worker process)."""

    main: InputFile
    reference: InputFile | None = None
    candidate_list: InputFile | None = None
    #: Other context files for normalising a non-JSON input (``election_definition``, ...).
    context_files: Mapping[str, InputFile] = field(default_factory=dict)
    plausibility: bool = False
    #: Normalise options for a non-JSON input (``format`` skips detection).
    format: str | None = None
    parser_options: Mapping[str, Any] = field(default_factory=dict)
    #: Source locations of a non-JSON input: ``auto`` locates findings from what the parser
    #: kept in the same read when it can defer its locations (EML: computed per finding;
    #: tabular: its map), else reads the file a second time, with locations, only when there
    #: are findings to locate; ``always`` (the whole map in the document) or ``never``.
    locations: str = "auto"
    #: The sender declared the file JSON (``content-type: application/json``): it is read as
    #: a canonical document whatever it starts with, never handed to format detection.
    declared_json: bool = False


def is_canonical_json(main: InputFile, declared_json: bool, format: str | None) -> bool:
    """Whether ``main`` is read as a canonical document (JSON), not normalised.

    Declared JSON, a ``.json`` name, or a body that starts like a JSON object or array:
    JSON that is not a canonical document is then a 422 naming what it lacks, not a
    "no parser recognises this file". A parser named with ``format`` always reads the file.
    """
    if format is not None:
        return False
    name = (main.filename or main.path.name).lower()
    if declared_json or name.endswith(".json"):
        return True
    with main.path.open("rb") as handle:
        head = handle.read(64)
    return looks_like_json(head) or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")


def declares_json(content_type: str) -> bool:
    """A raw body sent as ``application/json`` (or ``application/*+json``)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _is_json(request: ValidateRequest) -> bool:
    return is_canonical_json(request.main, request.declared_json, request.format)


def read_request_context(request: ValidateRequest, limits: Limits | None = None) -> RequestContext:
    """The request's context files, each read once: the candidate list (for the rules, and for
    normalising), and the other context files when the input is normalised."""
    files = {} if _is_json(request) else dict(request.context_files)
    if request.candidate_list is not None:
        files[CANDIDATE_LIST] = request.candidate_list
    return read_context(files, limits)


def read_document(
    request: ValidateRequest,
    limits: Limits | None = None,
    *,
    locations: bool = True,
    defer_locations: bool = False,
    context: RequestContext | None = None,
) -> Document:
    """The validated document: the JSON as sent, or the file normalised (with locations)."""
    main = request.main
    if _is_json(request):
        return load_document_json(main.path.read_bytes(), main.filename or main.path.name)
    document = normalise(
        main,
        context_files=context or read_request_context(request, limits),
        options=NormaliseOptions(
            format=request.format,
            locations=locations,
            defer_locations=defer_locations,
            pack_selections=False,  # every rule reads every selection
            parser_options=request.parser_options,
        ),
        limits=limits,
    )
    # a count beyond 64 bits: 422 with its place, never validated (a LocationMap holds line
    # numbers only; writing it here would build every entry just for this check)
    deferred = isinstance(document.get("locations"), LocationMap)
    check_numbers({k: v for k, v in document.items() if not (deferred and k == "locations")})
    return document


def validate_document(
    request: ValidateRequest, limits: Limits | None = None
) -> tuple[Document, dict[str, Any]]:
    """Read everything a request names (context files once) and validate: the document and
    its report (TelnormError if unreadable). With ``locations="always"`` the document keeps
    its location map."""
    if request.locations not in ("auto", "always", "never"):
        raise ValueError(f"locations must be auto, always or never, not {request.locations!r}")
    context = read_request_context(request, limits)
    parsed_list = context.documents.get(CANDIDATE_LIST)
    candidate_list = candidate_list_ids(parsed_list) if parsed_list is not None else None
    is_json = _is_json(request)
    auto = request.locations == "auto" and not is_json
    # auto: a parser that can defer its locations (EML: each computed only for a finding
    # that names it; tabular: its map) gives them in this one read; other parsers' files are
    # read again with locations when there are findings (below).
    document = read_document(
        request,
        limits,
        locations=request.locations == "always",
        defer_locations=auto,
        context=context,
    )
    reference = (
        load_reference(request.reference.path, request.reference.filename, limits=limits)
        if request.reference is not None
        else None
    )
    report = validate(
        document,
        reference=reference,
        candidate_list=candidate_list,
        plausibility=request.plausibility,
    )
    if auto and "locations" in document:
        # the parser deferred its locations (EML: computed per finding; tabular: the map
        # built in the same read): used by validate() above, not a map to hand on
        del document["locations"]
    elif auto and report["findings"]:
        # Same bytes and options give the same document, so the pointers stay valid.
        del document
        document = read_document(request, limits, locations=True, context=context)
        attach_sources(report, document.get("locations"))
    return document, report


def run_request(request: ValidateRequest, limits: Limits | None = None) -> dict[str, Any]:
    """The report of a request. Used by the CLI in-process and by the service inside a
    worker process."""
    return validate_document(request, limits)[1]


def validate_job(request: ValidateRequest, limits: Limits) -> bytes:
    """The worker-process job of ``POST /validate``: one bytes object crosses the pipe."""
    return checked_dumps(run_request(request, limits))


__all__ = [
    "CandidateList",
    "TelnormError",
    "ValidateRequest",
    "candidate_list_ids",
    "check_document",
    "declares_json",
    "is_canonical_json",
    "load_candidate_list",
    "load_document_json",
    "read_document",
    "run_request",
    "validate_document",
    "validate_job",
]
