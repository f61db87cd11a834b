"""A running app (with its worker pool) shared by the service tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from telnorm.service.main import create_app
from telnorm.service.settings import Settings


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    settings = Settings(workers=2, max_upload_bytes=8 * 1024 * 1024, parse_timeout_seconds=30)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
