"""``telnorm validate`` with several files and folders, ``-j`` in parallel, with a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from telnorm.service.validation.cli import validate as validate_command
from tests.validation.casedata import base_document


def _broken() -> dict[str, Any]:
    document = base_document()
    document["total_votes"]["total_counted"] += 5
    return document


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """a.json valid, b.json not valid, sub/c.json valid, .hidden.json skipped."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.json").write_bytes(orjson.dumps(base_document()))
    (tmp_path / "b.json").write_bytes(orjson.dumps(_broken()))
    (tmp_path / "sub" / "c.json").write_bytes(orjson.dumps(base_document()))
    (tmp_path / ".hidden.json").write_bytes(b"{ not even json")
    return tmp_path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_folder_in_parallel_with_a_summary(folder: Path, jobs: str) -> None:
    result = CliRunner().invoke(validate_command, [str(folder), "-j", jobs])
    assert result.exit_code == 1  # b.json is not valid
    lines = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [Path(line["file"]).name for line in lines] == ["a.json", "b.json", "c.json"]
    assert [line["valid"] for line in lines] == [True, False, True]
    assert lines[1]["summary"]["errors"] >= 1
    assert "3 files: 2 valid, 1 not valid, 0 unreadable." in result.stderr


def test_all_valid_is_0_and_unreadable_wins(folder: Path) -> None:
    runner = CliRunner()
    valid = runner.invoke(validate_command, [str(folder / "a.json"), str(folder / "sub")])
    assert valid.exit_code == 0
    garbage = folder / "garbage.json"
    garbage.write_bytes(b"{ nope")
    mixed = runner.invoke(validate_command, [str(folder), "-j", "2"])
    assert mixed.exit_code == 2
    assert f"error: {garbage}:" in mixed.stderr
    assert "4 files: 2 valid, 1 not valid, 1 unreadable." in mixed.stderr
    line = next(orjson.loads(x) for x in mixed.stdout.splitlines() if "garbage" in x)
    assert line["valid"] is None and "not valid JSON" in line["error"]


def test_text_reports_have_a_heading_each(folder: Path) -> None:
    result = CliRunner().invoke(
        validate_command, [str(folder / "a.json"), str(folder / "b.json"), "--format", "text"]
    )
    assert result.exit_code == 1
    assert f"== {folder / 'a.json'}" in result.stdout
    assert "NOT VALID" in result.stdout.split(f"== {folder / 'b.json'}")[1]


def test_one_file_prints_the_report_as_before(folder: Path) -> None:
    result = CliRunner().invoke(validate_command, [str(folder / "a.json")])
    assert result.exit_code == 0
    assert orjson.loads(result.stdout)["valid"] is True
    assert "files:" not in result.stderr
