"""Service metadata: parsers, the canonical schema, problem types, health."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from telnorm.parsers.api import API_VERSION
from telnorm.parsers.canonical import json_schema
from telnorm.parsers.errors import TelnormError
from telnorm.service.openapi import problem_responses
from telnorm.service.plugin_host import active_registry, probe
from telnorm.service.problems import catalogue
from telnorm.service.version import NORMALISER_VERSION

router = APIRouter(tags=["service"])


@lru_cache(maxsize=1)
def _schema_bytes() -> bytes:
    return orjson.dumps(json_schema())


def _json_example(example: Any, description: str = "OK") -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": description, "content": {"application/json": {"example": example}}}
    }


_PARSER_EXAMPLE = {
    "name": "eml",
    "version": "1.0.0",
    "api_version": "1.0",
    "title": "EML_NL 510a/b/c/d counts",
    "media_types": ["application/xml"],
    "extensions": [".xml", ".eml.xml"],
    "options": [],
    "status": "ok",
    "builtin": True,
}
_PROBLEM_TYPE_EXAMPLE = {
    "type": "/problems/not-a-count",
    "code": "not-a-count",
    "status": 422,
    "title": "The file is an election document, but not a count",
    "description": "A recognised election document that does not hold counted votes.",
}


@router.get(
    "/health",
    operation_id="health",
    summary="Liveness and worker status",
    responses=_json_example(
        {"status": "ok", "version": NORMALISER_VERSION, "workers": 2, "workers_replaced": 0}
    ),
)
async def health(request: Request) -> dict[str, Any]:
    """The version and the worker pool's size and restarts (kept for existing probes;
    /health/live and /health/ready are the probes to use)."""
    pool = request.app.state.pool
    return {
        "status": "ok",
        "version": NORMALISER_VERSION,
        "workers": pool.size,
        "workers_replaced": pool.replaced,
    }


@router.get(
    "/parsers",
    operation_id="list_parsers",
    summary="Installed parser plugins",
    responses=_json_example(
        {
            "api_version": API_VERSION,
            "parsers": [_PARSER_EXAMPLE],
            "failed": [],
            "collisions": [],
            "disabled": [],
        }
    ),
)
async def parsers() -> dict[str, Any]:
    """Every installed parser (name for format=, version, media types, the options it
    reads, ``status`` ok or broken), the plugins that failed to load, the ones whose parser
    name was already taken (``collisions``) and the disabled ones, each with why."""
    return {"api_version": API_VERSION, **probe(active_registry()).describe()}


@router.get(
    "/schema",
    operation_id="get_schema",
    summary="The JSON Schema (2020-12) of the canonical document",
    response_class=Response,
    responses={
        200: {
            "description": "The canonical JSON Schema; its definitions are also the "
            "components of this document",
            "content": {
                "application/schema+json": {
                    "schema": {"type": "object"},
                    "example": {
                        "$schema": "https://json-schema.org/draft/2020-12/schema",
                        "$id": "urn:telnorm:schema:canonical-v1",
                        "title": "telnorm canonical result document v1",
                        "type": "object",
                    },
                }
            },
        }
    },
)
async def schema() -> Response:
    """The JSON Schema (2020-12) every canonical document telnorm writes passes, and every
    canonical document sent to telnorm is checked against."""
    return Response(_schema_bytes(), media_type="application/schema+json")


@router.get(
    "/problems",
    operation_id="list_problems",
    summary="Every problem type",
    responses=_json_example([_PROBLEM_TYPE_EXAMPLE]),
)
async def problems() -> list[dict[str, Any]]:
    """Every problem `type` an error answer can have, with its status and title."""
    return catalogue()


@router.get(
    "/problems/{code}",
    operation_id="get_problem",
    summary="One problem type",
    responses={**_json_example(_PROBLEM_TYPE_EXAMPLE), **problem_responses(404)},
)
async def problem_type(code: str) -> dict[str, Any]:
    """One problem type by its code (the last segment of `type`)."""
    for item in catalogue():
        if item["code"] == code:
            return item

    class UnknownProblem(TelnormError):
        code = "not-found"
        title = "No such problem type"

    raise UnknownProblem(f"No problem type is called {code!r}; GET /problems lists them.")
