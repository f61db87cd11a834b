"""The mappings folder setting (``TELNORM_MAPPINGS_DIR``) reaches the parsers through the
settings class and the parse context: a folder of one's own replaces the packaged mappings and
alias table, in HTTP and in the CLI alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from telnorm.service.cli import cli
from telnorm.service.main import create_app
from telnorm.service.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "samples" / "tabular" / "lindehoven_mapping_export.csv"


def _own_folder(tmp_path: Path) -> Path:
    """A mappings folder holding the Lindehoven mapping under another id."""
    folder = tmp_path / "own-mappings"
    folder.mkdir()
    text = (ROOT / "mappings" / "lindehoven-2026.toml").read_text(encoding="utf-8")
    assert 'id = "lindehoven-2026"' in text
    (folder / "own.toml").write_text(text.replace('"lindehoven-2026"', '"eigen-2026"'), "utf-8")
    return folder


def test_http_lists_and_uses_the_configured_folder(tmp_path: Path) -> None:
    settings = Settings(workers=1, mappings_dir=_own_folder(tmp_path))
    with TestClient(create_app(settings)) as client:
        listed = client.get("/mappings").json()
        assert [m["id"] for m in listed["mappings"]] == ["eigen-2026"]
        answer = client.post("/normalise", files={"file": (EXPORT.name, EXPORT.read_bytes())})
        assert answer.status_code == 200, answer.text
        assert answer.json()["source"]["mapping"]["id"] == "eigen-2026"
        refused = client.post(
            "/normalise?mapping=lindehoven-2026",
            files={"file": (EXPORT.name, EXPORT.read_bytes())},
        )
        assert refused.status_code == 422
        assert "eigen-2026" in refused.json()["detail"]


def test_cli_reads_the_environment_variable_through_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("TELNORM_MAPPINGS_DIR", str(empty))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["normalise", str(EXPORT)])
    finally:
        monkeypatch.delenv("TELNORM_MAPPINGS_DIR")
        get_settings.cache_clear()
    # no mapping in that folder: the export is read by its layout alone
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["source"]["mapping"] is None
    with_packaged = CliRunner().invoke(cli, ["normalise", str(EXPORT)])
    assert with_packaged.exit_code == 0, with_packaged.output
    assert json.loads(with_packaged.output)["source"]["mapping"]["id"] == "lindehoven-2026"
