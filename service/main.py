"""The FastAPI application: assembly only (routes live in ``telnorm.service.routes``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from starlette.responses import Response

from telnorm.parsers.canonical import FORMAT_VERSION
from telnorm.service import openapi, problems
from telnorm.service.auth import OPEN_PATHS, BearerAuth
from telnorm.service.connection import ConnectionGuard
from telnorm.service.metrics import Metrics
from telnorm.service.observability import RequestLog, configure_logging
from telnorm.service.query_check import reject_unknown_query
from telnorm.service.readiness import check_configuration
from telnorm.service.routes import (
    detect,
    health,
    mappings,
    meta,
    normalise,
    protocol,
    reconcile,
    validate,
)
from telnorm.service.settings import Settings, get_settings
from telnorm.service.uploads import BodySizeLimit
from telnorm.service.version import HTTP_API_VERSION
from telnorm.service.web import install as install_web
from telnorm.service.workers import PoolBusy, WorkerPool

#: Headers on every response: which contract answered.
VERSION_HEADERS = {
    "Telnorm-API-Version": HTTP_API_VERSION,
    "Telnorm-Format-Version": FORMAT_VERSION,
}


def _install_busy_handler(app: FastAPI, retry_after: int) -> None:
    @app.exception_handler(PoolBusy)
    async def _busy(request: Request, exc: PoolBusy) -> Response:
        request.state.problem = "service-busy"
        response = problems.problem(
            503,
            "service-busy",
            "Every worker is busy",
            f"Every parse worker is busy and the work queue is full ({exc}). Try again in "
            f"{retry_after} seconds.",
            request.url.path,
        )
        response.headers["Retry-After"] = str(retry_after)
        return response


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    check_configuration(settings)  # a setting that can never work stops the start here

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(
            size=settings.workers,
            timeout=settings.parse_timeout_seconds,
            max_tasks=settings.worker_max_tasks,
            memory_limit=settings.worker_memory_bytes,
            max_queue=settings.max_queued_jobs,
            log_level=settings.log_level,
        )
        pool.start()
        app.state.pool = pool
        try:
            yield
        finally:
            app.state.pool = None
            pool.close()

    app = FastAPI(
        title="telnorm",
        version=HTTP_API_VERSION,
        summary="Normalise and validate Dutch municipal election result files.",
        description=openapi.API_DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(reject_unknown_query)],
        # /docs and /redoc are served by telnorm.service.web with local assets (FastAPI's
        # own pages load them from a CDN)
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = Metrics(app.state)
    tokens = settings.tokens()
    problems.install(app)
    _install_busy_handler(app, settings.retry_after_seconds)
    # Starlette runs the last added middleware first: log (request id, metrics), compress,
    # CORS (a preflight carries no token), authenticate, cap size, then guard the connection
    # (body read timeout, client gone, Connection: close after a 5xx).
    app.add_middleware(ConnectionGuard, body_timeout=settings.body_timeout_seconds)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(BearerAuth, tokens=tokens)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Content-Disposition", *VERSION_HEADERS],
        )
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes)
    app.add_middleware(RequestLog, metrics=app.state.metrics, headers=VERSION_HEADERS)
    for module in (normalise, detect, validate, protocol, mappings, meta, health, reconcile):
        app.include_router(module.router)
    install_web(app)
    openapi.install(app, secured=bool(tokens), open_paths=OPEN_PATHS)
    return app


app = create_app()
