"""The compact location map of tabular counts (parsers/tabular/locations.py): a mapping with
dict semantics, whose stream is the bytes orjson writes for the same dict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from telnorm.parsers.errors import TelnormError
from telnorm.parsers.tabular.locations import TabularLocations
from telnorm.service.jsonsafe import dumps, iter_dumps
from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise
from tests.conftest import corpus_files


def _as_dict(located: TabularLocations) -> dict[str, Any]:
    return {key: located[key] for key in located}


def test_rows_and_plain_entries_keep_their_order() -> None:
    located = TabularLocations()
    assert not located and len(located) == 0
    located["/total_votes/cast"] = {"line": 2, "column": 3}
    located.add_row("/reporting_unit_votes/0", 5, [("/cast", 4), ("/selections/0/valid_votes", 9)])
    located["/reporting_unit_votes/1/cast"] = {"sheet": "Blad1", "cell": "D6"}
    located.add_row("/reporting_unit_votes/2", 7, [("/selections/0/valid_votes", 9)])
    expected = {
        "/total_votes/cast": {"line": 2, "column": 3},
        "/reporting_unit_votes/0/cast": {"line": 5, "column": 4},
        "/reporting_unit_votes/0/selections/0/valid_votes": {"line": 5, "column": 9},
        "/reporting_unit_votes/1/cast": {"sheet": "Blad1", "cell": "D6"},
        "/reporting_unit_votes/2/selections/0/valid_votes": {"line": 7, "column": 9},
    }
    assert list(located) == list(expected) and len(located) == 5 and located
    assert _as_dict(located) == expected and located == expected
    assert b"".join(located.iter_json()) == orjson.dumps(expected)
    assert located.get("/reporting_unit_votes/0/selections/1/valid_votes") is None
    assert located.get("/reporting_unit_votes/9/cast") is None
    assert "/reporting_unit_votes/2/selections/0/valid_votes" in located


def test_plain_entries_have_dict_semantics_between_rows() -> None:
    located = TabularLocations()
    located["/a"] = {"line": 1, "column": 1}
    located.plain()["/b"] = {"line": 1, "column": 2}  # the writers' fast way in
    located["/a"] = {"line": 3, "column": 1}  # located again: the new place, same order
    located.add_row("/reporting_unit_votes/0", 4, [("/cast", 1)])
    located["/c"] = {"line": 9, "column": 9}  # after the row: a new segment
    expected = {
        "/a": {"line": 3, "column": 1},
        "/b": {"line": 1, "column": 2},
        "/reporting_unit_votes/0/cast": {"line": 4, "column": 1},
        "/c": {"line": 9, "column": 9},
    }
    assert list(located) == list(expected) and len(located) == 4
    assert _as_dict(located) == expected
    assert b"".join(located.iter_json()) == orjson.dumps(expected)
    assert not TabularLocations() and b"".join(TabularLocations().iter_json()) == b"{}"


def test_a_csv_with_empty_list_cells_writes_the_full_map(tmp_path: Path) -> None:
    header = "Stembureau;Naam;Opgeroepen;Blanco;Ongeldig;Lijst 1;Lijst 2;Lijst 3"
    rows = [header] + [
        f"{i};Bureau {i};{1000 + i};1;2;{10 + i};{'' if i % 3 == 0 else 20 + i};{30 + i}"
        for i in range(1, 40)
    ]
    path = tmp_path / "count.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    document = normalise(InputFile(path), options=NormaliseOptions(locations=True))
    located = document["locations"]
    written = orjson.loads(dumps(document))["locations"]
    assert isinstance(located, TabularLocations)
    assert _as_dict(located) == written and list(located) == list(written)
    assert b"".join(iter_dumps(document)) == dumps(document)
    # an empty cell is not a located value
    assert "/reporting_unit_votes/2/selections/1/valid_votes" not in written
    assert written["/reporting_unit_votes/0/selections/0/valid_votes"]["line"] == 2


def test_every_key_it_lists_it_finds_the_total_row_too() -> None:
    located = TabularLocations()
    located.add_row("/total_votes", 41, [("/cast", 3), ("/uncounted_votes/geldige stempassen", 4)])
    located.add_row("/reporting_unit_votes/0", 2, [("/cast", 3)])
    located["/reporting_unit_votes/1/cast"] = {"line": 3, "column": 3}
    for key in located:
        assert located[key] == located.get(key) and key in located
    assert located["/total_votes/uncounted_votes/geldige stempassen"] == {"line": 41, "column": 4}
    assert located.get("/total_votes") is None and located.get("/total_votesx/cast") is None


SAMPLE_FILES = sorted(
    p
    for p in (Path(__file__).resolve().parents[2] / "samples" / "tabular").iterdir()
    if p.suffix in (".csv", ".tsv", ".xlsx", ".xls", ".ods")
) + corpus_files("csv/*/*.csv")  # osv4-3: candidate records


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_map_reads_back_what_it_writes(path: Path) -> None:
    try:
        document = normalise(InputFile(path), options=NormaliseOptions(locations=True))
    except TelnormError:
        pytest.skip("refused without a mapping")
    located = document["locations"]
    written = orjson.loads(dumps(document))["locations"]
    assert list(located) == list(written) and len(located) == len(written)
    for key, where in written.items():
        assert located.get(key) == where and located[key] == where
