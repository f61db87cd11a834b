"""PDF records over HTTP: 422 problem documents listing doubtful numbers; corrections."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from telnorm.service.main import create_app
from telnorm.service.settings import Settings
from tests.pdf.helpers import expected, sample

WRONG = "o3_kieskring7_wrong_total.pdf"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = Settings(workers=1, max_upload_bytes=8 * 1024 * 1024, parse_timeout_seconds=60)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _post(client: TestClient, name: str, **fields: str) -> Response:
    with sample(name).open("rb") as handle:
        return client.post(
            "/normalise", files={"file": (name, handle, "application/pdf")}, data=fields
        )


def test_doubtful_numbers_are_a_422_problem(client: TestClient) -> None:
    response = _post(client, WRONG)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "/problems/doubtful-numbers"
    [entry] = problem["doubtful"]
    assert entry["page"] == 3 and len(entry["bbox"]) == 4
    assert entry["crop"].startswith("data:image/png;base64,")
    assert problem["location"] == {"page": 3, "bbox": entry["bbox"]}


def test_corrections_field_round_trip(client: TestClient) -> None:
    problem = _post(client, WRONG).json()
    entry = problem["doubtful"][0]
    fixed = json.dumps({entry["id"]: entry["expected"]})
    response = _post(client, WRONG, corrections=fixed)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["total_votes"]["selections"][1]["valid_votes"] == entry["expected"]


def test_corrections_on_a_non_pdf_is_a_400(client: TestClient) -> None:
    response = client.post(
        "/normalise",
        files={"file": ("x.csv", b"Lijstnummer;Aanduiding\n1;A\n", "text/csv")},
        data={"corrections": "{}"},
    )
    assert response.status_code == 400


def test_text_record_over_http(client: TestClient) -> None:
    response = _post(client, "n11_lindehoven.pdf")
    assert response.status_code == 200
    document = response.json()
    want = expected("n11_lindehoven.pdf")
    assert document["total_votes"]["total_counted"] == want["total_votes"]["total_counted"]


def test_problem_catalogue_lists_the_pdf_problems(client: TestClient) -> None:
    body = client.get("/problems").json()
    text = json.dumps(body)
    for code in ("doubtful-numbers", "unreadable-page", "ocr-unavailable"):
        assert code in text
