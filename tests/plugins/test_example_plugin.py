"""The example plugin, installed with pip, works through the service; a broken one is listed
with its error while everything else keeps working."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from telnorm.parsers.registry import ENTRY_POINT_GROUP, default_registry
from telnorm.parsers.testing import assert_canonical, builtin_foreign_samples
from telnorm.service.cli import cli
from telnorm.service.main import create_app
from telnorm.service.settings import Settings
from tests.plugins.install import BROKEN, EXAMPLE, ensure_example_installed, install_to

SAMPLE = EXAMPLE / "src" / "telnorm_telstaat" / "samples" / "lindewaarde_gr2026.txt"


@pytest.fixture(scope="module")
def plugins_installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The example in the venv; the broken one in a private folder on sys.path (for this
    module only: worker processes spawned meanwhile inherit sys.path and see it too)."""
    ensure_example_installed()
    target = tmp_path_factory.mktemp("broken-plugin")
    install_to(BROKEN, target)
    sys.path.insert(0, str(target))
    default_registry.cache_clear()
    try:
        yield
    finally:
        sys.path.remove(str(target))
        default_registry.cache_clear()


@pytest.fixture(scope="module")
def client(plugins_installed: None) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(workers=1))) as test_client:
        yield test_client


def test_the_example_registers_through_the_entry_point(plugins_installed: None) -> None:
    found = {e.name: e for e in entry_points(group=ENTRY_POINT_GROUP)}
    assert found["telstaat"].value == "telnorm_telstaat:TelStaatParser"
    assert found["telstaat"].dist is not None
    assert found["telstaat"].dist.name == "telnorm-plugin-example"
    assert found["broken"].dist is not None
    assert found["broken"].dist.name == "telnorm-plugin-broken"


def test_get_parsers_lists_the_example_and_the_broken_one(client: TestClient) -> None:
    body = client.get("/parsers").json()
    parsers = {p["name"]: p for p in body["parsers"]}
    assert parsers["telstaat"]["status"] == "ok"
    assert parsers["telstaat"]["api_version"] == "1.0"
    assert {"eml", "osv4-3", "telstaat"} <= set(parsers)
    failed = {f["name"]: f for f in body["failed"]}
    assert set(failed) == {"broken"}
    assert failed["broken"]["distribution"] == "telnorm-plugin-broken"
    assert failed["broken"]["error"].startswith("ImportError: cannot import name 'ParserV2'")


def test_detect_picks_the_example(client: TestClient) -> None:
    response = client.post("/detect", files={"file": (SAMPLE.name, SAMPLE.read_bytes())})
    assert response.status_code == 200
    best = response.json()["best"]
    assert best["parser"] == "telstaat"
    assert best["format"] == "telstaat-2"
    assert best["confidence"] >= 0.9


def test_normalise_uses_the_example(client: TestClient) -> None:
    response = client.post("/normalise", files={"file": (SAMPLE.name, SAMPLE.read_bytes())})
    assert response.status_code == 200, response.text
    document = response.json()
    assert_canonical(document)
    assert document["source"]["parser"] == {"name": "telstaat", "version": "1.0.0"}
    assert document["source"]["format"]["id"] == "telstaat-2"
    assert document["total_votes"]["selections"][0]["valid_votes"] == 511


def test_the_example_reports_located_errors_through_the_service(client: TestClient) -> None:
    bad = (EXAMPLE / "tests" / "errors" / "telling_met_letters.txt").read_bytes()
    response = client.post("/normalise", files={"file": ("bad.txt", bad)})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid-value"
    assert problem["location"] == {"line": 10, "column": 11}


def test_everything_else_keeps_working(client: TestClient) -> None:
    eml = next(s for s in builtin_foreign_samples() if s.id == "eml-510b")
    response = client.post("/normalise", files={"file": (eml.filename, eml.head)})
    assert response.status_code == 200, response.text
    assert response.json()["source"]["parser"]["name"] == "eml"
    osv = next(s for s in builtin_foreign_samples() if s.id == "osv4-3-csv")
    detected = client.post("/detect", files={"file": (osv.filename, osv.head)}).json()
    assert detected["best"]["parser"] == "osv4-3"
    assert client.get("/health").json()["status"] == "ok"


def test_cli_lists_and_checks_the_plugins(plugins_installed: None) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["plugins", "list"])
    assert listed.exit_code == 0, listed.output
    assert "telstaat" in listed.output
    assert "[telnorm-plugin-example 1.0.0] ok, parser 'telstaat'" in listed.output
    assert "broken" in listed.output
    assert "FAILED ImportError" in listed.output
    checked = runner.invoke(cli, ["plugins", "check", "telstaat", "--fuzz", "40"])
    assert checked.exit_code == 0, checked.output
    assert "telnorm-plugin-example 1.0.0" in checked.output
    assert "samples: 2, error samples: 0" in checked.output  # errors live in tests/, not shipped
    assert checked.output.rstrip().endswith("PASS: 8 passed, 0 failed, 0 skipped")
    broken = runner.invoke(cli, ["plugins", "check", "broken"])
    assert broken.exit_code == 1
    assert "cannot be loaded: ImportError" in broken.output
    unknown = runner.invoke(cli, ["plugins", "check", "no-such-plugin"])
    assert unknown.exit_code == 2
    assert "no installed plugin registers 'no-such-plugin'" in unknown.output


def test_cli_checks_a_local_folder_and_fails_a_bad_one(tmp_path: Path) -> None:
    runner = CliRunner()
    local = runner.invoke(cli, ["plugins", "check", str(EXAMPLE), "--fuzz", "40"])
    assert local.exit_code == 0, local.output
    assert "samples: 2, error samples: 2" in local.output
    assert "PASS  errors carry a location: 2 error sample(s)" in local.output
    # the same parser, checked against a foreign file as its "sample": detection fails
    foreign = tmp_path / "samples"
    foreign.mkdir()
    (foreign / "not-telstaat.txt").write_text("Stembureau;Kitpartij\nRaadhuis;12\n")
    failed = runner.invoke(
        cli, ["plugins", "check", str(EXAMPLE), "--samples", str(foreign), "--fuzz", "10"]
    )
    assert failed.exit_code == 1
    assert "FAIL  detects its own samples" in failed.output
    assert "not-telstaat.txt: scored 0.00, below 0.5" in failed.output


def test_the_example_plugins_own_suite_passes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        check=False,
        capture_output=True,
        text=True,
        cwd=EXAMPLE,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout
