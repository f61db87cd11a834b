"""``POST /detect``: every parser's score for a file, ranked, with evidence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from telnorm.service import examples
from telnorm.service.dependencies import NormaliseUploadDep, PoolDep
from telnorm.service.jobs import detect_job
from telnorm.service.openapi import component, problem_responses, upload_body

router = APIRouter(tags=["normalise"])

_CANDIDATE: dict[str, Any] = {
    "type": "object",
    "required": ["parser", "format", "confidence", "evidence"],
    "properties": {
        "parser": {"type": "string", "description": "Parser name (format= takes it)."},
        "format": {"type": ["string", "null"], "description": "Format id, e.g. eml-510b."},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "evidence": {"type": "array", "items": {"type": "string"}},
        "media_type": {"type": ["string", "null"]},
    },
}

_SCORE = component("ParserScore", _CANDIDATE)

DETECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["filename", "bytes", "best", "candidates"],
    "properties": {
        "filename": {"type": ["string", "null"]},
        "bytes": {"type": "integer"},
        "best": {
            "description": "The parser that would read the file (confidence at least 0.5), "
            "or null when none would.",
            "anyOf": [_SCORE, {"type": "null"}],
        },
        "candidates": {"type": "array", "items": _SCORE},
        "seen": {
            "description": "What the first bytes look like (kind, encoding, text).",
            "type": ["object", "null"],
            "additionalProperties": True,
        },
    },
}


@router.post(
    "/detect",
    operation_id="detect",
    summary="Say which format a file is, with every parser's confidence and evidence",
    response_model=None,
    responses={
        200: {
            "description": "Every parser's score, best first",
            "content": {
                "application/json": {
                    "schema": component("DetectionResult", DETECTION_SCHEMA),
                    "example": examples.DETECTION,
                }
            },
        },
        **problem_responses(400, 413),
    },
    openapi_extra=upload_body({"file": "The file to recognise."}),
)
async def detect(request: Request, upload: NormaliseUploadDep, pool: PoolDep) -> dict[str, Any]:
    """Scores the file with every installed parser (from its first 64 KiB and its name) and
    answers them ranked, with the evidence each one found. `best` is the parser POST
    /normalise would use, or null when no parser recognises the file (which /normalise
    answers with 415)."""
    result: dict[str, Any] = await pool.run(detect_job, upload.main())
    request.state.parser = (result.get("best") or {}).get("parser")
    return result
