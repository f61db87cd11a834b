"""The built-in parsers pass the same contract kit that third-party plugins run."""

from __future__ import annotations

import json
from typing import Any

import pytest

from telnorm.parsers.eml import EMLParser
from telnorm.parsers.osv4_3 import OSV43Parser
from telnorm.parsers.testing import ParserContract, Sample, corpus_root
from tests.plugins.install import ROOT

CORPUS = corpus_root()
TABULAR_SAMPLES = ROOT / "samples" / "tabular"
needs_corpus = pytest.mark.skipif(CORPUS is None, reason="../shared/corpus is not available")


#: Corpus fixtures whose own numbers do not add up (the corpus README says so: trimmed to one
#: station or two candidates per list, or fake numbers), with the rules they break. The kit's
#: arithmetic check accepts exactly these.
NOT_ADDING_UP = {
    "Fake_test_data_Telling_EP2024_gemeente_Steenwijkerland.eml.xml": ("A.101", "F.201", "F.301"),
    "Telling_AB2023_Scheldestromen_gemeente_Borsele.eml.xml": ("A.101", "F.202", "F.402"),
    "Telling_PS2023_Drenthe_gemeente_Aa_en_Hunze.eml.xml": ("A.101",),
    "Totaaltelling_AB2023_Scheldestromen_waterschap_Scheldestromen.eml.xml": (
        "A.101", "F.202", "F.402",
    ),
    "Totaaltelling_PS2023_Drenthe_provincie_Drenthe.eml.xml": ("A.101",),
    # a municipal export without the valid-votes row: E stays absent (never derived)
    "lindehoven_mapping_export.csv": ("F.204",),
}  # fmt: skip


def _corpus(*patterns: str) -> list[Sample]:
    if CORPUS is None:
        return []
    paths = sorted(path for pattern in patterns for path in CORPUS.glob(pattern))
    return [Sample(path, expect_findings=NOT_ADDING_UP.get(path.name, ())) for path in paths]


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
                samples.append(Sample(path, options, NOT_ADDING_UP.get(path.name, ())))
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
