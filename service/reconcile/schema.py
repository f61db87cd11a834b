"""The JSON Schema (2020-12) of the reconciliation report, served at ``GET /schema/reconcile``."""

from __future__ import annotations

from typing import Any

_INT = {"type": "integer"}
_STR_OR_NULL = {"type": ["string", "null"]}
_FRACTION = {
    "type": "object",
    "required": ["fraction", "decimal"],
    "properties": {"fraction": {"type": "string"}, "decimal": {"type": "string"}},
}


def _difference(key: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = {key: {"type": "string"}, "count": _INT, "reference": _INT, "difference": _INT}
    properties.update(extra or {})
    return {
        "type": "object",
        "required": [key, "count", "reference", "difference"],
        "properties": properties,
        "additionalProperties": False,
    }


_MUNICIPALITY = {
    "type": "object",
    "required": ["id", "name", "file", "status", "differences"],
    "properties": {
        "id": _STR_OR_NULL,
        "name": _STR_OR_NULL,
        "file": {"type": "string"},
        "sha256": {**_STR_OR_NULL, "description": "Of the file read (null when unreadable)."},
        "status": {"enum": ["equal", "differs", "unreadable", "unmatched"]},
        "matched_by": {"enum": ["id", "name"]},
        "reference": {
            "type": "object",
            "properties": {"file": {"type": "string"}, "unit": _STR_OR_NULL},
        },
        "difference": {
            **_INT,
            "description": "Sum of the list differences (file minus reference).",
        },
        "differences": {"type": "array", "items": _difference("affiliation_id")},
        "candidate_differences": {
            "type": "array",
            "items": _difference("affiliation_id", {"candidate_id": {"type": "string"}}),
        },
        "statistic_differences": {"type": "array", "items": _difference("statistic")},
        "problem": {
            "type": "object",
            "description": "The RFC 9457 problem document of a file that cannot be read.",
            "required": ["type", "title", "status", "detail"],
        },
        "notes": {"type": "array", "items": {"type": "string"}},
    },
}

_ELECTION_IMPACT = {
    "type": "object",
    "required": ["election_id", "category", "status"],
    "properties": {
        "election_id": _STR_OR_NULL,
        "category": _STR_OR_NULL,
        "status": {"enum": ["unchanged", "changed", "tie", "not_computed"]},
        "reason": {"type": "string"},
        "basis": {"type": "string", "description": "What the election total was taken from."},
        "complete": {"type": "boolean"},
        "seats": _INT,
        "reference": {"$ref": "#/$defs/apportionment"},
        "corrected": {"$ref": "#/$defs/apportionment"},
        "lists": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["affiliation_id", "reference_seats", "corrected_seats", "change"],
                "properties": {
                    "affiliation_id": {"type": "string"},
                    "name": _STR_OR_NULL,
                    "reference_votes": _INT,
                    "corrected_votes": _INT,
                    "reference_seats": _INT,
                    "corrected_seats": _INT,
                    "change": _INT,
                },
            },
        },
        "candidates": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["affiliation_id", "candidate_id", "change"],
                "properties": {
                    "affiliation_id": {"type": "string"},
                    "candidate_id": {"type": "string"},
                    "name": _STR_OR_NULL,
                    "change": {"enum": ["elected", "not_elected"]},
                    "by": {"enum": ["preference", "list_order"]},
                },
            },
        },
        "notes": {"type": "array", "items": {"type": "string"}},
    },
}


def report_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/schema/reconcile",
        "title": "telnorm reconciliation report",
        "type": "object",
        "required": ["summary", "municipalities", "references", "seat_impact", "notes"],
        "properties": {
            "summary": {
                "type": "object",
                "required": [
                    "municipalities",
                    "equal",
                    "differing",
                    "unreadable",
                    "unmatched",
                    "total_difference",
                ],
                "properties": {
                    "municipalities": _INT,
                    "equal": _INT,
                    "differing": _INT,
                    "unreadable": _INT,
                    "unmatched": _INT,
                    "total_difference": _INT,
                    "total_absolute_difference": _INT,
                },
            },
            "municipalities": {"type": "array", "items": _MUNICIPALITY},
            "references": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["file", "description", "units"],
                    "properties": {
                        "file": {"type": "string"},
                        "description": {"type": "string"},
                        "level": _STR_OR_NULL,
                        "election_id": _STR_OR_NULL,
                        "units": _INT,
                    },
                },
            },
            "reference_units_without_file": {"type": "array", "items": {"type": "string"}},
            "seat_impact": {
                "type": "object",
                "required": ["changed", "elections"],
                "properties": {
                    "changed": {"type": "boolean"},
                    "elections": {"type": "array", "items": _ELECTION_IMPACT},
                },
            },
            "notes": {"type": "array", "items": {"type": "string"}},
        },
        "$defs": {
            "apportionment": {
                "type": "object",
                "required": ["total_votes", "quota", "seats", "ties"],
                "properties": {
                    "total_votes": _INT,
                    "quota": _FRACTION,
                    "seats": {"type": "object", "additionalProperties": _INT},
                    "ties": {"type": "array", "items": {"type": "object"}},
                },
            }
        },
    }
