"""A small fictional national election with the four seeded faults (benchmarks/national.py),
built once per session, and an app with its worker pool for the HTTP tests."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from telnorm.service.main import create_app
from telnorm.service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"


def _national() -> ModuleType:
    spec = importlib.util.spec_from_file_location("national", ROOT / "benchmarks" / "national.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NATIONAL = _national()


class ElectionSet:
    def __init__(self, root: Path, expected: dict[str, Any]) -> None:
        self.root = root
        self.expected = expected
        self.municipal = root / "municipal"
        self.districts = sorted((root / "districts").iterdir())

    def reference_args(self) -> list[str]:
        return [arg for path in self.districts for arg in ("--reference", str(path))]


@pytest.fixture(scope="session")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> ElectionSet:
    root = tmp_path_factory.mktemp("national-faults")
    NATIONAL.build(root, municipalities=12, stations=3, lists=8, districts=3)
    return ElectionSet(root, json.loads((root / "expected.json").read_text()))


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> ElectionSet:
    root = tmp_path_factory.mktemp("national-clean")
    NATIONAL.build(root, municipalities=6, stations=2, lists=6, districts=2, faults=False)
    return ElectionSet(root, json.loads((root / "expected.json").read_text()))


@pytest.fixture
def corpus_file() -> Any:
    """corpus_file(*parts) -> Path, skipping the test when the corpus is absent."""

    def find(*parts: str) -> Path:
        path = CORPUS.joinpath(*parts)
        if not path.exists():
            pytest.skip(f"corpus file not available: {path}")
        return path

    return find


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    settings = Settings(workers=2, max_upload_bytes=16 * 1024 * 1024, parse_timeout_seconds=30)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
