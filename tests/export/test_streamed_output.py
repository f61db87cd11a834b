"""Outputs written in pieces (issue 18): the same bytes as one dump, a unit at a time, and a
failure halfway leaves no partial file."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from telnorm.parsers.errors import InvalidValue
from telnorm.parsers.packed_selections import pack
from telnorm.service.cli import cli
from telnorm.service.export import ExportOptions, export
from telnorm.service.jsonsafe import dumps, iter_dumps
from tests.eml.test_bulk_reader import PLAIN, _count


def _document(tmp_path: Path) -> dict[str, Any]:
    from telnorm.service.pipeline import InputFile, normalise

    path = tmp_path / "count.eml.xml"
    path.write_bytes(_count(PLAIN))
    return normalise(InputFile(path))


def test_iter_dumps_writes_the_same_bytes_a_unit_at_a_time(tmp_path: Path) -> None:
    document = _document(tmp_path)
    pieces = list(iter_dumps(document))
    assert len(pieces) == 2 + len(document["reporting_unit_votes"])
    assert b"".join(pieces) == dumps(document)
    assert orjson.loads(b"".join(pieces))["reporting_unit_votes"][1]["id"] == "0999::SB2"
    small = {"reporting_unit_votes": [{"id": "1"}]}
    assert list(iter_dumps(small)) == [dumps(small)]  # nothing to split


def test_a_number_beyond_64_bits_in_a_unit_is_refused_with_its_place(tmp_path: Path) -> None:
    document = copy.deepcopy(_document(tmp_path))
    unit = document["reporting_unit_votes"][1]
    selections = list(unit["selections"])
    selections[0] = {**selections[0], "valid_votes": 1 << 70}
    unit["selections"] = pack(selections)  # stays a list: orjson cannot write it
    with pytest.raises(InvalidValue) as caught:
        b"".join(iter_dumps(document))
    assert caught.value.location["pointer"] == "/reporting_unit_votes/1/selections/0/valid_votes"


@pytest.mark.parametrize("to", ["json", "eml"])
def test_exports_in_pieces_equal_the_whole(tmp_path: Path, to: str) -> None:
    document = _document(tmp_path)
    exported = export(document, to, ExportOptions(missing_counts="zero"))
    first = b"".join(exported.chunks())
    assert first == exported.content == b"".join(exported.chunks())  # readable again
    assert not isinstance(exported.body, bytes)


def test_cli_writes_no_partial_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "count.eml.xml"
    source.write_bytes(_count(PLAIN))
    target = tmp_path / "out.json"
    runner = CliRunner()
    assert runner.invoke(cli, ["normalise", str(source), "-o", str(target)]).exit_code == 0
    whole = target.read_bytes()
    target.unlink()

    def failing(document: Any) -> Any:
        yield b"{"
        raise InvalidValue("The number is larger than any count can be.", location={})

    monkeypatch.setattr("telnorm.service.jsonsafe.iter_dumps", failing)
    result = runner.invoke(cli, ["normalise", str(source), "-o", str(target)])
    assert result.exit_code == 1 and "larger than any count" in result.output
    assert not target.exists() and list(tmp_path.glob("*.partial")) == []
    monkeypatch.undo()
    assert runner.invoke(cli, ["normalise", str(source), "-o", str(target)]).exit_code == 0
    assert target.read_bytes() == whole
