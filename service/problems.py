"""RFC 9457 problem documents: every error answer of the service is one of these."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from telnorm.parsers import errors
from telnorm.parsers.errors import (
    PROBLEM_BASE,
    EmptyInput,
    ExportSchemaViolation,
    InputTooLarge,
    NotAcceptable,
    PluginError,
    RequestError,
    TelnormError,
    UnknownParser,
    UnsupportedFormat,
)
from telnorm.service.plugin_host import note_plugin_error

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


#: Problems the service itself answers with (HTTP-level: no exception class of the input
#: error tree), documented at /problems: code -> (status, title).
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

#: The HTTP status of each problem code: the one place where the service decides them. An
#: error class without an entry of its own answers with its nearest ancestor's (BinaryInput
#: as UnsupportedFormat, a plugin's own subclass as the class it extends); an input error is
#: a 422 unless listed here.
STATUS_BY_CODE: dict[str, int] = {
    TelnormError.code: 422,
    RequestError.code: 400,
    EmptyInput.code: 400,
    UnknownParser.code: 400,
    InputTooLarge.code: 413,
    NotAcceptable.code: 406,
    UnsupportedFormat.code: 415,
    # telnorm wrote EML its own schema check refuses: a telnorm bug, never the caller's
    ExportSchemaViolation.code: 500,
    # a third-party parser failed: the upstream component, not the file or telnorm
    PluginError.code: 502,
    **{code: status for code, (status, _title) in SERVICE_PROBLEMS.items()},
}


def status_of(error: TelnormError | type[TelnormError]) -> int:
    """The HTTP status the service answers an error with."""
    cls = error if isinstance(error, type) else type(error)
    for klass in cls.__mro__:
        code = klass.__dict__.get("code")
        if isinstance(code, str) and code in STATUS_BY_CODE:
            return STATUS_BY_CODE[code]
    return STATUS_BY_CODE[TelnormError.code]


def problem_document(error: TelnormError, instance: str | None = None) -> dict[str, Any]:
    """The RFC 9457 problem document for an error."""
    body: dict[str, Any] = {
        "type": error.type_uri,
        "title": error.title,
        "status": status_of(error),
        "detail": error.message,
        "code": error.code,
    }
    if instance:
        body["instance"] = instance
    if error.location:
        body["location"] = error.location
    body.update(error.extra)
    return body


def from_error(error: TelnormError, instance: str | None = None) -> ProblemResponse:
    return ProblemResponse(problem_document(error, instance), status_code=status_of(error))


def error_classes() -> list[type[TelnormError]]:
    """Every class of the input error tree (:mod:`telnorm.parsers.errors`), found from the
    classes themselves, so a new error class is catalogued without another list to keep."""
    found: list[type[TelnormError]] = []
    pending: list[type[TelnormError]] = [TelnormError]
    while pending:
        cls = pending.pop()
        if cls.__module__ == errors.__name__ and cls not in found:
            found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def catalogue() -> list[dict[str, Any]]:
    """Every problem type the service can answer with."""
    items = [
        {
            "type": PROBLEM_BASE + cls.code,
            "code": cls.code,
            "status": status_of(cls),
            "title": cls.title,
            "description": (cls.__doc__ or "").strip() or None,
        }
        for cls in error_classes()
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
        note_plugin_error(exc)
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
