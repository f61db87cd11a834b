"""Examples shown in the OpenAPI document (a test checks that each one fits its schema)."""

from __future__ import annotations

from typing import Any

_GROUP: dict[str, Any] = {
    "cast": 1500,
    "total_counted": 940,
    "rejected_votes": {"blanco": 7, "ongeldig": 5},
    "uncounted_votes": {"geldige stempassen": 900, "toegelaten kiezers": 952},
    "selections": [
        {
            "affiliation_id": "1",
            "valid_votes": 940,
            "candidates": [
                {"candidate_id": "1", "valid_votes": 700},
                {"candidate_id": "2", "valid_votes": 240},
            ],
        }
    ],
}

#: A small canonical document: one list with two candidates, one polling station.
CANONICAL_DOCUMENT: dict[str, Any] = {
    "format_version": "1",
    "document": {
        "eml_id": "510b",
        "level": "municipality",
        "created": "2026-03-19T21:30:00.000",
        "transaction_id": "1",
    },
    "election": {
        "id": "GR2026_Lindehoven",
        "name": "Gemeenteraad Lindehoven 2026",
        "category": "GR",
        "subcategory": "GR1",
        "date": "2026-03-18",
        "domain": {"id": "9901", "name": "Lindehoven"},
    },
    "contest": {"id": "geen", "name": None},
    "managing_authority": {"id": "9901", "name": "Lindehoven"},
    "affiliations": [
        {
            "id": "1",
            "name": "Lindehoven Lokaal",
            "candidates": [
                {"id": "1", "name": "Jansen, A.", "short_code": None},
                {"id": "2", "name": "Bakker, B.", "short_code": None},
            ],
        }
    ],
    "total_votes": _GROUP,
    "reporting_unit_votes": [
        {
            "id": "9901::SB1",
            "number": 1,
            "name": "De Linde",
            "postal_code": "1234 AB",
            "kind": "polling_station",
            **_GROUP,
        }
    ],
    "source": {
        "filename": "Telling_GR2026_Lindehoven.eml.xml",
        "bytes": 5120,
        "sha256": "636a66d0ab42aac22aca3569c13f8194e643f4c28b02520ade02374cd051df82",
        "media_type": "application/xml",
        "encoding": "utf-8",
        "format": {"id": "eml-510b", "confidence": 0.98, "evidence": ["EML Id 510b"]},
        "parser": {"name": "eml", "version": "1.0.0"},
        "mapping": None,
        "context": [],
        "normaliser_version": "0.1.0",
    },
    "notes": [],
}

DETECTION: dict[str, Any] = {
    "filename": "Telling_GR2026_Lindehoven.eml.xml",
    "bytes": 5120,
    "best": {
        "parser": "eml",
        "format": "eml-510b",
        "confidence": 0.98,
        "media_type": "application/xml",
        "evidence": ["EML Id 510b"],
    },
    "candidates": [
        {
            "parser": "eml",
            "format": "eml-510b",
            "confidence": 0.98,
            "media_type": "application/xml",
            "evidence": ["EML Id 510b"],
        }
    ],
    "seen": {"kind": "xml", "encoding": "utf-8", "text": '<?xml version="1.0"?><EML ...'},
}

REPORT: dict[str, Any] = {
    "valid": False,
    "summary": {
        "errors": 1,
        "warnings": 0,
        "info": 0,
        "reconciliation_difference": None,
        "reconciliation": None,
    },
    "findings": [
        {
            "code": "F.201",
            "severity": "error",
            "message": "List 1 in unit 9901::SB1: the candidates add up to 930, the list "
            "total is 940.",
            "location": {
                "reporting_unit": "9901::SB1",
                "affiliation": "1",
                "candidate": None,
                "pointer": "/reporting_unit_votes/0/selections/0/valid_votes",
                "source": {"line": 42, "xpath": "/EML/Count/Election/Contests/Contest"},
            },
            "expected": 930,
            "actual": 940,
            "difference": 10,
        }
    ],
    "document": {"authority": "9901", "authority_name": "Lindehoven", "election": "GR2026"},
}
