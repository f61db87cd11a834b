"""Helpers of the hardening suites: test apps with small limits, files made on the spot."""

from __future__ import annotations

import io
import resource
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from telnorm.service.main import create_app
from telnorm.service.settings import Settings
from tests.conftest import SAMPLES

CSV_SAMPLE = SAMPLES / "tabular" / "a_lindehoven_semicolon_cp1252.csv"
XLSX_SAMPLE = SAMPLES / "tabular" / "a_lindehoven_names.xlsx"
EML_NS = "urn:oasis:names:tc:evs:schema:eml"
PROBLEM_JSON = "application/problem+json"


@contextmanager
def service(**overrides: Any) -> Iterator[TestClient]:
    """A running app (one worker unless told otherwise) with the given settings."""
    values: dict[str, Any] = {"workers": 1, "parse_timeout_seconds": 60, "auth_tokens": None}
    values.update(overrides)
    with TestClient(create_app(Settings(**values))) as client:
        yield client


def peak_rss_kib() -> int:
    """Run in a worker: its peak resident memory since the last reset (KiB, Linux VmHWM),
    else since it started."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak_rss() -> bool:
    """Run in a worker: reset its peak-memory mark (Linux >= 4.0), so that the next reading
    is the peak of the next job alone. False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def import_parsers() -> bool:
    """Run in a worker: import what a parse needs (a cold worker's first job does this)."""
    import telnorm.service.jobs  # noqa: F401

    return True


def warm_workers(client: TestClient) -> None:
    """Import the parsers in every idle worker with a generous timeout, so that a test with
    a short parse timeout does not time out on a cold start."""
    from functools import partial

    pool = client.app.state.pool  # type: ignore[attr-defined]
    for _ in range(pool.size):
        client.portal.call(partial(pool.run, import_parsers, timeout=120))  # type: ignore[union-attr]


def worker_peak_rss(client: TestClient) -> int:
    pool = client.app.state.pool  # type: ignore[attr-defined]
    result: int = client.portal.call(pool.run, peak_rss_kib)  # type: ignore[union-attr]
    return result


def reset_worker_peak_rss(client: TestClient) -> bool:
    pool = client.app.state.pool  # type: ignore[attr-defined]
    result: bool = client.portal.call(pool.run, reset_peak_rss)  # type: ignore[union-attr]
    return result


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"] == PROBLEM_JSON
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"/problems/{code}", problem
    assert problem["status"] == status
    assert problem["detail"]
    return problem


def assert_healthy(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def post_watching_health(
    client: TestClient, body: bytes, filename: str, **params: str
) -> tuple[httpx.Response, int]:
    """POST a file while another thread keeps asking ``/health``; every health answer must be
    a 200. Returns the response and how many health answers came while it ran."""
    answers = 0
    with ThreadPoolExecutor(max_workers=1) as executor:
        future = executor.submit(
            client.post,
            "/normalise",
            content=body,
            params={"filename": filename, **params},
        )
        while not future.done():
            health = client.get("/health")
            assert health.status_code == 200, health.text
            answers += 1
            time.sleep(0.02)
        response = future.result()
    assert_healthy(client)
    return response, answers


# --- files ---------------------------------------------------------------------------


def csv_sample() -> bytes:
    return CSV_SAMPLE.read_bytes()


def csv_lines() -> list[bytes]:
    return csv_sample().split(b"\n")


def csv_utf8() -> bytes:
    return csv_sample().decode("cp1252").encode("utf-8")


def csv_with_station_rows(count: int) -> bytes:
    """The Lindehoven CSV (layout a) with ``count`` polling-station rows."""
    lines = csv_lines()
    header = next(i for i, line in enumerate(lines) if line.startswith(b"Nr;"))
    rows = [
        b"%d;Bureau %d;1234 AB;1.500;900;50;2;952;7;5;940;400;300;240\r" % (i, i)
        for i in range(1, count + 1)
    ]
    return b"\n".join([*lines[: header + 1], *rows]) + b"\n"


def eml_count(selections: int = 3, depth: int = 0) -> bytes:
    """An EML 510b-shaped count; ``depth`` extra nested elements inside the contest."""
    nested = b"<kr:Extra>" * depth + b"</kr:Extra>" * depth
    body = b"".join(
        b"<Selection><AffiliationIdentifier Id='%d'><RegisteredName>Lijst %d</RegisteredName>"
        b"</AffiliationIdentifier><ValidVotes>%d</ValidVotes></Selection>" % (i, i, i)
        for i in range(1, selections + 1)
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<EML xmlns="' + EML_NS.encode() + b'" xmlns:kr="http://www.kiesraad.nl/extensions"'
        b' Id="510b" SchemaVersion="5"><ManagingAuthority><AuthorityIdentifier Id="9901">'
        b"Lindehoven</AuthorityIdentifier></ManagingAuthority><Count><Election>"
        b"<ElectionIdentifier Id='GR2026_Lindehoven'><ElectionName>GR</ElectionName>"
        b"<ElectionCategory>GR</ElectionCategory></ElectionIdentifier><Contests><Contest>"
        b"<ContestIdentifier Id='geen'/>" + nested + b"<TotalVotes>" + body + b"<Cast>10</Cast>"
        b"<TotalCounted>10</TotalCounted></TotalVotes></Contest></Contests></Election></Count>"
        b"</EML>"
    )


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def incompressible(size: int, seed: int = 7) -> bytes:
    """Text-like bytes that deflate poorly (a ratio near 1)."""
    import random

    rng = random.Random(seed)
    return bytes(rng.choice(b"0123456789;abcdefghijklmnopqrstuvwxyz\n") for _ in range(size))


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
