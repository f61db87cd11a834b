"""The built-in parsers pass the same contract kit that third-party plugins run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from telnorm.parsers.eml import EMLParser
from telnorm.parsers.osv4_3 import OSV43Parser
from telnorm.parsers.testing import ParserContract, Sample, corpus_root
from tests.plugins.install import ROOT

CORPUS = corpus_root()
TABULAR_SAMPLES = ROOT / "samples" / "tabular"
needs_corpus = pytest.mark.skipif(CORPUS is None, reason="../shared/corpus is not available")


def _corpus(*patterns: str) -> list[Path]:
    if CORPUS is None:
        return []
    return sorted(path for pattern in patterns for path in CORPUS.glob(pattern))


def _tabular_samples() -> list[Sample]:
    """Every input in samples/tabular, with the options its expected file names."""
    samples = []
    for expected in sorted(TABULAR_SAMPLES.glob("*.expected.json")):
        stem = expected.name.removesuffix(".expected.json")
        meta: dict[str, Any] = json.loads(expected.read_text(encoding="utf-8")).get("_sample", {})
        options = dict(meta.get("options", {}))
        if meta.get("mapping"):
            options["mapping"] = meta["mapping"]
        for path in sorted(TABULAR_SAMPLES.glob(stem + ".*")):
            if path != expected:
                samples.append(Sample(path, options))
    return samples


@needs_corpus
class TestEMLContract(ParserContract):
    parser = EMLParser
    samples = _corpus("eml/510b/*.xml", "eml/510-other/Totaaltelling_*.xml", "eml/draft-1.3/*")
    # 230b, 110a and 520 are EML documents the parser must refuse for counting, with a
    # location: exactly what error samples are.
    error_samples = _corpus("eml/510-other/eml520_test.eml.xml", "eml/230b/abacus_*.xml")
    fuzz_examples = 60


@needs_corpus
class TestOSV43Contract(ParserContract):
    parser = OSV43Parser
    samples = _corpus("csv/osv4-3/*.csv")
    fuzz_examples = 15  # each parse of a 25-station table takes a while


try:
    from telnorm.parsers.tabular import TabularParser
except ImportError:  # pragma: no cover - the tabular parser is being written alongside
    TabularParser = None  # type: ignore[assignment,misc]


@pytest.mark.skipif(
    TabularParser is None, reason="telnorm.parsers.tabular has no TabularParser yet"
)
class TestTabularContract(ParserContract):
    parser = TabularParser
    samples = _tabular_samples()
    # It reads any CSV and spreadsheets (zip containers): those are its own kinds.
    claims = frozenset({"csv", "zip"})
    fuzz_examples = 20
