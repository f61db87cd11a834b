"""The generators of benchmarks/tabular.py, small: their files normalise completely, and the
fast row-at-a-time path gives the same document as the cell-by-cell one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import assert_canonical
from tests.tabular.helpers import run

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_tabular", ROOT / "benchmarks" / "tabular.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_tabular"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _bench()


def _totals_are_sums(doc: dict[str, Any]) -> None:
    units = doc["reporting_unit_votes"]
    total = doc["total_votes"]
    assert total["cast"] == sum(u["cast"] for u in units)
    for s, selection in enumerate(total["selections"]):
        assert selection["valid_votes"] == sum(u["selections"][s]["valid_votes"] for u in units)


def test_osv_generator(bench: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "osv.csv"
    bench.write_osv_csv(path, stations=4, lists=3, candidates=5, seed=1)
    doc = run(path)
    assert_canonical(doc)
    assert doc["source"]["parser"]["name"] == "osv4-3"
    assert len(doc["reporting_unit_votes"]) == 4
    assert doc["source"]["cells"]["left_over"] == 0
    _totals_are_sums(doc)
    candidates = doc["total_votes"]["selections"][2]["candidates"]
    assert [c["candidate_id"] for c in candidates] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("dutch", [False, True])
def test_family_a_generator(bench: ModuleType, tmp_path: Path, dutch: bool) -> None:
    path = tmp_path / "a.csv"
    bench.write_family_a_csv(path, rows=50, columns=40, seed=3, dutch=dutch)
    doc = run(path)
    assert_canonical(doc)
    assert doc["source"]["format"]["id"] == "csv-family-a"
    assert len(doc["reporting_unit_votes"]) == 50
    assert len(doc["affiliations"]) == 29
    assert doc["source"]["cells"] == {"read": 50 * 38, "mapped": 50 * 38, "left_over": 0}
    _totals_are_sums(doc)


def test_family_a_xlsx_equals_csv(bench: ModuleType, tmp_path: Path) -> None:
    bench.write_family_a_csv(tmp_path / "a.csv", rows=30, columns=40, seed=4, dutch=False)
    bench.write_family_a_xlsx(tmp_path / "a.xlsx", rows=30, columns=40, seed=4)
    from_csv, from_xlsx = run(tmp_path / "a.csv"), run(tmp_path / "a.xlsx")
    for key in ("total_votes", "reporting_unit_votes", "affiliations"):
        assert from_csv[key] == from_xlsx[key]


def test_fast_and_slow_rows_give_the_same_document(bench: ModuleType, tmp_path: Path) -> None:
    """A space in one cell of every row sends the rows cell by cell (parse_count reads
    ' 12' as 12); the document must not change, and locations must point at the same cells."""
    fast_path = tmp_path / "fast.csv"
    bench.write_family_a_csv(fast_path, rows=40, columns=40, seed=5, dutch=False)
    lines = fast_path.read_text(encoding="utf-8").splitlines()
    slow_lines = [lines[0]] + [
        line[: line.rindex(";") + 1] + " " + line[line.rindex(";") + 1 :] for line in lines[1:]
    ]
    slow_path = tmp_path / "slow.csv"
    slow_path.write_text("\r\n".join(slow_lines) + "\r\n", encoding="utf-8")
    fast, slow = run(fast_path, locations=True), run(slow_path, locations=True)
    for key in ("total_votes", "reporting_unit_votes", "affiliations", "locations"):
        assert fast[key] == slow[key], key
    assert fast["source"]["cells"] == slow["source"]["cells"]
