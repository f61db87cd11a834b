"""A running app for the protocol route, and a small fictional municipality to vary."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from telnorm.service import examples
from telnorm.service.main import create_app
from telnorm.service.settings import Settings


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = Settings(workers=1, max_upload_bytes=8 * 1024 * 1024, parse_timeout_seconds=30)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def station(number: int, lists: dict[str, dict[str, int]], **stats: Any) -> dict[str, Any]:
    """A polling station of the fictional municipality 0999 with candidate votes per list."""
    selections = [
        {
            "affiliation_id": aff,
            "valid_votes": sum(candidates.values()),
            "candidates": [{"candidate_id": c, "valid_votes": v} for c, v in candidates.items()],
        }
        for aff, candidates in lists.items()
    ]
    valid = sum(s["valid_votes"] for s in selections)
    blanco, ongeldig = stats.pop("blanco", 2), stats.pop("ongeldig", 1)
    uncounted = {
        "toegelaten kiezers": valid + blanco + ongeldig,
        "geen verklaring": 0,
        "te veel uitgereikte stembiljetten": 0,
        "andere verklaring": 0,
        "meegenomen stembiljetten": 0,
        "te weinig uitgereikte stembiljetten": 0,
    }
    uncounted.update(stats.pop("uncounted", {}))
    unit = {
        "id": f"0999::SB{number}",
        "number": number,
        "name": f"Stembureau {number}",
        "raw_name": f"Stembureau {number}",
        "postal_code": stats.pop("postal_code", None),
        "kind": "polling_station",
        "total_counted": valid,
        "rejected_votes": {"blanco": blanco, "ongeldig": ongeldig},
        "uncounted_votes": uncounted,
        "selections": selections,
    }
    unit.update(stats)
    return unit


def municipality(units: list[dict[str, Any]]) -> dict[str, Any]:
    """The document of the stations, with the total as their sum."""
    total: dict[str, Any] = {"selections": []}
    lists: dict[str, dict[str, int]] = {}
    for unit in units:
        for selection in unit["selections"]:
            bucket = lists.setdefault(selection["affiliation_id"], {})
            for candidate in selection["candidates"]:
                cid = candidate["candidate_id"]
                bucket[cid] = bucket.get(cid, 0) + candidate["valid_votes"]
    total["selections"] = [
        {
            "affiliation_id": aff,
            "valid_votes": sum(c.values()),
            "candidates": [{"candidate_id": k, "valid_votes": v} for k, v in c.items()],
        }
        for aff, c in lists.items()
    ]
    total["total_counted"] = sum(u["total_counted"] for u in units)
    document = copy.deepcopy(examples.CANONICAL_DOCUMENT)
    document["election"].update(id="GR2026_Lindehoven", date="2026-03-18")
    document["managing_authority"] = {"id": "0999", "name": "Lindehoven"}
    document["affiliations"] = [
        {
            "id": aff,
            "name": f"Partij {aff}",
            "candidates": [{"id": c, "name": f"Kandidaat {c}", "short_code": None} for c in cand],
        }
        for aff, cand in lists.items()
    ]
    document["total_votes"] = total
    document["reporting_unit_votes"] = copy.deepcopy(units)
    return document
