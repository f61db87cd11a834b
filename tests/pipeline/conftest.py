"""A running app (with its worker pool) for the pipeline tests that go through HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from telnorm.service.main import create_app
from telnorm.service.settings import Settings


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = Settings(workers=1, max_upload_bytes=8 * 1024 * 1024, parse_timeout_seconds=30)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
