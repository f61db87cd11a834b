"""Issue 16, conditions: live servers on 127.0.0.1, raw sockets, bounded in count and time.

A 500 closes its connection (``Connection: close``) and the next request is served; a 4xx
keeps a keep-alive connection usable; a client gone mid-upload or mid-response is logged at
info, never as an unhandled error; slow and silent connections are answered 408 and closed
(header and body read timeouts); 500 half-open connections do not stop a good request; large
answers are streamed so that clients that never read them cost the main process little.
"""

from __future__ import annotations

import logging
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from telnorm.parsers.errors import ExportSchemaViolation
from telnorm.service.main import create_app
from telnorm.service.settings import Settings
from tests.hardening.conftest import csv_sample, csv_with_station_rows
from tests.hardening.live import closed_within, read_response, rss_kib, served, threaded


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def _app_with_failing_routes() -> object:
    app = create_app(Settings(workers=1, parse_timeout_seconds=60, auth_tokens=None))

    @app.get("/test-bug")
    async def bug() -> None:
        raise RuntimeError("a bug, on purpose")

    @app.get("/test-export-500")
    async def export_500() -> None:
        raise ExportSchemaViolation("the exported EML fails the schema (on purpose)")

    return app


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def failing_server() -> Iterator[int]:
    with threaded(_app_with_failing_routes()) as port:
        yield port


@pytest.fixture
def records() -> Iterator[_Records]:
    handler = _Records()
    names = ("telnorm.connection", "telnorm.error", "telnorm.access", "uvicorn.error")
    for name in names:
        logging.getLogger(name).addHandler(handler)
    yield handler
    for name in names:
        logging.getLogger(name).removeHandler(handler)


# --- 7. after a 500 -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/test-bug", "/test-export-500"])
def test_a_500_closes_its_connection_and_the_next_request_is_served(
    failing_server: int, path: str
) -> None:
    with _connect(failing_server) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        status, headers, _body = read_response(sock)
        assert status == 500
        assert headers["connection"] == "close"
        assert headers["content-type"] == "application/problem+json"
        assert closed_within(sock, 5)
    with _connect(failing_server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        assert read_response(sock)[0] == 200
    # a client library that keeps connections alive sees no failed request either
    with httpx.Client(base_url=f"http://127.0.0.1:{failing_server}") as client:
        for _ in range(3):
            assert client.get(path).status_code == 500
            assert client.get("/health").status_code == 200


def test_a_4xx_keeps_the_connection_usable(failing_server: int) -> None:
    with _connect(failing_server) as sock:
        sock.sendall(b"POST /normalise HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        status, headers, _ = read_response(sock)
        assert status == 400 and headers.get("connection") != "close"
        body = csv_sample()
        sock.sendall(
            b"POST /normalise?filename=a.csv HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n"
            % len(body)
            + body
        )
        assert read_response(sock)[0] == 200


# --- 6. client gone -----------------------------------------------------------------------


def _no_error_logged(records: _Records) -> None:
    errors = [r for r in records.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@pytest.mark.parametrize("multipart", [True, False])
def test_client_gone_mid_upload_is_logged_at_info(
    failing_server: int, records: _Records, multipart: bool
) -> None:
    content_type = "multipart/form-data; boundary=B0" if multipart else "text/csv"
    start = b'--B0\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    with _connect(failing_server) as sock:
        sock.sendall(
            b"POST /normalise?filename=a.csv HTTP/1.1\r\nHost: t\r\n"
            b"Content-Type: %s\r\nContent-Length: 10000000\r\n\r\n"
            % content_type.encode()
            + (start if multipart else b"")
            + csv_sample() * 20
        )
        time.sleep(0.3)
    deadline = time.monotonic() + 10

    # Only this request's record: a response an earlier test's client left can be logged
    # late (the server is shared), as "left mid-response".
    def gone() -> list[logging.LogRecord]:
        return [
            r
            for r in records.records
            if r.name == "telnorm.connection" and "mid-response" not in r.getMessage()
        ]

    while time.monotonic() < deadline and not gone():
        time.sleep(0.1)
    found = gone()
    assert found and found[0].levelno == logging.INFO
    assert "disconnected" in found[0].getMessage()
    _no_error_logged(records)
    assert httpx.get(f"http://127.0.0.1:{failing_server}/health").status_code == 200


def test_client_gone_mid_response_is_not_an_error(failing_server: int, records: _Records) -> None:
    body = csv_with_station_rows(20_000)  # an answer (~28 MB) no socket buffer holds whole
    with _connect(failing_server) as sock:
        sock.sendall(
            b"POST /normalise?filename=a.csv&locations=true HTTP/1.1\r\nHost: t\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body
        )
        sock.settimeout(60)
        assert sock.recv(100).startswith(b"HTTP/1.1 200")  # the answer has begun
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if any(r.name == "telnorm.connection" for r in records.records):
            break
        time.sleep(0.1)
    gone = [r for r in records.records if r.name == "telnorm.connection"]
    assert gone and gone[0].levelno == logging.INFO, [r.getMessage() for r in records.records]
    assert "mid-response" in gone[0].getMessage()
    _no_error_logged(records)
    assert httpx.get(f"http://127.0.0.1:{failing_server}/health").status_code == 200


# --- 10. slow and silent clients; 9. large answers -------------------------------------------


@pytest.fixture(scope="module")
def timeout_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with served(
        log, workers=1, header_timeout_seconds=2, body_timeout_seconds=2, keep_alive_seconds=1
    ) as (port, _process):
        yield port


def _problem_408(sock: socket.socket) -> None:
    status, headers, body = read_response(sock, timeout=10)
    assert status == 408
    assert headers["content-type"] == "application/problem+json"
    assert b"request-timeout" in body
    assert closed_within(sock, 5)


def test_header_timeout(timeout_server: int) -> None:
    started = time.monotonic()
    with _connect(timeout_server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n")  # headers never finished
        _problem_408(sock)
    with _connect(timeout_server) as sock:  # a connection that sends nothing at all
        _problem_408(sock)
    assert time.monotonic() - started < 15


def test_body_timeout(timeout_server: int) -> None:
    started = time.monotonic()
    with _connect(timeout_server) as sock:
        sock.sendall(
            b"POST /normalise?filename=a.csv HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n"
            + b"Nr;Stembureau"
        )
        _problem_408(sock)
    assert time.monotonic() - started < 10


def test_idle_keep_alive_connection_is_closed(timeout_server: int) -> None:
    with _connect(timeout_server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        assert read_response(sock)[0] == 200
        assert closed_within(sock, 5)


def test_half_open_connections_do_not_stop_good_requests(timeout_server: int) -> None:
    sockets: list[socket.socket] = []
    try:
        for index in range(500):
            sock = socket.create_connection(("127.0.0.1", timeout_server), timeout=10)
            if index % 2:
                sock.sendall(b"POST /normalise HTTP/1.1\r\nHost: t\r\nContent-Le")
            sockets.append(sock)
        started = time.monotonic()
        response = httpx.post(
            f"http://127.0.0.1:{timeout_server}/normalise",
            params={"filename": "a.csv"},
            content=csv_sample(),
            timeout=30,
        )
        assert response.status_code == 200
        assert time.monotonic() - started < 15
        # and the half-open ones are closed by the header timeout
        assert closed_within(sockets[1], 10)
        assert closed_within(sockets[0], 10)
    finally:
        for sock in sockets:
            sock.close()


def test_large_answers_to_clients_that_never_read_are_not_buffered(tmp_path: Path) -> None:
    body = csv_with_station_rows(20_000)  # ~28 MB of canonical JSON with locations
    request = (
        b"POST /normalise?filename=big.csv&locations=true HTTP/1.1\r\nHost: t\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    )
    with served(tmp_path / "serve.log", workers=2, parse_timeout_seconds=120) as (port, process):
        with _connect(port) as warm:  # imports and first allocations, before the baseline
            warm.sendall(request)
            status, _headers, answer = read_response(warm, timeout=120)
            assert status == 200 and len(answer) > 20_000_000
        baseline = rss_kib(process.pid)
        clients = [_connect(port) for _ in range(6)]
        try:
            for sock in clients:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
                sock.sendall(request)
            peak = baseline
            deadline = time.monotonic() + 180
            started: set[int] = set()
            while len(started) < len(clients) and time.monotonic() < deadline:
                readable, _, _ = select.select(clients, [], [], 0)
                started.update(clients.index(sock) for sock in readable)
                peak = max(peak, rss_kib(process.pid))
                time.sleep(0.2)
            assert len(started) == len(clients), "not every answer began"
            for _ in range(10):  # the answers are under way, none is being read
                peak = max(peak, rss_kib(process.pid))
                time.sleep(0.2)
            # six answers of ~28 MB held whole would be ~170 MB more
            assert (peak - baseline) / 1024 < 80, (baseline, peak)
            status, _, answer = read_response(clients[0], timeout=120)  # still whole
            assert status == 200 and answer.endswith(b"}")
        finally:
            for sock in clients:
                sock.close()
