"""Issue 18's benchmark input (benchmarks/scale_eml.py): a real corpus count scaled up reads
back with every station's numbers a copy of a real station's and a total that is their sum."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from telnorm.service.pipeline import InputFile, normalise
from tests.conftest import ROOT, corpus_path

SCALER = ROOT / "benchmarks" / "scale_eml.py"


def test_scaled_count_is_consistent(tmp_path: Path) -> None:
    source = corpus_path("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
    out = tmp_path / "scaled.eml.xml"
    result = subprocess.run(
        [sys.executable, str(SCALER), str(out), "--stations", "14", "--source", str(source)],
        capture_output=True,
        check=True,
    )
    summary = json.loads(result.stdout)
    original = normalise(InputFile(source))
    scaled = normalise(InputFile(out))
    units = scaled["reporting_unit_votes"]
    real = original["reporting_unit_votes"]
    assert summary["stations"] == len(units) == 14
    assert [u["id"] for u in units] == [f"0668::SB{i}" for i in range(1, 15)]
    for i, unit in enumerate(units):  # station i copies real station i mod 11
        assert list(unit["selections"]) == list(real[i % len(real)]["selections"])
    total = scaled["total_votes"]
    assert (
        total["total_counted"] == summary["total_counted"] == sum(u["total_counted"] for u in units)
    )
    for s, selection in enumerate(total["selections"]):
        assert selection["valid_votes"] == sum(u["selections"][s]["valid_votes"] for u in units)
