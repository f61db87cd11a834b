"""The FastAPI application: assembly only (routes live in ``telnorm.service.routes``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from telnorm.service import problems
from telnorm.service.auth import BearerAuth
from telnorm.service.connection import ConnectionGuard
from telnorm.service.observability import RequestLog, configure_logging
from telnorm.service.routes import detect, mappings, meta, normalise, validate
from telnorm.service.settings import Settings, get_settings
from telnorm.service.uploads import BodySizeLimit
from telnorm.service.version import NORMALISER_VERSION
from telnorm.service.workers import WorkerPool


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(
            size=settings.workers,
            timeout=settings.parse_timeout_seconds,
            max_tasks=settings.worker_max_tasks,
            memory_limit=settings.worker_memory_bytes,
        )
        pool.start()
        app.state.pool = pool
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(
        title="telnorm",
        version=NORMALISER_VERSION,
        summary="Normalise and validate Dutch municipal election result files.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    configure_logging(settings.log_level)
    problems.install(app)
    # Starlette runs the last added middleware first: log, then authenticate, then cap size,
    # then guard the connection (body timeout, client gone, Connection: close after a 5xx).
    app.add_middleware(ConnectionGuard, body_timeout=settings.body_timeout_seconds)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(BearerAuth, tokens=settings.tokens())
    app.add_middleware(RequestLog)
    for module in (normalise, detect, validate, mappings, meta):
        app.include_router(module.router)
    return app


app = create_app()
