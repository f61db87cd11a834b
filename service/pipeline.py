"""The normalise pipeline: file in, canonical document out. No HTTP here.

One pipeline for every way in (the routes, run in a worker process; the CLI and the plugin
kit, in-process), in named stages::

    read -> detect -> check options -> parse -> enrich -> provenance -> (output)

* ``read``: the file as a :class:`~telnorm.parsers.api.Source` (spooled by the service, with
  its size and sha256); an empty file is refused here.
* ``detect``: every parser scores the head, or ``format=`` names one (detection still says
  what the file looks like).
* ``check options``: an option the chosen parser does not read is a 400 naming it.
* ``parse``: the parser builds the document. A bundle (zip) is *unpacked* instead, and its
  member goes back to ``detect`` (``format=`` then applies to the member) and on through the
  same stages, so an option is checked the same way inside a zip as outside it.
* ``enrich``: the context files (230b, 110a, 110b), read once per request by
  :func:`read_context`, fill names, election fields and postcodes for every parser's output,
  each decision a note (:mod:`telnorm.parsers.enrich`).
* ``provenance``: ``source`` (file, detection, parser, mapping, context files) and the
  location map when asked for.

Output is the caller's: :func:`dumps` (orjson bytes, which is what a worker process hands
back: one bytes object instead of millions of small dicts), an export, or validation.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telnorm.parsers.api import BundleParser, Limits, ParseContext, Parser, Source, Unpacked
from telnorm.parsers.canonical import Document
from telnorm.parsers.conventions import MIN_CONFIDENCE
from telnorm.parsers.detection import Candidate, choose, rank
from telnorm.parsers.eml.context import CONTEXT_ROLES, ContextDocument, read_context_file
from telnorm.parsers.enrich import enrich
from telnorm.parsers.errors import EmptyInput, RequestError, UnsupportedFormat
from telnorm.parsers.registry import Registry
from telnorm.parsers.text import describe_head
from telnorm.parsers.webpage import refuse_webpage
from telnorm.service.plugin_host import active_registry, check_output, run_parse
from telnorm.service.settings import get_settings
from telnorm.service.version import NORMALISER_VERSION


@dataclass(frozen=True)
class InputFile:
    """A file on disk and the name its sender gave it."""

    path: Path
    filename: str | None = None
    #: Known when the bytes were hashed on arrival (the service does, while spooling).
    sha256: str | None = None

    def source(self) -> Source:
        return Source(self.path, self.filename or self.path.name, _sha256=self.sha256)


@dataclass(frozen=True)
class NormaliseOptions:
    """Options of one normalisation (the declarative control object of the pipeline)."""

    #: A parser name to use instead of detection (for a bundle: for its member).
    format: str | None = None
    #: Add the ``locations`` map (JSON Pointer -> source location).
    locations: bool = False
    #: Validation only: ``locations`` as a mapping that computes each entry when asked, from
    #: a parser that can (EML; see :mod:`telnorm.parsers.eml.locations`). Never serialised.
    defer_locations: bool = False
    #: Parser-specific options (``mapping``, ``member``, ``sheet``, ...), checked against the
    #: options the chosen parser declares.
    parser_options: Mapping[str, Any] = field(default_factory=dict)
    #: The mappings folder (``Settings.mappings_dir``); None: the settings' value, which
    #: defaults to the mappings packaged with telnorm.
    mappings_dir: Path | None = None


@dataclass
class RequestContext:
    """The context files of one request, each read once, for every stage that needs them
    (parse, enrich, provenance; the exporters and validation reuse them too)."""

    documents: dict[str, ContextDocument] = field(default_factory=dict)
    provenance: list[dict[str, Any]] = field(default_factory=list)

    def add(self, role: str, source: Source, limits: Limits) -> ContextDocument:
        parsed = read_context_file(source, role, limits)
        self.documents[role] = parsed
        self.provenance.append(
            {
                "role": role,
                "filename": source.filename,
                "sha256": source.sha256,
                "eml_id": parsed.eml_id,
            }
        )
        return parsed


def read_context(
    context_files: Mapping[str, InputFile] | None, limits: Limits | None = None
) -> RequestContext:
    """Read the request's context files (by role, in role order)."""
    limits = limits or Limits()
    found = RequestContext()
    for role, item in sorted((context_files or {}).items()):
        if role not in CONTEXT_ROLES:
            raise ValueError(f"unknown context role {role!r}")
        found.add(role, item.source(), limits)
    return found


# --- the stages ------------------------------------------------------------------------------


def read(main: InputFile) -> Source:
    """``read``: the file as a Source (size and sha256 known or computed when asked)."""
    source = main.source()
    if source.size == 0:
        raise EmptyInput("The file is empty (0 bytes). Check that the right file was sent.")
    return source


def detect_parser(source: Source, registry: Registry, format_name: str | None) -> Candidate:
    """``detect``: the parser for ``source``. A bundle is recognised by content even when
    ``format=`` names a parser for what is inside it (``format=`` then applies to the member)."""
    if format_name:
        named = registry.get(format_name)
        if named is not None and not isinstance(named, BundleParser):
            best = rank(registry, source.head, source.filename)[:1]
            if best and _is_bundle(best[0]):
                return best[0]
    if format_name is None:
        refuse_webpage(source.head, source.filename)  # an HTML table saved as .xls
    return choose(registry, source.head, source.filename, format_name)


def _is_bundle(candidate: Candidate) -> bool:
    return (
        isinstance(candidate.parser, BundleParser)
        and candidate.detection.confidence >= MIN_CONFIDENCE
    )


def check_options(
    parser: Parser, fmt: str | None, given: Mapping[str, Any], member: str | None = None
) -> None:
    """``check options``: an option the chosen parser does not read is refused, never
    ignored silently."""
    unknown = sorted(key for key in given if key not in parser.options)
    if not unknown:
        return
    names = ", ".join(f"{key}=" for key in unknown)
    takes = ", ".join(f"{key}=" for key in parser.options) or "no options"
    what = f"this file (zip member {member!r})" if member else "this file"
    raise RequestError(
        f"The option {names} does not apply to {what}: it was read as "
        f"{fmt or parser.name} by the '{parser.name}' parser, which takes {takes}. "
        "Leave the option out, or name another parser with format= (for instance "
        "format=tabular to read a CSV with a mapping).",
        options=unknown,
        parser=parser.name,
    )


@dataclass
class _Parsed:
    """What ``parse`` hands to ``provenance``."""

    document: Document
    #: The parser that read the file the request sent (a bundle parser for a zip).
    outer: Candidate
    #: The parser that read the count (the same as ``outer`` unless a bundle was unpacked).
    inner: Candidate
    member: str | None = None


def _parse(
    source: Source,
    chosen: Candidate,
    options: NormaliseOptions,
    request: RequestContext,
    context: ParseContext,
    registry: Registry,
) -> _Parsed:
    """``parse`` (through a bundle's member when the file is one)."""
    if not isinstance(chosen.parser, BundleParser):  # options checked before the context
        return _Parsed(run_parse(registry, chosen.parser, source, context), chosen, chosen)
    bundle_options = {k: v for k, v in options.parser_options.items() if k in chosen.parser.options}
    member_options = {
        k: v for k, v in options.parser_options.items() if k not in chosen.parser.options
    }
    # the bundle reads only its own options (member=); the rest are the member's
    context.options = bundle_options
    format_name = None if options.format == chosen.parser.name else options.format
    with tempfile.TemporaryDirectory(prefix="telnorm-bundle-") as folder:
        unpacked = chosen.parser.unpack(source, context, Path(folder))
        _add_bundle_context(unpacked, request, context)
        inner = choose(registry, unpacked.member.head, unpacked.member.filename, format_name)
        if isinstance(inner.parser, BundleParser):
            raise UnsupportedFormat(f"Zip member {unpacked.name!r} is itself a bundle.")
        check_options(inner.parser, inner.detection.format, member_options, unpacked.name)
        context.options = member_options
        document = run_parse(registry, inner.parser, unpacked.member, context)
    context.note(
        "zip-member",
        f"The count is zip member {unpacked.name!r}, read by parser {inner.parser.name}.",
        None,
    )
    return _Parsed(document, chosen, inner, unpacked.name)


def _add_bundle_context(unpacked: Unpacked, request: RequestContext, context: ParseContext) -> None:
    """Context files found in a bundle are used where the request sent none of that role."""
    for role, found in sorted(unpacked.context_files.items()):
        if role in request.documents:
            continue
        request.add(role, found, context.limits)
        context.context = request.documents
        context.note(
            "zip-context",
            f"The {role.replace('_', ' ')} {found.filename!r} in the zip is used as context.",
            None,
        )


def provenance(
    document: Document,
    source: Source,
    parsed: _Parsed,
    request: RequestContext,
    context: ParseContext,
) -> Document:
    """``provenance``: ``source`` of the output, then notes and (when asked) locations."""
    parsed_source = document.pop("source", None) or {}
    detection = parsed.outer.detection
    inner = parsed.inner.detection
    document["source"] = {
        "filename": source.filename,
        "bytes": source.size,
        "sha256": source.sha256,
        "media_type": parsed_source.get("media_type")
        or inner.media_type
        or detection.media_type
        or "application/octet-stream",
        "encoding": parsed_source.get("encoding"),
        "format": {
            "id": parsed_source.get("format") or inner.format or parsed.inner.parser.name,
            "confidence": round(detection.confidence, 3),
            "evidence": list(detection.evidence),
        },
        "parser": {"name": parsed.outer.parser.name, "version": parsed.outer.parser.version},
        "mapping": parsed_source.get("mapping"),
        "context": request.provenance,
        "normaliser_version": NORMALISER_VERSION,
    }
    if parsed.member is not None:
        document["source"]["member"] = parsed.member
    if parsed_source.get("cells") is not None:
        document["source"]["cells"] = parsed_source["cells"]
    # pop and re-insert: notes (and locations) come after source in the contract's order
    document["notes"] = document.pop("notes", []) + context.notes
    if context.deferred_locations is not None:  # computed per entry, written as a stream
        document["locations"] = context.deferred_locations
    elif context.want_locations:
        document["locations"] = context.locations
    return document


def normalise(
    main: InputFile,
    context_files: Mapping[str, InputFile] | RequestContext | None = None,
    options: NormaliseOptions | None = None,
    limits: Limits | None = None,
    registry: Registry | None = None,
) -> Document:
    """Normalise one file into the canonical document (raises TelnormError on bad input).

    ``context_files`` are files by role, or a :class:`RequestContext` already read (so a
    caller that needs the context files itself, such as an export, reads them once; a
    context file found in a bundle is added to it).
    """
    options = options or NormaliseOptions()
    limits = limits or Limits()
    registry = registry or active_registry()
    files: Mapping[str, InputFile] = {}
    request: RequestContext | None = None
    if isinstance(context_files, RequestContext):
        request = context_files
    else:
        files = context_files or {}
        for role in files:
            if role not in CONTEXT_ROLES:
                raise ValueError(f"unknown context role {role!r}")

    source = read(main)
    chosen = detect_parser(source, registry, options.format)
    if not isinstance(chosen.parser, BundleParser):
        check_options(chosen.parser, chosen.detection.format, options.parser_options)
    if request is None:
        request = read_context(files, limits)  # after detect: a bad file is named first
    context = ParseContext(
        options=dict(options.parser_options),
        limits=limits,
        context=request.documents,
        want_locations=options.locations,
        defer_locations=options.defer_locations and not options.locations,
        mappings_dir=options.mappings_dir or get_settings().mappings_dir,
    )
    parsed = _parse(source, chosen, options, request, context, registry)
    enrich(parsed.document, request.documents, context)
    document = provenance(parsed.document, source, parsed, request, context)
    check_output(registry, parsed.inner.parser, document)
    return document


def dumps(document: Document) -> bytes:
    """The canonical JSON bytes. Deterministic without sorting keys: parsers build dicts in
    the contract's field order and dicts keep insertion order."""
    # a number no count can be (more than 64 bits) is a 422 with its place, not a 500
    from telnorm.service.jsonsafe import dumps as checked_dumps

    return checked_dumps(document)


def normalise_json(
    main: InputFile,
    context_files: Mapping[str, InputFile] | RequestContext | None = None,
    options: NormaliseOptions | None = None,
    limits: Limits | None = None,
) -> bytes:
    return dumps(normalise(main, context_files, options, limits))


def detect(main: InputFile, registry: Registry | None = None) -> dict[str, Any]:
    """All parsers' scores for a file, ranked, with what the file looks like."""
    registry = registry or active_registry()
    source = main.source()
    head = source.head
    ranked = rank(registry, head, source.filename)
    best = (
        ranked[0].describe()
        if ranked and ranked[0].detection.confidence >= MIN_CONFIDENCE
        else None
    )
    return {
        "filename": source.filename,
        "bytes": source.size,
        "best": best,
        "candidates": [candidate.describe() for candidate in ranked],
        "seen": describe_head(head) if head else None,
    }


__all__ = [
    "InputFile",
    "NormaliseOptions",
    "RequestContext",
    "check_options",
    "detect",
    "detect_parser",
    "dumps",
    "normalise",
    "normalise_json",
    "provenance",
    "read",
    "read_context",
]
