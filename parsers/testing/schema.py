"""The canonical-schema check: the same helper telnorm's own tests use.

The schema is the committed JSON Schema (2020-12) shipped inside the ``parsers`` package
(``parsers/schema/canonical-v1.schema.json``, also served at ``GET /schema``). Validation uses
:mod:`jsonschema`, which comes with the ``telnorm[testing]`` extra.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from importlib import resources
from typing import Any

import orjson

from telnorm.parsers.packed_selections import unpacked

SCHEMA_RESOURCE = ("schema", "canonical-v1.schema.json")


def canonical_schema() -> dict[str, Any]:
    """The committed canonical JSON Schema, as shipped in the package."""
    data = resources.files("telnorm.parsers").joinpath(*SCHEMA_RESOURCE).read_bytes()
    schema: dict[str, Any] = orjson.loads(data)
    return schema


@lru_cache(maxsize=1)
def _validator() -> Any:
    try:
        jsonschema = importlib.import_module("jsonschema")
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "telnorm.parsers.testing needs jsonschema: pip install 'telnorm[testing]'"
        ) from exc
    return jsonschema.Draft202012Validator(canonical_schema())


def canonical_errors(document: Any, *, limit: int = 10) -> list[str]:
    """Why ``document`` fails the canonical schema, one line each (``[]`` when it passes).

    Each line is ``/json/pointer: message``; at most ``limit`` lines, first by position.
    """
    errors = sorted(
        _validator().iter_errors(unpacked(document)), key=lambda e: [str(p) for p in e.path]
    )
    lines = []
    for error in errors[:limit]:
        pointer = "/" + "/".join(str(part) for part in error.absolute_path)
        lines.append(f"{pointer}: {error.message}")
    if len(errors) > limit:
        lines.append(f"... and {len(errors) - limit} more")
    return lines


def assert_canonical(document: Any) -> None:
    """Fail (``AssertionError``) unless the document passes the canonical JSON Schema."""
    errors = canonical_errors(document)
    if errors:
        raise AssertionError("document does not pass the canonical schema:\n" + "\n".join(errors))


__all__ = ["assert_canonical", "canonical_errors", "canonical_schema"]
