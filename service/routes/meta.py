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
from telnorm.parsers.registry import default_registry
from telnorm.service.openapi import problem_responses
from telnorm.service.problems import catalogue
from telnorm.service.version import NORMALISER_VERSION

router = APIRouter(tags=["service"])


@lru_cache(maxsize=1)
def _schema_bytes() -> bytes:
    return orjson.dumps(json_schema())


@router.get("/health", operation_id="health", summary="Liveness and worker status")
async def health(request: Request) -> dict[str, Any]:
    pool = request.app.state.pool
    return {
        "status": "ok",
        "version": NORMALISER_VERSION,
        "workers": pool.size,
        "workers_replaced": pool.replaced,
    }


@router.get("/parsers", operation_id="list_parsers", summary="Installed parser plugins")
async def parsers() -> dict[str, Any]:
    registry = default_registry()
    return {
        "api_version": API_VERSION,
        "parsers": [dict(parser.describe(), status="ok") for parser in registry.parsers],
        "failed": [failure.describe() for failure in registry.failures],
    }


@router.get(
    "/schema",
    operation_id="get_schema",
    summary="The JSON Schema (2020-12) of the canonical document",
    response_class=Response,
    responses={200: {"content": {"application/schema+json": {}}}},
)
async def schema() -> Response:
    return Response(_schema_bytes(), media_type="application/schema+json")


@router.get("/problems", operation_id="list_problems", summary="Every problem type")
async def problems() -> list[dict[str, Any]]:
    return catalogue()


@router.get(
    "/problems/{code}",
    operation_id="get_problem",
    summary="One problem type",
    responses=problem_responses(404),
)
async def problem_type(code: str) -> dict[str, Any]:
    for item in catalogue():
        if item["code"] == code:
            return item

    class UnknownProblem(TelnormError):
        code = "not-found"
        status = 404
        title = "No such problem type"

    raise UnknownProblem(f"No problem type is called {code!r}; GET /problems lists them.")
