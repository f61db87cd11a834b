"""Structured JSON logs and the per-request bookkeeping: request id, trace context, metrics.

Every log line is one JSON object, whoever writes it (telnorm, uvicorn, uvicorn's access log,
libraries): :func:`configure_logging` puts one JSON handler on the root logger and makes the
others propagate to it, at ``TELNORM_LOG_LEVEL``. A line written while a request is handled
carries its ``request_id`` (and ``trace_id`` when the caller sent a W3C ``traceparent``),
through a context variable, so that uvicorn's access line has them too.

Never the file content: only its sha256 and size. The request id comes from an incoming
``X-Request-ID`` (when it looks sane) or is generated, and is echoed in the response.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telnorm.service.metrics import Metrics

LOGGER = logging.getLogger("telnorm.access")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
#: W3C Trace Context ``traceparent``: version-traceid-parentid-flags, lower-case hex.
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
#: The loggers uvicorn configures for itself; they are routed to the root's JSON handler.
_ROUTED = ("telnorm", "uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")

#: ``{"request_id": ..., "trace_id": ..., "parent_id": ...}`` of the request being handled.
REQUEST_CONTEXT: ContextVar[dict[str, str] | None] = ContextVar("telnorm_request", default=None)


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = REQUEST_CONTEXT.get()
        if context:
            entry.update(context)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str = "INFO") -> None:
    """One JSON handler, on the root logger, at ``level`` for every logger that matters.

    Raises ValueError for a level name logging does not know (the service refuses to start
    rather than log at a level nobody asked for)."""
    level = level.upper()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)  # Python warnings (openpyxl's, ...) become JSON lines too
    for name in _ROUTED:
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.setLevel(level)
        logger.propagate = True


def state(scope: Scope) -> dict[str, Any]:
    """The per-request state dict Starlette's ``request.state`` uses."""
    value: dict[str, Any] = scope.setdefault("state", {})
    return value


def trace_context(header: str) -> dict[str, str]:
    """``trace_id`` and ``parent_id`` of a valid W3C ``traceparent``; {} for anything else
    (an invalid one is ignored, as the W3C recommendation says, never an error)."""
    match = _TRACEPARENT.match(header.strip())
    if not match or match.group(1) == "ff":
        return {}
    trace_id, parent_id = match.group(2), match.group(3)
    if trace_id == "0" * 32 or parent_id == "0" * 16:
        return {}
    return {"trace_id": trace_id, "parent_id": parent_id}


class RequestLog:
    """ASGI middleware: request id, trace context, version headers, metrics and one
    structured log line per request."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope.get("headers", ()))
        incoming = request_headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        context = {"request_id": request_id}
        context.update(trace_context(request_headers.get(b"traceparent", b"").decode("latin-1")))
        token = REQUEST_CONTEXT.set(context)
        request_state = state(scope)
        request_state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(self.headers)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            problem = request_state.get("problem")
            if self.metrics is not None:
                self.metrics.observe(scope, status, seconds, request_state.get("parser"), problem)
            LOGGER.info(
                "request",
                extra={
                    "fields": {
                        **context,
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status,
                        "duration_ms": round(seconds * 1000, 1),
                        "inputs": request_state.get("inputs", []),
                        "outcome": problem or ("ok" if status < 400 else "error"),
                    }
                },
            )
            REQUEST_CONTEXT.reset(token)
