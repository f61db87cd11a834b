"""The samples end to end: over HTTP (POST /normalise) and through the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tests.conftest import SAMPLES, assert_canonical
from tests.tabular.test_samples import EXPECTED, sample_input

TABULAR = SAMPLES / "tabular"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    from telnorm.service.main import create_app
    from telnorm.service.settings import Settings

    settings = Settings(workers=1, max_upload_bytes=8 * 1024 * 1024, parse_timeout_seconds=30)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _meta(expected_path: Path) -> tuple[dict[str, object], dict[str, object]]:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    return expected.pop("_sample"), expected


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_http_normalise_sample(client: TestClient, expected_path: Path) -> None:
    meta, expected = _meta(expected_path)
    path = sample_input(expected_path)
    files = {"file": (path.name, path.read_bytes())}
    for role, name in dict(meta.get("context") or {}).items():  # type: ignore[call-overload]
        files[role] = (name, (TABULAR / name).read_bytes())
    params = {"mapping": meta["mapping"]} if meta.get("mapping") else {}
    response = client.post("/normalise", files=files, params=params)
    assert response.status_code == 200, response.text
    document = orjson.loads(response.content)
    assert_canonical(document)
    for key, value in expected.items():
        assert document[key] == value, key


def test_http_unknown_list_name_is_a_422_problem(client: TestClient, tmp_path: Path) -> None:
    data = b"Stembureau;Blanco;Partij X\nSchool;1;2\n"
    response = client.post(
        "/normalise",
        files={
            "file": ("x.csv", data),
            "candidate_list": ("c.xml", (TABULAR / "lindehoven.230b.eml.xml").read_bytes()),
        },
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("unknown-list-name")
    assert problem["location"] == {"line": 1, "column": 3}


def test_http_uploaded_mapping_part(client: TestClient) -> None:
    path = TABULAR / "lindehoven_mapping_export.csv"
    mapping = (
        Path(__file__).resolve().parents[2] / "mappings" / "lindehoven-2026.toml"
    ).read_bytes()
    response = client.post(
        "/normalise",
        files={
            "file": (path.name, path.read_bytes()),
            "mapping": ("m.toml", mapping.replace(b"2026", b"up")),
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["source"]["mapping"]["id"] == "lindehoven-up"


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_cli_normalise_sample(expected_path: Path, tmp_path: Path) -> None:
    from telnorm.service.cli import cli

    meta, expected = _meta(expected_path)
    args = ["normalise", str(sample_input(expected_path)), "-o", str(tmp_path / "out.json")]
    for role, name in dict(meta.get("context") or {}).items():  # type: ignore[call-overload]
        args += [f"--{role.replace('_', '-')}", str(TABULAR / name)]
    if meta.get("mapping"):
        args += ["--mapping", str(meta["mapping"])]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    for key, value in expected.items():
        assert document[key] == value, key
