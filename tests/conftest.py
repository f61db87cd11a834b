"""Shared fixtures: the corpus (skipped when absent) and the canonical-schema check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from telnorm.parsers.testing import canonical_errors

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


def assert_canonical(document: dict[str, Any]) -> None:
    """Fail unless the document passes the committed canonical JSON Schema (the helper of the
    plugin contract kit, so plugins test with exactly what telnorm tests with)."""
    errors = canonical_errors(document)
    if errors:
        pytest.fail("document does not pass the canonical schema:\n" + "\n".join(errors))


@pytest.fixture
def tmp_file(tmp_path: Path) -> Iterator[Any]:
    """Write bytes to a named temporary file: tmp_file(b"...", "name.xml") -> Path."""

    def make(data: bytes, name: str = "input.bin") -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    yield make
