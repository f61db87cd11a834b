"""Every limit of :class:`telnorm.service.settings.Settings` is crossed here, through HTTP, and
answered with its documented problem (see docs/hardening.md)."""

from __future__ import annotations

import importlib
import io
import shutil
import time

import httpx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from telnorm.service.settings import Settings
from tests.conftest import SAMPLES
from tests.hardening.conftest import (
    assert_healthy,
    assert_problem,
    csv_sample,
    csv_with_station_rows,
    eml_count,
    incompressible,
    service,
    warm_workers,
    zip_of,
)

#: Settings fields that limit what one request may cost, each crossed by a test below.
LIMIT_FIELDS = {
    "max_upload_bytes": "test_body_size",
    "max_context_files": "test_context_file_count",
    "reconcile_max_files": "test_reconcile_file_count",
    "max_xml_depth": "test_xml_depth",
    "max_xml_elements": "test_xml_elements",
    "max_zip_members": "test_zip_members",
    "max_zip_uncompressed": "test_zip_uncompressed",
    "max_zip_ratio": "test_zip_ratio",
    "max_rows": "test_rows",
    "max_columns": "test_columns",
    "max_cells": "test_cells",
    "max_line_length": "test_line_length",
    "parse_timeout_seconds": "test_parse_timeout",
    "worker_memory_bytes": "test_worker_memory",
    "worker_max_tasks": "test_worker_recycling",
    # PDF records (docs/pdf.md)
    "max_pdf_pages": "test_pdf_pages",
    "ocr_timeout_seconds": "test_ocr_timeout",
    "ocr_dpi": "test_ocr_dpi",
    "ocr_min_confidence": "test_ocr_confidence",
    "ocr_min_confidence_checked": "test_ocr_confidence",
    # connection timeouts, crossed on a live server in test_connections.py
    "header_timeout_seconds": "test_connections.test_header_timeout",
    "body_timeout_seconds": "test_connections.test_body_timeout",
    "keep_alive_seconds": "test_connections.test_idle_keep_alive_connection_is_closed",
}
#: Settings fields that are not limits (where to listen, who may call, what to log, ...).
NOT_LIMITS = {
    "host",
    "port",
    "workers",
    "auth_tokens",
    "auth_tokens_file",
    "log_level",
    "eml_schema_dir",
    "mappings_dir",
    "disabled_parsers",
    # operations (tests/service/test_operations.py): the queue bound is crossed there
    "root_path",
    "cors_origins",
    "gzip_min_bytes",
    "max_queued_jobs",
    "retry_after_seconds",
}


def test_every_limit_of_the_settings_is_crossed_by_a_test() -> None:
    fields = set(Settings.model_fields)
    # The control protocol's thresholds (protocol_*) say what to report, not what to refuse.
    fields = {name for name in fields if not name.startswith("protocol_")}
    unclassified = fields - set(LIMIT_FIELDS) - NOT_LIMITS
    assert not unclassified, f"add a limit test, or list as NOT_LIMITS: {unclassified}"
    assert not (set(LIMIT_FIELDS) | NOT_LIMITS) - fields, "stale names in this module"
    for field, test in LIMIT_FIELDS.items():
        module, _, name = test.rpartition(".")
        where = vars(importlib.import_module(f"tests.hardening.{module}")) if module else globals()
        assert callable(where.get(name)), f"{field}: no test function {test}"
    # every structural limit the parsers get is one of them
    limits = Settings().limits()
    assert set(type(limits).__dataclass_fields__) <= set(LIMIT_FIELDS)


def test_body_size() -> None:
    with service(max_upload_bytes=10_000) as client:
        # by Content-Length
        response = client.post("/normalise", content=b"x" * 10_001)
        problem = assert_problem(response, 413, "input-too-large")
        assert problem["limit_bytes"] == 10_000
        # by counting a body sent without a length (chunked)
        response = client.post("/normalise", content=iter([b"x" * 6000, b"x" * 6000]))
        assert_problem(response, 413, "input-too-large")
        # at the limit it is read
        response = client.post(
            "/normalise", content=csv_sample()[:10_000], params={"filename": "a.csv"}
        )
        assert response.status_code != 413
        assert_healthy(client)


def test_context_file_count() -> None:
    with service(max_context_files=1) as client:
        parts = {
            name: (f"{name}.xml", b"<x/>")
            for name in ("file", "candidate_list", "election_definition", "polling_stations")
        }
        response = client.post("/normalise", files=parts)
        problem = assert_problem(response, 400, "bad-request")
        assert "too many files" in problem["detail"].lower()
        # the main file, one context file and a mapping are still taken
        parts = {"file": parts["file"], "candidate_list": parts["candidate_list"]}
        assert client.post("/normalise", files=parts).status_code != 400


def test_reconcile_file_count() -> None:
    with service(reconcile_max_files=2) as client:
        # two files and a reference, plus the 110a and 230b parts the limit leaves room for
        parts = [("file", (f"{i}.xml", b"<x/>")) for i in range(2)]
        parts += [("reference", ("r.json", b"{}"))]
        parts += [
            ("election_definition", ("d.xml", b"<x/>")),
            ("candidate_list", ("c.xml", b"<x/>")),
        ]
        problem = assert_problem(client.post("/reconcile", files=parts), 400, "bad-request")
        assert "too many files" in problem["detail"].lower()
        # within the limit the request is read (and the JSON reference refused: 422)
        response = client.post("/reconcile", files=parts[1:3])
        assert_problem(response, 422, "invalid-context-file")


def test_xml_depth() -> None:
    nested = b"<Foo>" * 20 + b"</Foo>" * 20
    data = eml_count(3).replace(b"<ValidVotes>1<", nested + b"<ValidVotes>1<")
    with service(max_xml_depth=10) as client:
        problem = assert_problem(client.post("/normalise", content=data), 422, "limit-exceeded")
        assert "nested" in problem["detail"]
        # the same file is read under the default limit
        assert client.post("/normalise", content=eml_count(3)).status_code == 200


def test_xml_depth_outside_vote_groups() -> None:
    nested = b"<Foo>" * 20 + b"</Foo>" * 20
    data = eml_count(3).replace(b"<TotalVotes>", nested + b"<TotalVotes>")
    with service(max_xml_depth=10) as client:
        assert_problem(client.post("/normalise", content=data), 422, "limit-exceeded")


def test_xml_elements() -> None:
    with service(max_xml_elements=500) as client:
        problem = assert_problem(
            client.post("/normalise", content=eml_count(1000)), 422, "limit-exceeded"
        )
        assert "500" in problem["detail"]
        assert client.post("/normalise", content=eml_count(10)).status_code == 200


def test_zip_members() -> None:
    members = {f"readme{i}.txt": b"not a count" for i in range(4)}
    members["count.csv"] = csv_sample()
    with service(max_zip_members=3) as client:
        response = client.post(
            "/normalise", content=zip_of(members), params={"filename": "bundle.zip"}
        )
        problem = assert_problem(response, 422, "limit-exceeded")
        assert "limit is 3" in problem["detail"]


def test_zip_uncompressed() -> None:
    members = {"count.csv": csv_sample(), "big.txt": incompressible(60_000)}
    with service(max_zip_uncompressed=50_000) as client:
        response = client.post(
            "/normalise", content=zip_of(members), params={"filename": "bundle.zip"}
        )
        problem = assert_problem(response, 422, "limit-exceeded")
        assert "expands to more than" in problem["detail"]


@pytest.mark.parametrize("kind", ["zip", "xlsx"])
def test_zip_ratio(kind: str) -> None:
    padding = b" " * 200_000  # deflates about 1000 times
    if kind == "zip":
        data = zip_of({"count.csv": csv_sample() + padding})
    else:
        from tests.hardening.conftest import XLSX_SAMPLE, unzip

        members = unzip(XLSX_SAMPLE.read_bytes())
        members["docProps/padding.xml"] = padding
        data = zip_of(members)
    with service(max_zip_ratio=50) as client:
        response = client.post("/normalise", content=data, params={"filename": f"x.{kind}"})
        problem = assert_problem(response, 422, "limit-exceeded")
        assert "zip bomb" in problem["detail"]


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_rows(kind: str) -> None:
    if kind == "csv":
        data = csv_with_station_rows(50)
    else:
        data = _xlsx([["Lijst", "Stembureau 1"], *[[f"Lijst {i}", i] for i in range(60)]])
    with service(max_rows=40) as client:
        response = client.post("/normalise", content=data, params={"filename": f"t.{kind}"})
        problem = assert_problem(response, 422, "limit-exceeded")
        assert "40 rows" in problem["detail"]
        assert problem["location"]


def test_columns() -> None:
    with service(max_columns=10) as client:
        response = client.post("/normalise", content=csv_sample(), params={"filename": "a.csv"})
        problem = assert_problem(response, 422, "limit-exceeded")
        assert "limit is 10" in problem["detail"]
        assert problem["location"]["line"] >= 1


def test_cells() -> None:
    with service(max_cells=60) as client:
        response = client.post("/normalise", content=csv_sample(), params={"filename": "a.csv"})
        problem = assert_problem(response, 422, "limit-exceeded")
        assert "60 cells" in problem["detail"]


def test_line_length() -> None:
    with service(max_line_length=80) as client:
        response = client.post("/normalise", content=csv_sample(), params={"filename": "a.csv"})
        problem = assert_problem(response, 422, "limit-exceeded")
        assert "limit is 80" in problem["detail"]
        assert problem["location"]["line"] > 1


def test_parse_timeout() -> None:
    big = csv_with_station_rows(40_000)
    with service(parse_timeout_seconds=60) as client:
        pool = client.app.state.pool  # type: ignore[attr-defined]
        assert pool.timeout == 60  # the setting is the pool's per-parse wall time
        warm_workers(client)
        # how long this file takes here, so that the limit below is crossed whatever the
        # machine's (or the parser's) speed
        started = time.monotonic()
        assert client.post("/normalise", content=big).status_code == 200
        took = time.monotonic() - started
        pool.timeout = max(took / 5, 0.02)
        before = client.get("/health").json()["workers_replaced"]
        response = client.post("/normalise", content=big, params={"filename": "big.csv"})
        problem = assert_problem(response, 422, "parse-timeout")
        assert "was stopped" in problem["detail"]
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json()["workers_replaced"] == before + 1
        # the replacement worker serves the next request
        pool.timeout = 60
        ok = client.post("/normalise", content=csv_sample())
        assert ok.status_code == 200, ok.text


def test_worker_memory() -> None:
    # 1,000 columns of counts: far more memory as Python cells than as bytes (each count
    # different: the text reader shares equal cells of a large table)
    header = b"Nr;Stembureau;" + b";".join(b"Lijst %d" % i for i in range(1000))
    rows = [
        b"%d;De Linde;" % r + b";".join(b"%d" % n for n in range(r * 1000, r * 1000 + 1000))
        for r in range(8000)
    ]
    data = b"\n".join([*csv_sample().split(b"\n")[:6], header, *rows]) + b"\n"
    wide_open = {"max_columns": 10**6, "max_cells": 10**9, "max_rows": 10**7}
    with service(worker_memory_bytes=300 * 1024 * 1024, **wide_open) as client:
        response = client.post("/normalise", content=data, params={"filename": "wide.csv"})
        problem = assert_problem(response, 422, "limit-exceeded")
        assert "more memory than one parse may use" in problem["detail"]
        # the worker survived its MemoryError: it answered, nothing was replaced
        assert client.get("/health").json()["workers_replaced"] == 0
        assert_healthy(client)
        assert client.post("/normalise", content=csv_sample()).status_code == 200


def test_worker_recycling() -> None:
    with service(worker_max_tasks=2) as client:
        for _ in range(5):
            assert client.post("/normalise", content=csv_sample()).status_code == 200
        assert client.get("/health").json()["workers_replaced"] >= 2


# --- PDF records: pages, OCR time, resolution and confidence ----------------------------------

_PDF = SAMPLES / "pdf"
_needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract is not installed"
)


def _post_pdf(client: TestClient, name: str) -> httpx.Response:
    data = (_PDF / name).read_bytes()
    return client.post("/normalise", files={"file": (name, data, "application/pdf")})


def test_pdf_pages() -> None:
    with service(max_pdf_pages=2) as client:
        problem = assert_problem(_post_pdf(client, "n11_lindehoven.pdf"), 422, "limit-exceeded")
        assert "at most 2" in problem["detail"] and problem["location"] == {"page": 3}
        assert _post_pdf(client, "table_lindehoven_per_station.pdf").status_code == 200


@_needs_tesseract
def test_ocr_timeout() -> None:
    with service(ocr_timeout_seconds=0.001) as client:
        problem = assert_problem(
            _post_pdf(client, "n10-1_lindehoven_sb3_scan.pdf"), 422, "parse-timeout"
        )
        assert problem["location"] == {"page": 1} and "ocr_timeout_seconds" in problem["detail"]
        assert_healthy(client)


@_needs_tesseract
def test_ocr_dpi() -> None:
    # rendered at 20 dpi a scan has no legible heading or digit: refused, never guessed
    with service(ocr_dpi=20) as client:
        response = _post_pdf(client, "n10-1_lindehoven_sb3_scan.pdf")
        assert response.status_code in (415, 422), response.text[:500]


@_needs_tesseract
def test_ocr_confidence() -> None:
    with service(ocr_min_confidence=100, ocr_min_confidence_checked=100) as client:
        problem = assert_problem(
            _post_pdf(client, "n10-1_lindehoven_sb3_scan.pdf"), 422, "doubtful-numbers"
        )
        reasons = {entry["reason"] for entry in problem["doubtful"]}
        assert "low-confidence" in reasons
