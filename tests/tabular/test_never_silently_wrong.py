"""Never silently wrong: files (and mappings) that cannot be read exactly are refused with a
422 naming the cells. Each case is a data file in ``cases/refused/`` (input text, optional
mapping, the expected problem code, text the message must hold, and the cells it lists)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from telnorm.parsers.errors import TelnormError
from telnorm.service.problems import problem_document
from tests.tabular.helpers import run

CASES = Path(__file__).parent / "cases" / "refused"


def _cases() -> list[Any]:
    return [
        pytest.param(tomllib.loads(path.read_text(encoding="utf-8")), id=path.stem)
        for path in sorted(CASES.glob("*.toml"))
    ]


@pytest.mark.parametrize("case", _cases())
def test_refused(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / case["filename"]
    path.write_bytes(case["input"].encode("utf-8"))
    options: dict[str, Any] = {}
    if "mapping" in case:
        options["mapping"] = case["mapping"]
    with pytest.raises(TelnormError) as caught:
        run(path, fmt="tabular", **options)
    problem = problem_document(caught.value)
    assert problem["code"] == case["code"], problem["detail"]
    assert problem["status"] == 422
    for text in case.get("detail_contains", []):
        assert text in problem["detail"]
    if "cells" in case:
        assert [[c["line"], c["column"]] for c in problem["cells"]] == case["cells"]


def test_the_same_files_read_when_correct(tmp_path: Path) -> None:
    """The counterpart: with the column headed, the row labelled, the quote closed and the
    header row right, every number is read and none left over."""
    path = tmp_path / "goed.csv"
    path.write_text(
        "Stembureau;Opgeroepenen;VVD;CDA;D66\nSB1 De Linde;1000;10;7;20\nSB2 Kerk;900;30;8;40\n",
        encoding="utf-8",
    )
    doc = run(path, fmt="tabular")
    assert doc["source"]["cells"] == {"read": 8, "mapped": 8, "left_over": 0}
    votes = [[s["valid_votes"] for s in u["selections"]] for u in doc["reporting_unit_votes"]]
    assert votes == [[10, 7, 20], [30, 8, 40]]


def test_a_grand_total_after_lists_without_totals_is_not_the_last_lists_total(
    tmp_path: Path,
) -> None:
    """A proces-verbaal sheet without a 'Totaal' per list: its final 'Totaal' row is the sum
    of all lists, never read as the last list's votes."""
    path = tmp_path / "pv.csv"
    path.write_text(
        ";SB1;SB2\nAantal kiesgerechtigden;100;200\n1 - Partij A;;\n1 - Jansen, A.;30;30\n"
        "2 - Pieters, B.;5;6\n2 - Partij B;;\n1 - Klaas, C.;7;8\nTotaal;42;44\n",
        encoding="utf-8",
    )
    doc = run(path, fmt="tabular")
    lists = [[s["valid_votes"] for s in u["selections"]] for u in doc["reporting_unit_votes"]]
    assert lists == [[None, None], [None, None]]
    candidates = [
        [c["valid_votes"] for s in u["selections"] for c in s["candidates"]]
        for u in doc["reporting_unit_votes"]
    ]
    assert candidates == [[30, 5, 7], [30, 6, 8]]
