"""RFC 9457 problem documents: every error answer of the service is one of these."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from telnorm.parsers.errors import ALL_ERRORS, PROBLEM_BASE, TelnormError

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemResponse(Response):
    media_type = PROBLEM_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def problem(
    status: int, code: str, title: str, detail: str, instance: str | None = None, **extra: Any
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return ProblemResponse(body, status_code=status)


def from_error(error: TelnormError, instance: str | None = None) -> ProblemResponse:
    return ProblemResponse(error.to_problem(instance), status_code=error.status)


#: Problems the service itself raises (not input errors), documented at /problems.
SERVICE_PROBLEMS: dict[str, tuple[int, str]] = {
    "not-found": (404, "No such resource"),
    "method-not-allowed": (405, "Method not allowed"),
    "invalid-request": (422, "The request's parameters are not valid"),
    "unauthorized": (401, "Authentication required"),
    "internal-error": (500, "telnorm failed (a bug, not your file)"),
    "request-timeout": (408, "The request took too long to arrive"),
    "client-disconnected": (400, "The client disconnected"),
    "unknown-parameter": (400, "Unknown query parameter"),
    "service-busy": (503, "Every worker is busy"),
    "not-ready": (503, "The service is not ready"),
}


def catalogue() -> list[dict[str, Any]]:
    """Every problem type the service can answer with."""
    items = [
        {
            "type": PROBLEM_BASE + cls.code,
            "code": cls.code,
            "status": cls.status,
            "title": cls.title,
            "description": (cls.__doc__ or "").strip() or None,
        }
        for cls in ALL_ERRORS
    ]
    items += [
        {
            "type": PROBLEM_BASE + code,
            "code": code,
            "status": status,
            "title": title,
            "description": None,
        }
        for code, (status, title) in SERVICE_PROBLEMS.items()
    ]
    return sorted(items, key=lambda item: item["code"])


def install(app: FastAPI) -> None:
    """Answer every error as problem+json."""

    @app.exception_handler(TelnormError)
    async def _telnorm_error(request: Request, exc: TelnormError) -> Response:
        request.state.problem = exc.code  # for the access log
        return from_error(exc, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # 400 comes from the multipart parser (too many files or fields, a broken body):
        # the catalogued bad-request type, not an undocumented one
        code = {
            400: "bad-request",
            401: "unauthorized",
            404: "not-found",
            405: "method-not-allowed",
        }.get(exc.status_code, "http-error")
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail), request.url.path)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        # Not the caller's fault: telnorm has a bug. Logged with the traceback, answered as
        # a problem document rather than an HTML page.
        logging.getLogger("telnorm.error").exception("unhandled error", exc_info=exc)
        request.state.problem = "internal-error"
        response = problem(
            500,
            "internal-error",
            "telnorm failed (a bug, not your file)",
            "telnorm failed while handling this request. This is a bug in telnorm; the "
            "request id in the X-Request-ID header identifies it in the logs.",
            request.url.path,
        )
        # uvicorn drops the connection after an unhandled error: say so, so that a
        # keep-alive client sends its next request on a new connection
        response.headers["Connection"] = "close"
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"location": list(map(str, err.get("loc", ()))), "message": err.get("msg")}
            for err in exc.errors()
        ]
        return problem(
            422,
            "invalid-request",
            "The request's parameters are not valid",
            "; ".join(f"{'.'.join(e['location'])}: {e['message']}" for e in errors),
            request.url.path,
            errors=errors,
        )
