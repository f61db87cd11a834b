"""A Python client generated from /openapi.json (openapi-python-client, offline, into a temp
folder) calls the service and gets parsed models carrying the numbers, as an integrating
developer would."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.conftest import ROOT, corpus_path

PACKAGE = "telnorm_generated_client"
#: The config docs/api.md tells integrators to use (a post hook for the `cast` field).
CONFIG = ROOT / "docs" / "clients" / "openapi-python-client.yaml"


def _generator() -> str | None:
    beside = Path(sys.executable).with_name("openapi-python-client")
    return str(beside) if beside.exists() else shutil.which("openapi-python-client")


@pytest.fixture(scope="module")
def generated(client: TestClient, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    generator = _generator()
    if generator is None:
        pytest.skip("openapi-python-client is not installed (pip install -e '.[dev]')")
    folder = tmp_path_factory.mktemp("client")
    spec = folder / "openapi.json"
    spec.write_bytes(client.get("/openapi.json").content)
    result = subprocess.run(
        [
            *(generator, "generate", "--path", str(spec), "--meta", "none"),
            *("--output-path", str(folder / PACKAGE), "--config", str(CONFIG)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0 or not (folder / PACKAGE / "__init__.py").exists():
        pytest.skip(f"openapi-python-client could not generate a client: {result.stderr[-500:]}")
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
            del sys.modules[name]


def _api(package: ModuleType, tag: str, operation: str) -> Any:
    return importlib.import_module(f"{package.__name__}.api.{tag}.{operation}")


def _client(package: ModuleType, transport: TestClient) -> Any:
    api_client = package.Client(base_url="http://testserver")
    api_client.set_httpx_client(transport)  # the TestClient is an httpx.Client
    return api_client


@pytest.mark.corpus
def test_generated_client_normalises_validates_and_detects(
    generated: ModuleType, client: TestClient
) -> None:
    path = corpus_path("eml", "510b", "Telling_GR2022_WestMaasenWaal.eml.xml")
    types = importlib.import_module(f"{PACKAGE}.types")
    models = importlib.import_module(f"{PACKAGE}.models")
    api_client = _client(generated, client)
    upload = types.File(payload=path.open("rb"), file_name=path.name)

    document = _api(generated, "normalise", "normalise").sync(
        client=api_client, body=upload, filename=path.name
    )
    expected = orjson.loads(
        client.post("/normalise", content=path.read_bytes(), params={"filename": path.name}).content
    )
    assert type(document).__name__ != "Problem", document
    assert document.format_version == "1"
    assert document.total_votes.total_counted == expected["total_votes"]["total_counted"] > 0
    assert (
        document.total_votes.rejected_votes.additional_properties
        == (expected["total_votes"]["rejected_votes"])
    )
    first = document.reporting_unit_votes[0]
    assert first.id == expected["reporting_unit_votes"][0]["id"]
    assert (
        first.selections[0].valid_votes
        == (expected["reporting_unit_votes"][0]["selections"][0]["valid_votes"])
    )
    assert document.election.date.isoformat() == expected["election"]["date"]

    upload = types.File(payload=path.open("rb"), file_name=path.name)
    report = _api(generated, "validation", "validate").sync(
        client=api_client, body=upload, filename=path.name
    )
    assert isinstance(report, models.ValidationReport), report
    assert isinstance(report.valid, bool)
    assert report.summary.errors == sum(1 for f in report.findings if f.severity == "error")

    upload = types.File(payload=path.open("rb"), file_name=path.name)
    detection = _api(generated, "normalise", "detect").sync(
        client=api_client, body=upload, filename=path.name
    )
    assert isinstance(detection, models.DetectionResult), detection
    assert detection.best.parser == "eml"
    assert detection.best.confidence >= 0.5
    assert detection.bytes_ == path.stat().st_size


def test_generated_client_parses_problems(generated: ModuleType, client: TestClient) -> None:
    types = importlib.import_module(f"{PACKAGE}.types")
    models = importlib.import_module(f"{PACKAGE}.models")
    problem = _api(generated, "normalise", "normalise").sync(
        client=_client(generated, client),
        body=types.File(payload=b"", file_name="empty.xml"),
    )
    assert isinstance(problem, models.Problem)
    assert problem.status == 400
    assert problem.type_ == "/problems/empty-input"
