"""Normalise and export in one call: what the routes run in a worker and the CLI in-process.

Module-level, so it pickles by name for the worker pool. The candidate list is read once more
here (it is small) because the exporter needs its structured names, which the canonical
document does not keep (initials, first name, locality for the databank CSV).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from telnorm.parsers.api import Limits
from telnorm.parsers.eml.context import CANDIDATE_LIST, read_context_file
from telnorm.service import pipeline
from telnorm.service.export import Exported, ExportOptions, export
from telnorm.service.jsonsafe import check_numbers
from telnorm.service.pipeline import InputFile, NormaliseOptions


def export_options(
    params: Mapping[str, str], context_files: Mapping[str, InputFile], limits: Limits
) -> ExportOptions:
    """Export options from request parameters (or CLI ``--set``) and the candidate list."""
    candidate_list = None
    if CANDIDATE_LIST in context_files:
        candidate_list = read_context_file(
            context_files[CANDIDATE_LIST].source(), CANDIDATE_LIST, limits
        )
    return ExportOptions.from_params(params, candidate_list)


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
    listing every violation); a candidate list may still supply names and header values."""
    # Imported here: validation pulls in the rules, which a plain export does not need.
    from telnorm.service.validation.inputs import load_document_json

    document = load_document_json(main.path.read_bytes(), main.filename or main.path.name)
    return export(
        document, to, export_options(params, context_files, limits), schema_dir=schema_dir
    )


def normalise_export_job(
    main: InputFile,
    context_files: Mapping[str, InputFile],
    options: NormaliseOptions,
    limits: Limits,
    to: str,
    params: Mapping[str, str],
    schema_dir: Path | None = None,
) -> Exported:
    """Normalise ``main`` and write it as ``to``; raises TelnormError like the pipeline."""
    document = pipeline.normalise(main, context_files, options, limits)
    check_numbers(document)  # a count beyond 64 bits is a 422 here as in JSON, never written
    return export(
        document, to, export_options(params, context_files, limits), schema_dir=schema_dir
    )


__all__ = ["canonical_export_job", "export_options", "normalise_export_job"]
