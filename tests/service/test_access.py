"""Bearer-token authentication and the structured access log."""

from __future__ import annotations

import logging
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from telnorm.service.main import create_app
from telnorm.service.observability import JSONFormatter
from telnorm.service.settings import Settings


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    token_file = tmp_path_factory.mktemp("auth") / "tokens"
    token_file.write_text("# operators\nfile-token\n")
    settings = Settings(workers=1, auth_tokens=["env-token"], auth_tokens_file=token_file)
    with TestClient(create_app(settings)) as client:
        yield client  # type: ignore[misc]


def test_health_is_open(secured: TestClient) -> None:
    assert secured.get("/health").status_code == 200


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "needs a bearer token"),
        ("Bearer wrong", "not valid"),
        ("Basic env-token", "not valid"),
    ],
)
def test_missing_or_wrong_token_is_401(
    secured: TestClient, header: str | None, detail: str
) -> None:
    headers = {"authorization": header} if header else {}
    response = secured.get("/parsers", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"] == "/problems/unauthorized"
    assert detail in response.json()["detail"]


@pytest.mark.parametrize("token", ["env-token", "file-token"])
def test_valid_tokens(secured: TestClient, token: str) -> None:
    response = secured.get("/parsers", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    upload = secured.post("/normalise", content=b"", headers={"authorization": f"Bearer {token}"})
    assert upload.status_code == 400  # authenticated; the empty body is the problem


def test_no_tokens_means_open(client: TestClient) -> None:
    assert client.get("/parsers").status_code == 200


def test_access_log_has_request_id_digest_and_outcome(
    client: TestClient, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    body = b"<not really xml"
    with caplog.at_level(logging.INFO, logger="telnorm.access"):
        logger = logging.getLogger("telnorm.access")
        logger.addHandler(caplog.handler)
        try:
            response = client.post(
                "/normalise?filename=x.xml", content=body, headers={"x-request-id": "abc-123"}
            )
        finally:
            logger.removeHandler(caplog.handler)
    assert response.headers["x-request-id"] == "abc-123"
    record = next(r for r in caplog.records if r.name == "telnorm.access")
    line = orjson.loads(JSONFormatter().format(record))
    assert line["request_id"] == "abc-123"
    assert line["status"] == response.status_code
    assert line["outcome"] == response.json()["code"]
    import hashlib

    assert line["inputs"] == [
        {
            "part": "file",
            "filename": "x.xml",
            "bytes": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
    ]
    assert "not really" not in JSONFormatter().format(record)
