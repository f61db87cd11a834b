"""The JSON Schema of the protocol report (``GET /schema/protocol``)."""

from __future__ import annotations

from typing import Any

_NUMBER_OR_NULL = {"type": ["number", "null"]}
_INT_OR_NULL = {"type": ["integer", "null"]}
_STRING_OR_NULL = {"type": ["string", "null"]}
_CANDIDATE = {
    "type": "object",
    "required": ["candidate_id", "votes", "expected"],
    "properties": {
        "candidate_id": {"type": "string"},
        "votes": {"type": "integer"},
        "expected": {"type": "integer", "description": "Expected from the reference, rounded."},
    },
}

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "telnorm control-protocol report",
    "type": "object",
    "required": [
        "election", "authority", "protocol_version", "thresholds", "checks", "a", "b", "c",
    ],
    "properties": {
        "election": {
            "type": "object",
            "properties": {
                "id": _STRING_OR_NULL,
                "name": _STRING_OR_NULL,
                "category": _STRING_OR_NULL,
                "date": _STRING_OR_NULL,
                "contest": _STRING_OR_NULL,
            },
        },
        "authority": {
            "type": "object",
            "properties": {"id": _STRING_OR_NULL, "name": _STRING_OR_NULL},
        },
        "created": _STRING_OR_NULL,
        "level": _STRING_OR_NULL,
        "protocol_version": {"type": "string"},
        "thresholds": {"type": "object", "additionalProperties": {"type": "number"}},
        "neighbourhoods_used": {"type": "boolean"},
        "stations": {"type": "integer"},
        "checks": {
            "type": "object",
            "description": "Per check: at how many stations it applied, and where it could not "
            "because the file does not state what it needs.",
            "additionalProperties": {
                "type": "object",
                "required": ["applied", "not_applicable", "needs"],
                "properties": {
                    "applied": {"type": "integer"},
                    "not_applicable": {"type": "array", "items": {"type": "string"}},
                    "needs": {"type": "string"},
                },
            },
        },
        "a": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "station", "name", "no_explanation", "explanations_short", "recounted",
                    "summary",
                ],
                "properties": {
                    "station": {"type": "string"},
                    "name": _STRING_OR_NULL,
                    "no_explanation": _INT_OR_NULL,
                    "explanations_short": _INT_OR_NULL,
                    "recounted": {"type": ["boolean", "null"]},
                    "summary": {"type": "string"},
                },
            },
        },
        "b": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "station", "name", "zero_votes", "invalid_pct", "blank_pct",
                    "admitted_difference", "list_deviations", "swaps", "summary",
                ],
                "properties": {
                    "station": {"type": "string"},
                    "name": _STRING_OR_NULL,
                    "zero_votes": {"type": "boolean"},
                    "invalid_pct": _NUMBER_OR_NULL,
                    "blank_pct": _NUMBER_OR_NULL,
                    "admitted_difference": _INT_OR_NULL,
                    "ballots": _INT_OR_NULL,
                    "recounted": {"type": ["boolean", "null"]},
                    "list_deviations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["affiliation_id", "share", "rest_share"],
                            "properties": {
                                "affiliation_id": {"type": "string"},
                                "share": {"type": "number"},
                                "rest_share": {"type": "number"},
                            },
                        },
                    },
                    "swaps": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["affiliation_id", "over", "under"],
                            "properties": {
                                "affiliation_id": {"type": "string"},
                                "over": _CANDIDATE,
                                "under": _CANDIDATE,
                            },
                        },
                    },
                    "summary": {"type": "string"},
                },
            },
        },
        "c": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["station", "affiliation_id", "share", "rest_share", "deviation"],
                "properties": {
                    "station": {"type": "string"},
                    "name": _STRING_OR_NULL,
                    "affiliation_id": {"type": "string"},
                    "affiliation_name": _STRING_OR_NULL,
                    "votes": {"type": "integer"},
                    "share": {"type": "number"},
                    "rest_share": {"type": "number"},
                    "deviation": {"type": "number"},
                },
            },
        },
    },
}  # fmt: skip


#: The example of ``POST /protocol`` in the OpenAPI document (it fits :data:`REPORT_SCHEMA`).
REPORT_EXAMPLE: dict[str, Any] = {
    "election": {
        "id": "GR2026_Lindehoven", "name": "Gemeenteraad Lindehoven 2026", "category": "GR",
        "date": "2026-03-18", "contest": "geen",
    },
    "authority": {"id": "9901", "name": "Lindehoven"},
    "created": "2026-03-19T21:30:00.000",
    "level": "municipality",
    "protocol_version": "GR2026",
    "thresholds": {"invalid_pct": 3.0, "blank_pct": 3.0, "admitted_difference": 15},
    "neighbourhoods_used": False,
    "stations": 2,
    "checks": {
        "recounted": {
            "applied": 0, "not_applicable": ["1", "2"],
            "needs": "the investigations block (kr:ReportingUnitInvestigations)",
        },
    },
    "a": [
        {
            "station": "2", "name": "Dorpshuis", "no_explanation": 2, "explanations_short": 0,
            "recounted": None,
            "summary": "Er is een onverklaard verschil van 2 tussen het aantal toegelaten "
            "kiezers en het aantal getelde stembiljetten ('geen verklaring').",
        }
    ],
    "b": [
        {
            "station": "1", "name": "De Linde", "zero_votes": False, "invalid_pct": 3.4,
            "blank_pct": None, "admitted_difference": None, "ballots": 500, "recounted": None,
            "list_deviations": [], "swaps": [],
            "summary": "3,4% van de stemmen is ongeldig. Vergelijk de uitslag met het "
            "proces-verbaal van dit stembureau en laat bij een fout hertellen.",
        }
    ],
    "c": [
        {
            "station": "1", "name": "De Linde", "affiliation_id": "1",
            "affiliation_name": "Lindehoven Lokaal", "votes": 300, "share": 62.5,
            "rest_share": 58.1, "deviation": 4.4,
        }
    ],
}  # fmt: skip

__all__ = ["REPORT_EXAMPLE", "REPORT_SCHEMA"]
