"""The ``telnorm`` command line, run as users run it (the installed console script)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import orjson
from click.testing import CliRunner

from telnorm.service.cli import cli
from tests.conftest import assert_canonical, corpus_path

TK2025 = ("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
NIJMEGEN = ("eml", "230b", "Kandidatenlijsten_TK2025_Nijmegen.eml.xml")


def _telnorm() -> list[str]:
    script = Path(sys.executable).parent / "telnorm"
    return [str(script)] if script.exists() else [sys.executable, "-m", "telnorm.service.cli"]


def test_console_script_normalise_to_stdout() -> None:
    count, names = corpus_path(*TK2025), corpus_path(*NIJMEGEN)
    result = subprocess.run(
        [*_telnorm(), "normalise", str(count), "--candidate-list", str(names)],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    document = orjson.loads(result.stdout)
    assert_canonical(document)
    assert document["affiliations"][0]["candidates"][0]["name"] == "Wilders, G."


def test_normalise_one_file_to_output_file(tmp_path: Path) -> None:
    count = corpus_path(*TK2025)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["normalise", str(count), "-o", str(out), "--locations"])
    assert result.exit_code == 0, result.output
    document = orjson.loads(out.read_bytes())
    assert document["locations"]


def test_normalise_folder_with_failures(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for parts in (TK2025, ("eml", "510b", "deserialize_eml510b_test.eml.xml")):
        shutil.copy(corpus_path(*parts), folder)
    (folder / "broken.xml").write_bytes(b"<EML")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["normalise", str(folder), "-o", str(out)])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml.json",
        "deserialize_eml510b_test.eml.xml.json",
    ]
    assert "broken.xml" in result.output
    assert "2 of 3 files normalised, 1 failed." in result.output


def test_several_files_to_stdout_are_json_lines() -> None:
    a = corpus_path("eml", "510b", "deserialize_eml510b_test.eml.xml")
    b = corpus_path("eml", "510-other", "deserialize_eml510d_test.eml.xml")
    result = CliRunner().invoke(cli, ["normalise", str(a), str(b), "--no-progress"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert [orjson.loads(line)["document"]["eml_id"] for line in lines] == ["510b", "510d"]


def test_detect_and_parsers_and_schema() -> None:
    count = corpus_path(*TK2025)
    runner = CliRunner()
    detected = runner.invoke(cli, ["detect", str(count)])
    assert detected.exit_code == 0
    assert "eml-510b" in detected.output
    as_json = runner.invoke(cli, ["detect", "--json", str(count)])
    assert orjson.loads(as_json.output)["best"]["parser"] == "eml"
    listed = runner.invoke(cli, ["parsers"])
    assert listed.exit_code == 0
    assert listed.output.startswith("eml") or "\neml" in listed.output
    schema = runner.invoke(cli, ["schema"])
    assert orjson.loads(schema.output)["title"].startswith("telnorm canonical")


def test_unrecognised_file_exits_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("hello")
    runner = CliRunner()
    assert runner.invoke(cli, ["detect", str(path)]).exit_code == 1
    result = runner.invoke(cli, ["normalise", str(path)])
    assert result.exit_code == 1
    assert "unsupported-format" in result.output
