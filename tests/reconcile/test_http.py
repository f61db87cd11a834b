"""``POST /reconcile``, ``GET /schema/reconcile`` and ``POST /apportion`` over HTTP."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
from fastapi.testclient import TestClient


def _parts(election: Any, paths: list[Path] | None = None) -> list[tuple[str, tuple[str, bytes]]]:
    files = [
        ("file", (p.name, p.read_bytes())) for p in paths or sorted(election.municipal.iterdir())
    ]
    refs = [("reference", (p.name, p.read_bytes())) for p in election.districts]
    return files + refs


def test_json_report_finds_every_fault(client: TestClient, faulty: Any) -> None:
    response = client.post("/reconcile", files=_parts(faulty))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    report = response.json()
    jsonschema.validate(report, client.get("/schema/reconcile").json())
    statuses = {e["id"]: e["status"] for e in report["municipalities"] if e["id"]}
    for code, want in faulty.expected.items():
        if want["status"] != "unreadable":
            assert statuses[code] == want["status"], code
    differs = {
        e["id"]: {d["affiliation_id"]: d["difference"] for d in e["differences"]}
        for e in report["municipalities"]
        if e["status"] == "differs"
    }
    assert differs == {
        c: w["differences"] for c, w in faulty.expected.items() if w["status"] == "differs"
    }
    unreadable = [e for e in report["municipalities"] if e["status"] == "unreadable"]
    assert len(unreadable) == 1 and unreadable[0]["problem"]["code"] == "malformed-xml"


def test_one_zip_and_csv_by_accept(client: TestClient, faulty: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(faulty.municipal.iterdir()):
            archive.writestr(path.name, path.read_bytes())
    parts = [("file", ("alle.zip", buffer.getvalue())), *_parts(faulty, [])]
    response = client.post("/reconcile", files=parts, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    lists = {
        (r["municipality_id"], r["affiliation_id"]): int(r["difference"])
        for r in rows
        if r["kind"] == "list"
    }
    assert lists == {
        (c, a): d for c, w in faulty.expected.items() for a, d in w.get("differences", {}).items()
    }


def test_html_by_accept(client: TestClient, clean: Any) -> None:
    response = client.post("/reconcile", files=_parts(clean), headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<svg" in response.text or "No list differences" in response.text
    assert "src=" not in response.text


def test_bad_requests_are_problems(client: TestClient, clean: Any) -> None:
    files = _parts(clean)
    only_files = [p for p in files if p[0] == "file"]
    response = client.post("/reconcile", files=only_files)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    response = client.post(
        "/reconcile", files=[*only_files, ("reference", ("r.json", b'{"x": 1}'))]
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid-context-file"
    response = client.post("/reconcile", files=files, headers={"Accept": "application/xml"})
    assert response.status_code == 406
    response = client.post("/reconcile", content=b"<EML/>")
    assert response.status_code == 400
    response = client.post("/reconcile", files=[*files, ("mapping", ("m.toml", b"x"))])
    assert response.status_code == 400


def test_apportion_route(client: TestClient, corpus_file: Any) -> None:
    count = corpus_file("eml", "apportionment", "Telling_GR2022_NoordBeveland.eml.xml")
    files = [("file", (count.name, count.read_bytes()))]
    response = client.post("/apportion?seats=13", files=files)
    assert response.status_code == 200, response.text
    result = response.json()
    assert {i["affiliation_id"]: i["seats"] for i in result["lists"]} == {
        "1": 4,
        "2": 2,
        "3": 2,
        "4": 1,
        "5": 1,
        "6": 2,
        "7": 1,
    }
    assert result["preference_threshold"]["percent"] == 50
    text = client.post("/apportion?seats=13", files=files, headers={"Accept": "text/plain"})
    assert text.status_code == 200 and "Elected:" in text.text
    missing = client.post("/apportion", files=files)
    assert missing.status_code == 400 and "seats" in missing.json()["detail"]
