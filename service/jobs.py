"""The functions that run inside the parse workers (module-level, so they pickle by name)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from telnorm.parsers.api import Limits
from telnorm.service import pipeline
from telnorm.service.pipeline import InputFile, NormaliseOptions


def normalise_job(
    main: InputFile,
    context_files: Mapping[str, InputFile],
    options: NormaliseOptions,
    limits: Limits,
) -> bytes:
    """Normalise and serialise in the worker: one bytes object crosses the pipe."""
    return pipeline.dumps(pipeline.normalise(main, context_files, options, limits))


def detect_job(main: InputFile) -> dict[str, Any]:
    return pipeline.detect(main)


def suggest_mapping_job(main: InputFile, limits: Limits) -> dict[str, Any]:
    from telnorm.parsers.tabular.suggest import suggest_mapping

    source = main.source()
    return suggest_mapping(source.read_bytes(), source.filename, limits)


def list_mappings_job(mappings_dir: Path | None = None) -> dict[str, Any]:
    from telnorm.parsers.tabular.mapping import builtin_mappings

    return {
        "mappings": [
            {
                "id": mapping.id,
                "version": mapping.version,
                "title": mapping.title,
                "family": mapping.family,
                "fingerprint": mapping.fingerprint,
                "origin": mapping.origin,
            }
            for mapping in builtin_mappings(mappings_dir)
        ]
    }
