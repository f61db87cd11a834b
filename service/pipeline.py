"""The normalise pipeline: file in, canonical document out. No HTTP here.

Used in-process by the CLI and inside the worker processes of the service. Steps: read the
head, detect (or take ``format=``), read the context files, parse, then add provenance
(``source``) and, when asked, the location map. The functions that end in ``_json`` return
orjson bytes so that a worker process hands back one bytes object instead of pickling
millions of small dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telnorm.parsers.api import Limits, ParseContext, Parser, Source
from telnorm.parsers.canonical import Document
from telnorm.parsers.detection import choose, rank
from telnorm.parsers.eml.context import CONTEXT_ROLES, read_context_file
from telnorm.parsers.errors import EmptyInput, RequestError, TelnormError
from telnorm.parsers.registry import Registry, default_registry
from telnorm.parsers.text import describe_head
from telnorm.parsers.webpage import refuse_webpage
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

    #: A parser name to use instead of detection.
    format: str | None = None
    #: Add the ``locations`` map (JSON Pointer -> source location).
    locations: bool = False
    #: Parser-specific options (``mapping``, ``member``, ``sheet``, ...), passed through.
    parser_options: Mapping[str, Any] = field(default_factory=dict)
    #: The mappings folder (``Settings.mappings_dir``); None: the settings' value, which
    #: defaults to the mappings packaged with telnorm.
    mappings_dir: Path | None = None


def _context_documents(
    context_files: Mapping[str, InputFile], limits: Limits
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    documents: dict[str, Any] = {}
    provenance: list[dict[str, Any]] = []
    for role, item in sorted(context_files.items()):
        source = item.source()
        parsed = read_context_file(source, role, limits)
        documents[role] = parsed
        provenance.append(
            {
                "role": role,
                "filename": source.filename,
                "sha256": source.sha256,
                "eml_id": parsed.eml_id,
            }
        )
    return documents, provenance


def _check_options(parser: Parser, fmt: str | None, given: Mapping[str, Any]) -> None:
    """An option the chosen parser does not read is refused, never ignored silently."""
    unknown = sorted(key for key in given if key not in parser.options)
    if not unknown:
        return
    names = ", ".join(f"{key}=" for key in unknown)
    takes = ", ".join(f"{key}=" for key in parser.options) or "no options"
    raise RequestError(
        f"The option {names} does not apply to this file: it was read as "
        f"{fmt or parser.name} by the '{parser.name}' parser, which takes {takes}. "
        "Leave the option out, or name another parser with format= (for instance "
        "format=tabular to read a CSV with a mapping).",
        options=unknown,
        parser=parser.name,
    )


def normalise(
    main: InputFile,
    context_files: Mapping[str, InputFile] | None = None,
    options: NormaliseOptions | None = None,
    limits: Limits | None = None,
    registry: Registry | None = None,
) -> Document:
    """Normalise one file into the canonical document (raises TelnormError on bad input)."""
    options = options or NormaliseOptions()
    limits = limits or Limits()
    registry = registry or default_registry()
    context_files = context_files or {}
    for role in context_files:
        if role not in CONTEXT_ROLES:
            raise ValueError(f"unknown context role {role!r}")

    source = main.source()
    if source.size == 0:
        raise EmptyInput("The file is empty (0 bytes). Check that the right file was sent.")
    if options.format is None:
        refuse_webpage(source.head, source.filename)  # an HTML table saved as .xls
    chosen = choose(registry, source.head, source.filename, options.format)
    _check_options(chosen.parser, chosen.detection.format, options.parser_options)
    context_docs, context_provenance = _context_documents(context_files, limits)
    context = ParseContext(
        options=dict(options.parser_options),
        limits=limits,
        context=context_docs,
        want_locations=options.locations,
        mappings_dir=options.mappings_dir or get_settings().mappings_dir,
    )
    document = chosen.parser.parse(source, context)

    parsed_source = document.pop("source", None) or {}
    detection = chosen.detection
    document["source"] = {
        "filename": source.filename,
        "bytes": source.size,
        "sha256": source.sha256,
        "media_type": parsed_source.get("media_type")
        or detection.media_type
        or "application/octet-stream",
        "encoding": parsed_source.get("encoding"),
        "format": {
            "id": parsed_source.get("format") or detection.format or chosen.parser.name,
            "confidence": round(detection.confidence, 3),
            "evidence": list(detection.evidence),
        },
        "parser": {"name": chosen.parser.name, "version": chosen.parser.version},
        "mapping": parsed_source.get("mapping"),
        "context": context_provenance,
        "normaliser_version": NORMALISER_VERSION,
    }
    for optional in ("member", "cells"):
        if parsed_source.get(optional) is not None:
            document["source"][optional] = parsed_source[optional]
    # pop and re-insert: notes (and locations) come after source in the contract's order
    document["notes"] = document.pop("notes", []) + context.notes
    if options.locations:
        document["locations"] = context.locations
    return document


def dumps(document: Document) -> bytes:
    """The canonical JSON bytes. Deterministic without sorting keys: parsers build dicts in
    the contract's field order and dicts keep insertion order."""
    # a number no count can be (more than 64 bits) is a 422 with its place, not a 500
    from telnorm.service.jsonsafe import dumps as checked_dumps

    return checked_dumps(document)


def normalise_json(
    main: InputFile,
    context_files: Mapping[str, InputFile] | None = None,
    options: NormaliseOptions | None = None,
    limits: Limits | None = None,
) -> bytes:
    return dumps(normalise(main, context_files, options, limits))


def detect(main: InputFile, registry: Registry | None = None) -> dict[str, Any]:
    """All parsers' scores for a file, ranked, with what the file looks like."""
    registry = registry or default_registry()
    source = main.source()
    head = source.head
    ranked = rank(registry, head, source.filename)
    best = ranked[0].describe() if ranked and ranked[0].detection.confidence >= 0.5 else None
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
    "TelnormError",
    "detect",
    "dumps",
    "normalise",
    "normalise_json",
]
