"""Normalise and export in one call: what the routes run in a worker and the CLI in-process.

Module-level, so it pickles by name for the worker pool. The context files are read once
(:func:`telnorm.service.pipeline.read_context`) and shared: the pipeline fills names from the
candidate list, and the exporter reads its structured names, which the canonical document
does not keep (initials, first name, locality for the databank CSV).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from telnorm.parsers.api import Limits
from telnorm.parsers.eml.context import CANDIDATE_LIST, ELECTION_DEFINITION
from telnorm.service import pipeline
from telnorm.service.export import Exported, ExportOptions, export
from telnorm.service.jsonsafe import check_numbers
from telnorm.service.pipeline import InputFile, NormaliseOptions, RequestContext

#: The context files a canonical document sent back may still come with: what the writers
#: read (names from the candidate list, the databank CSV's districts from the election tree).
EXPORT_CONTEXT_PARTS = (CANDIDATE_LIST, ELECTION_DEFINITION)


def export_options(params: Mapping[str, str], context: RequestContext) -> ExportOptions:
    """Export options from request parameters (or CLI ``--set``) and the context files."""
    return ExportOptions.from_params(
        params,
        context.documents.get(CANDIDATE_LIST),
        context.documents.get(ELECTION_DEFINITION),
    )


def canonical_export_job(
    main: InputFile,
    context_files: Mapping[str, InputFile],
    limits: Limits,
    to: str,
    params: Mapping[str, str],
    schema_dir: Path | None = None,
) -> Exported:
    """Re-export: write a canonical document a caller sends back (JSON) as ``to``, without
    the source file. The document is checked against the canonical schema first (422
    listing every violation); a candidate list may still supply names and header values,
    an election definition the databank CSV's districts."""
    # Imported here: validation pulls in the rules, which a plain export does not need.
    from telnorm.service.validation.inputs import load_document_json

    document = load_document_json(main.path.read_bytes(), main.filename or main.path.name)
    # nothing to enrich: only what the writers read (names, the election tree)
    names = {role: f for role, f in context_files.items() if role in EXPORT_CONTEXT_PARTS}
    context = pipeline.read_context(names, limits)
    return export(document, to, export_options(params, context), schema_dir=schema_dir)


def normalise_export_job(
    main: InputFile,
    context_files: Mapping[str, InputFile] | RequestContext,
    options: NormaliseOptions,
    limits: Limits,
    to: str,
    params: Mapping[str, str],
    schema_dir: Path | None = None,
) -> Exported:
    """Normalise ``main`` and write it as ``to``; raises TelnormError like the pipeline."""
    context = (
        context_files
        if isinstance(context_files, RequestContext)
        else pipeline.read_context(context_files, limits)
    )
    document = pipeline.normalise(main, context, options, limits)
    check_numbers(document)  # a count beyond 64 bits is a 422 here as in JSON, never written
    return export(document, to, export_options(params, context), schema_dir=schema_dir)


__all__ = [
    "EXPORT_CONTEXT_PARTS",
    "canonical_export_job",
    "export_options",
    "normalise_export_job",
]
