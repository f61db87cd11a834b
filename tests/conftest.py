"""Shared fixtures: the corpus (skipped when absent) and the canonical-schema check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "samples"
SCHEMA_PATH = ROOT / "parsers" / "schema" / "canonical-v1.schema.json"


def corpus_path(*parts: str) -> Path:
    """A corpus file; skips the calling test when the corpus is not there."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus file not available: {path}")
    return path


def corpus_files(pattern: str) -> list[Path]:
    """Corpus files matching a glob (relative to the corpus root); [] when absent."""
    if not CORPUS.exists():
        return []
    return sorted(CORPUS.glob(pattern))


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is not available")
    return CORPUS


_VALIDATOR: jsonschema.protocols.Validator | None = None


def assert_canonical(document: dict[str, Any]) -> None:
    """Fail unless the document passes the committed canonical JSON Schema."""
    global _VALIDATOR
    if _VALIDATOR is None:
        import orjson

        schema = orjson.loads(SCHEMA_PATH.read_bytes())
        _VALIDATOR = jsonschema.Draft202012Validator(schema)
    errors = sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]]
        pytest.fail("document does not pass the canonical schema:\n" + "\n".join(lines))


@pytest.fixture
def tmp_file(tmp_path: Path) -> Iterator[Any]:
    """Write bytes to a named temporary file: tmp_file(b"...", "name.xml") -> Path."""

    def make(data: bytes, name: str = "input.bin") -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    yield make
