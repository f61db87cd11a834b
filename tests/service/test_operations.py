"""Operations: health probes, readiness, metrics, the bounded queue, logs, CORS, gzip."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from telnorm.service.main import create_app
from telnorm.service.observability import (
    REQUEST_CONTEXT,
    JSONFormatter,
    configure_logging,
    trace_context,
)
from telnorm.service.readiness import NotConfigured, readiness
from telnorm.service.settings import Settings
from telnorm.service.workers import PoolBusy, WorkerPool
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "tabular" / "a_lindehoven_semicolon_cp1252.csv"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _ready(client: TestClient) -> Any:
    """Ready answers once the workers have started (importing takes seconds on a busy
    machine): poll, as an orchestrator does."""
    deadline = time.monotonic() + 60
    while True:
        response = client.get("/health/ready")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


def test_live_and_ready(client: TestClient) -> None:
    assert client.get("/health/live").json()["status"] == "live"
    ready = _ready(client)
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert set(checks) == {"workers", "mappings", "canonical_schema", "eml_schema"}
    assert all(check["status"] == "ok" for check in checks.values())
    assert client.get("/health").json()["status"] == "ok"  # kept for existing probes


def test_probes_are_open_when_tokens_are_configured() -> None:
    with TestClient(create_app(Settings(workers=1, auth_tokens=["s3cret"]))) as secured:
        assert secured.get("/health/live").status_code == 200
        assert _ready(secured).status_code == 200
        assert secured.get("/metrics").status_code == 401


def test_not_ready_without_workers(client: TestClient) -> None:
    app: Any = client.app
    pool = app.state.pool
    app.state.pool = None
    try:
        response = client.get("/health/ready")
    finally:
        app.state.pool = pool
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    problem = response.json()
    assert problem["type"] == "/problems/not-ready"
    assert problem["checks"]["workers"]["status"] == "failed"
    assert problem["checks"]["canonical_schema"]["status"] == "ok"


def test_not_ready_when_the_eml_schema_folder_goes_bad(tmp_path: Path) -> None:
    checks = asyncio.run(readiness(None, Settings.model_construct(eml_schema_dir=tmp_path)))
    assert checks["eml_schema"]["status"] == "failed"
    assert "510-count-kiesraad-strict.xsd" in checks["eml_schema"]["detail"]


@pytest.mark.parametrize("setting", ["eml_schema_dir", "mappings_dir"])
def test_a_setting_that_cannot_work_refuses_to_start(tmp_path: Path, setting: str) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(NotConfigured, match=f"TELNORM_{setting.upper()}"):
        create_app(Settings(workers=1, **{setting: missing}))


def test_metrics(client: TestClient) -> None:
    client.post("/normalise", content=SAMPLE.read_bytes(), params={"filename": SAMPLE.name})
    client.post("/normalise", content=b"", params={"filename": "empty.csv"})
    client.get("/problems/not-a-count")
    text = client.get("/metrics").text
    assert 'telnorm_requests_total{method="POST",route="/normalise",status="200"}' in text
    assert 'telnorm_requests_total{method="GET",route="/problems/{code}",status="200"}' in text
    assert 'telnorm_request_duration_seconds_count{method="POST",route="/normalise"}' in text
    assert 'telnorm_parse_outcomes_total{outcome="ok",parser="tabular",route="/normalise"}' in text
    assert 'outcome="empty-input"' in text
    assert "telnorm_worker_restarts_total" in text
    assert "telnorm_queue_length 0.0" in text


def test_a_full_queue_refuses_at_once() -> None:
    # time.sleep pickles by reference: the worker imports nothing of the tests (slow on a
    # loaded machine), and the generous timeout leaves the spawn time out of the question
    pool = WorkerPool(size=1, timeout=60, max_queue=1)
    pool.start()

    async def scenario() -> list[Any]:
        running = asyncio.ensure_future(pool.run(time.sleep, 1.0))
        await asyncio.sleep(0.1)
        waiting = asyncio.ensure_future(pool.run(time.sleep, 0.0))
        await asyncio.sleep(0.1)
        assert pool.queued == 1
        with pytest.raises(PoolBusy):
            await pool.run(time.sleep, 0.0)
        return list(await asyncio.gather(running, waiting))

    try:
        assert asyncio.run(scenario()) == [None, None]
        assert pool.queued == 0
    finally:
        pool.close()


def test_busy_is_503_with_retry_after(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    async def busy(*args: Any, **kwargs: Any) -> Any:
        raise PoolBusy("32 jobs are waiting for a worker")

    app: Any = client.app
    monkeypatch.setattr(app.state.pool, "run", busy)
    response = client.post("/normalise", content=SAMPLE.read_bytes())
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(app.state.settings.retry_after_seconds)
    assert response.json()["type"] == "/problems/service-busy"


def test_trace_context() -> None:
    assert trace_context(TRACEPARENT) == {
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "parent_id": "00f067aa0ba902b7",
    }
    for bad in ("", "00-xyz", "ff-" + TRACEPARENT[3:], "00-" + "0" * 32 + TRACEPARENT[35:]):
        assert trace_context(bad) == {}


def test_access_log_carries_trace_and_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("telnorm.access")
    logger.addHandler(caplog.handler)
    try:
        response = client.get("/rules", headers={"traceparent": TRACEPARENT})
    finally:
        logger.removeHandler(caplog.handler)
    record = next(r for r in caplog.records if r.name == "telnorm.access")
    line = orjson.loads(JSONFormatter().format(record))
    assert line["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert line["request_id"] == response.headers["x-request-id"]


def test_every_logger_writes_json_at_the_configured_level(
    capsys: pytest.CaptureFixture[str],
) -> None:
    try:
        configure_logging("warning")
        token = REQUEST_CONTEXT.set({"request_id": "req-1"})
        try:
            logging.getLogger("uvicorn.access").info("not at warning level")
            logging.getLogger("uvicorn.access").warning('127.0.0.1 - "GET / HTTP/1.1" 200')
            logging.getLogger("some.library").error("a library speaks")
        finally:
            REQUEST_CONTEXT.reset(token)
        lines = [orjson.loads(line) for line in capsys.readouterr().err.splitlines()]
    finally:
        configure_logging("INFO")
    assert [line["logger"] for line in lines] == ["uvicorn.access", "some.library"]
    assert all(line["request_id"] == "req-1" for line in lines)


def test_bad_log_level_refuses_to_start() -> None:
    with pytest.raises(ValueError, match="LOUD"):
        configure_logging("loud")
    configure_logging("INFO")


def test_cors_is_off_by_default_and_configurable(client: TestClient) -> None:
    preflight = {"origin": "https://app.example", "access-control-request-method": "POST"}
    assert (
        "access-control-allow-origin" not in client.options("/normalise", headers=preflight).headers
    )
    app = create_app(Settings(workers=1, cors_origins=["https://app.example"]))
    with TestClient(app) as cors:
        response = cors.options("/normalise", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://app.example"
        simple = cors.get("/rules", headers={"origin": "https://app.example"})
        assert "telnorm-api-version" in simple.headers["access-control-expose-headers"].lower()


def test_large_json_is_gzipped(client: TestClient) -> None:
    response = client.get("/rules", headers={"accept-encoding": "gzip"})
    large = len(response.content) >= 64 * 1024
    assert (response.headers.get("content-encoding") == "gzip") is large
    with TestClient(create_app(Settings(workers=1, gzip_min_bytes=500))) as small:
        zipped = small.get("/schema", headers={"accept-encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.json()["$id"] == "urn:telnorm:schema:canonical-v1"


def _warn() -> str:
    import warnings

    warnings.warn("a library warns", UserWarning, stacklevel=1)
    return "warned"


def test_worker_warnings_are_json_lines(capfd: pytest.CaptureFixture[str]) -> None:
    pool = WorkerPool(size=1, timeout=120, log_level="INFO")
    pool.start()
    try:
        assert asyncio.run(pool.run(_warn)) == "warned"
    finally:
        pool.close()
    lines = [line for line in capfd.readouterr().err.splitlines() if "a library warns" in line]
    assert lines
    assert orjson.loads(lines[0])["logger"] == "py.warnings"
