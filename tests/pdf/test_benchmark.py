"""The PDF benchmark's generated record is one telnorm reads exactly (smoke test)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.conftest import ROOT
from tests.pdf.helpers import read


def _bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_pdf", ROOT / "benchmarks" / "pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_record_reads_back_exactly(tmp_path: Path) -> None:
    bench = _bench()
    path = tmp_path / "o3.pdf"
    path.write_bytes(bench.make_record(3, 60))  # type: ignore[attr-defined]
    document = read(path)
    assert document["document"]["level"] == "district"
    selections = document["total_votes"]["selections"]
    assert [s["affiliation_id"] for s in selections] == ["1", "2", "3"]
    for number, selection in enumerate(selections, start=1):
        votes = [c["valid_votes"] for c in selection["candidates"]]
        expected = [(number * 7919 + p * 104729) % 5000 // p for p in range(1, 61)]
        assert votes == expected
        assert selection["valid_votes"] == sum(expected)
