"""The same bytes and options give byte-identical output: across runs, across worker
processes (each with its own hash seed), and between the CLI and HTTP."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CORPUS, SAMPLES
from tests.hardening.conftest import csv_sample, service, zip_of

RUNS = 6

INPUTS: list[tuple[str, Path | None]] = [
    ("a_lindehoven_semicolon_cp1252.csv", SAMPLES / "tabular"),
    ("a_lindehoven_names.xlsx", SAMPLES / "tabular"),
    ("b_lindehoven_columns.ods", SAMPLES / "tabular"),
    ("c_lindehoven_long_utf16.tsv", SAMPLES / "tabular"),
    ("d_lindehoven_form.xls", SAMPLES / "tabular"),
    ("lindehoven_mapping_export.csv", SAMPLES / "tabular"),
    ("Telling_GR2022_WestMaasenWaal.eml.xml", CORPUS / "eml" / "510b"),
    ("osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv", CORPUS / "csv" / "osv4-3"),
    ("bundle.zip", None),
]


def _bytes(name: str, folder: Path | None) -> bytes:
    if folder is None:
        return zip_of({"count.csv": csv_sample()})
    path = folder / name
    if not path.exists():
        pytest.skip(f"not available: {path}")
    return path.read_bytes()


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    # two workers, each recycled after two jobs: the runs below are served by several
    # processes, each started afresh with its own hash seed
    with service(workers=2, worker_max_tasks=2) as test_client:
        yield test_client


@pytest.mark.parametrize("locations", [False, True], ids=["plain", "locations"])
@pytest.mark.parametrize(("name", "folder"), INPUTS, ids=[name for name, _ in INPUTS])
def test_same_bytes_same_output_across_runs_and_workers(
    client: TestClient, name: str, folder: Path | None, locations: bool
) -> None:
    data = _bytes(name, folder)
    replaced_before = client.get("/health").json()["workers_replaced"]
    params = {"filename": name, "locations": str(locations).lower()}

    def post(_: int) -> bytes:
        response = client.post("/normalise", content=data, params=params)
        assert response.status_code == 200, response.text[:500]
        return response.content

    with ThreadPoolExecutor(max_workers=2) as executor:  # both workers at once
        bodies = list(executor.map(post, range(RUNS)))
    assert len(set(bodies)) == 1, "the same input gave different output"
    # the runs were served by more than the two starting processes
    assert client.get("/health").json()["workers_replaced"] > replaced_before


@pytest.mark.parametrize(
    ("name", "folder"),
    [INPUTS[0], INPUTS[1], INPUTS[6]],
    ids=[INPUTS[0][0], INPUTS[1][0], INPUTS[6][0]],
)
def test_cli_and_http_give_the_same_bytes(
    client: TestClient, tmp_path: Path, name: str, folder: Path | None
) -> None:
    data = _bytes(name, folder)
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "out.json"
    script = Path(sys.executable).parent / "telnorm"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "telnorm.service.cli"]
    result = subprocess.run(
        [*command, "normalise", str(path), "-o", str(out)], capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    response = client.post("/normalise", content=data, params={"filename": name})
    assert response.status_code == 200
    assert out.read_bytes() == response.content
