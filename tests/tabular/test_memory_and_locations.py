"""How the tabular readers keep memory and locations cheap, each checked against the plain
way it replaces (issue 18): lines split without a StringIO copy, shared cell strings,
packed selections, a store consumed by finish(), a released grid, and locations built in
bulk from the row layout (byte for byte what the value-by-value path gives)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from telnorm.parsers.api import Limits, ParseContext
from telnorm.parsers.packed_selections import PackedSelections
from telnorm.parsers.tabular import parse_workbook
from telnorm.parsers.tabular.assembly import DocBuilder
from telnorm.parsers.tabular.grid import detached
from telnorm.parsers.tabular.store import ValueStore
from telnorm.parsers.tabular.textread import read_text_table, text_lines
from telnorm.parsers.tabular.values import RowLayout, UnitInfo
from telnorm.service.jsonsafe import dumps
from tests.conftest import SAMPLES, corpus_files
from tests.tabular.helpers import run
from tests.tabular.test_benchmark_inputs import _bench

TABULAR = SAMPLES / "tabular"
CSV_SAMPLES = sorted(
    p for p in TABULAR.iterdir() if p.suffix in (".csv", ".tsv", ".xlsx", ".ods", ".xls")
)


# --- reading --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a;b\r\nc;d\r\n",
        "a;b\nc;d",
        "a;b\rc;d\r",
        "a;b\r\n\r\n\nc;d\n\r",
        '"kop\r\nmet regel";b\r\n1;2\r\n',
        '"two\nlines";"and\rmore"\n3;4',
        "form\x0cfeed;x\nvertical\x0btab;y\n",  # other line breaks: StringIO kept
        "sep\u2028line;z\r\nnext\x85;w",
        "",
        "\n",
    ],
)
def test_lines_are_split_as_universal_newlines_read_them(text: str) -> None:
    expected = list(io.StringIO(text, newline=""))
    assert list(text_lines(text)) == expected
    rows = list(csv.reader(text_lines(text), delimiter=";"))
    assert rows == list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_equal_cells_of_a_large_table_are_one_string_object(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from telnorm.parsers.tabular import textread

    data = "Nr;Stembureau;Lijst 1;Lijst 2\r\n1;A;12;1.234\r\n2;B;12;1.234\r\n3;C;;7\r\n "
    sheets = []
    for share_from in (len(data) + 1, len(data)):  # a table too small to share, then large
        monkeypatch.setattr(textread, "SHARE_CELLS_FROM", share_from)
        sheets.append(read_text_table(data.encode(), Limits()).sheets[0])
    assert sheets[0].rows == sheets[1].rows
    small, large = sheets
    assert large.rows[1] == ["1", "A", "12", "1.234"]
    assert large.rows[3] == ["3", "C", None, "7"]
    assert large.rows[1][2] is large.rows[2][2]
    assert large.rows[1][3] is large.rows[2][3]
    assert small.rows[1][3] is not small.rows[2][3]
    assert large.row_numbers == [1, 2, 3, 4, 5]


def test_a_detached_string_is_equal_and_new() -> None:
    cell = "".join(["Stembureau ", "De Linde"])
    copy = detached(cell)
    assert copy == cell and copy is not cell
    assert detached("") == "" and detached("x") == "x"


# --- the document ---------------------------------------------------------------------


class _PlainDocBuilder(DocBuilder):
    def __init__(self, context: ParseContext, sheets: Any, *, packed: bool = True) -> None:
        super().__init__(context, sheets, packed=False)


@pytest.mark.parametrize("path", CSV_SAMPLES, ids=lambda p: p.name)
def test_packed_selections_write_what_plain_lists_write(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packed per unit, or plain lists (as the PDF reader asks for), with the grid released
    or kept: the same JSON, byte for byte, with and without locations."""
    from telnorm.parsers import tabular

    for locations in (False, True):
        outputs = []
        for packed in (True, False):
            monkeypatch.setattr(tabular, "DocBuilder", DocBuilder if packed else _PlainDocBuilder)
            context = ParseContext(want_locations=locations)
            workbook = tabular.read_workbook(path.read_bytes(), context)
            try:
                document = parse_workbook(workbook, path.name, context, release_cells=packed)
            except Exception as error:
                outputs.append(repr(error).encode())
                continue
            kinds = {type(u["selections"]) for u in document["reporting_unit_votes"]}
            assert kinds == ({PackedSelections} if packed else {list})
            # packed: the map is the compact one (parsers/tabular/locations.py), handed over
            # as the parse's deferred locations; plain: the context's dict
            located = context.deferred_locations
            outputs.append(dumps([document, context.notes, located or context.locations]))
        assert outputs[0] == outputs[1], (path.name, locations)


def test_finish_consumes_the_store_and_packs_each_unit() -> None:
    context = ParseContext()
    builder = DocBuilder(context, [])
    layout = RowLayout([(0, "cast")], ["2", "1"], [1, 2])
    for n in range(3):
        values = builder.add_unit(UnitInfo(n + 1, f"Stembureau {n + 1}"))
        from telnorm.parsers.tabular.grid import Sheet

        sheet = Sheet(None, [], [n + 2])
        builder.put_row(values, layout, [10 + n, 4, 6 + n], sheet, 0)
    document = builder.finish()
    assert builder.units == []
    units = document["reporting_unit_votes"]
    assert all(isinstance(u["selections"], PackedSelections) for u in units)
    assert list(units[2]["selections"]) == [
        {"affiliation_id": "1", "valid_votes": 8, "candidates": []},
        {"affiliation_id": "2", "valid_votes": 4, "candidates": []},
    ]
    assert [s["valid_votes"] for s in document["total_votes"]["selections"]] == [21, 12]
    assert document["total_votes"]["cast"] == 33


def test_the_released_grid_is_empty_and_the_document_unchanged(tmp_path: Path) -> None:
    from telnorm.parsers.tabular import read_workbook

    path = TABULAR / "a_lindehoven_semicolon_cp1252.csv"
    documents = []
    for release in (False, True):
        context = ParseContext(want_locations=True)
        workbook = read_workbook(path.read_bytes(), context)
        documents.append(
            dumps(parse_workbook(workbook, path.name, context, release_cells=release))
            + dumps(context.locations)
        )
        assert (workbook.sheets[0].rows == []) is release
        assert workbook.sheets[0].row_numbers  # kept: locations need them
    assert documents[0] == documents[1]


# --- locations in bulk --------------------------------------------------------------------


def _value_by_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stores' paths as they were before the bulk ones: every family-a row and every
    candidate row value by value, each with its own cell."""
    monkeypatch.setattr(RowLayout, "unique", False, raising=False)
    original_init = RowLayout.__init__

    def init(self: RowLayout, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.unique = False

    monkeypatch.setattr(RowLayout, "__init__", init)

    def put_candidates(
        self: ValueStore,
        targets: Any,
        list_id: str,
        candidate_id: str,
        numbers: Any,
        sheet: Any,
        r: int,
        columns: Any,
    ) -> None:
        for values, number, c in zip(targets, numbers, columns, strict=True):
            self._put_vote(values, (list_id, candidate_id), number, sheet, r, c)

    monkeypatch.setattr(ValueStore, "put_candidates", put_candidates)


def _inputs(tmp_path: Path) -> Iterator[Path]:
    bench = _bench()
    yield from CSV_SAMPLES
    yield from corpus_files("csv/osv4-3/**/*.csv")
    a = tmp_path / "a.csv"
    bench.write_family_a_csv(a, rows=60, columns=40, seed=7, dutch=True)
    yield a
    x = tmp_path / "a.xlsx"
    bench.write_family_a_xlsx(x, rows=30, columns=40, seed=8)
    yield x
    osv = tmp_path / "osv.csv"
    bench.write_osv_csv(osv, stations=6, lists=4, candidates=7, seed=9)
    yield osv
    # a unit stated in two rows (the second adds a list), a total row and an empty cell
    two = tmp_path / "two.csv"
    two.write_text(
        "Stembureau;Kiesgerechtigden;Lijst 1;Lijst 2\r\n"
        "SB 1;100;10;\r\nSB 2;90;8;9\r\nTotaal;190;18;9\r\n",
        encoding="utf-8",
    )
    yield two


def _outputs(paths: list[Path]) -> list[bytes]:
    found = []
    for path in paths:
        try:
            document = run(path, locations=True)
        except Exception as error:
            found.append(repr(error).encode())
            continue
        document["notes"] = [n for n in document["notes"] if n["code"] != "layout"]
        found.append(dumps(document))
    return found


def test_bulk_locations_equal_value_by_value_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = list(_inputs(tmp_path))
    bulk = _outputs(paths)
    assert sum(b"/selections/0/valid_votes" in out for out in bulk) >= 6
    _value_by_value(monkeypatch)
    one_by_one = _outputs(paths)
    for path, mine, theirs in zip(paths, bulk, one_by_one, strict=True):
        assert mine == theirs, path.name


def test_every_located_value_is_in_its_cell(tmp_path: Path) -> None:
    """Independently of either path: each location names the cell the number was read
    from (text tables: line and column)."""
    bench = _bench()
    path = tmp_path / "a.csv"
    bench.write_family_a_csv(path, rows=25, columns=40, seed=11, dutch=True)
    document = json.loads(dumps(run(path, locations=True)))
    lines = list(
        csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""), delimiter=";")
    )
    located = 0
    for pointer, where in document["locations"].items():
        node: Any = document
        for token in pointer.split("/")[1:]:
            node = node[int(token)] if isinstance(node, list) else node[token]
        cell = lines[where["line"] - 1][where["column"] - 1]
        assert int(cell.replace(".", "")) == node, pointer
        located += 1
    assert located == 25 * 37


def test_packed_units_decode_to_the_plain_selections(tmp_path: Path) -> None:
    bench = _bench()
    path = tmp_path / "a.csv"
    bench.write_family_a_csv(path, rows=5, columns=40, seed=12, dutch=False)
    document = run(path)
    unit = document["reporting_unit_votes"][0]
    assert isinstance(unit["selections"], PackedSelections)
    assert orjson.loads(unit["selections"].raw) == list(unit["selections"])
    assert len(unit["selections"].raw) == len(orjson.dumps(list(unit["selections"])))


@pytest.mark.parametrize("ids", [["2", "1", "10"], ["x%d", 'q"uote', "é"], ["7"]])
def test_row_template_writes_what_orjson_writes(ids: list[str]) -> None:
    from array import array

    builder = DocBuilder(ParseContext(), [])
    layout = RowLayout([(0, "cast")], ids, list(range(1, len(ids) + 1)))
    row = array("q", [99, *range(1234, 1234 + len(ids))])
    template, pick = builder._row_template(layout)
    plain = [
        {"affiliation_id": ids[i], "valid_votes": row[1 + i], "candidates": []}
        for i in layout.order
    ]
    assert (template % pick(row)).encode() == orjson.dumps(plain)
