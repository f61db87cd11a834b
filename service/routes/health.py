"""Operations: liveness, readiness and the Prometheus metrics."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from telnorm.service.metrics import CONTENT_TYPE, Metrics
from telnorm.service.openapi import problem_responses
from telnorm.service.problems import problem
from telnorm.service.readiness import readiness
from telnorm.service.version import NORMALISER_VERSION

router = APIRouter(tags=["service"])

_READY_EXAMPLE = {
    "status": "ready",
    "checks": {
        "workers": {"status": "ok", "ms": 2.1},
        "mappings": {"status": "ok", "ms": 4.0},
        "canonical_schema": {"status": "ok", "ms": 0.1},
        "eml_schema": {"status": "ok", "ms": 0.0},
    },
}


@router.get(
    "/health/live",
    operation_id="health_live",
    summary="Liveness: the process answers",
    responses={
        200: {
            "description": "The process is alive",
            "content": {
                "application/json": {
                    "example": {"status": "live", "version": NORMALISER_VERSION},
                }
            },
        }
    },
)
async def live() -> dict[str, Any]:
    """Answers as long as the event loop runs; checks nothing else (use /health/ready to
    decide whether to send traffic). Open even when bearer tokens are configured."""
    return {"status": "live", "version": NORMALISER_VERSION}


@router.get(
    "/health/ready",
    operation_id="health_ready",
    summary="Readiness: workers, mappings and schemas load",
    responses={
        200: {
            "description": "Every check passed",
            "content": {"application/json": {"example": _READY_EXAMPLE}},
        },
        **problem_responses(503),
    },
)
async def ready(request: Request) -> Response:
    """Ready when the worker pool answers a job within 5 s, the mapping files load in a
    worker, the canonical JSON Schema compiles and the EML schema folder (when configured)
    loads. Otherwise 503 `not-ready` with the outcome of each check in `checks`. Open even
    when bearer tokens are configured."""
    checks = await readiness(getattr(request.app.state, "pool", None), request.app.state.settings)
    failed = sorted(name for name, outcome in checks.items() if outcome["status"] != "ok")
    if failed:
        request.state.problem = "not-ready"
        response = problem(
            503,
            "not-ready",
            "The service is not ready",
            f"Not ready: {', '.join(failed)} failed; see checks.",
            request.url.path,
            checks=checks,
        )
        response.headers["Retry-After"] = str(request.app.state.settings.retry_after_seconds)
        return response
    return Response(
        orjson.dumps({"status": "ready", "checks": checks}), media_type="application/json"
    )


@router.get(
    "/metrics",
    operation_id="metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {
            "description": "The Prometheus text exposition format",
            "content": {
                CONTENT_TYPE: {
                    "schema": {"type": "string"},
                    "example": "# HELP telnorm_requests_total HTTP requests by method, route "
                    "template and status.\n# TYPE telnorm_requests_total counter\n"
                    'telnorm_requests_total{method="POST",route="/normalise",status="200"} '
                    "3.0\n",
                }
            },
        }
    },
)
async def metrics(request: Request) -> Response:
    """Requests by route and status (`telnorm_requests_total`), their durations
    (`telnorm_request_duration_seconds`), parse outcomes by parser and problem type
    (`telnorm_parse_outcomes_total`), worker restarts (`telnorm_worker_restarts_total`) and
    the queue length (`telnorm_queue_length`)."""
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=CONTENT_TYPE)
