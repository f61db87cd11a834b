"""Shared FastAPI dependencies: settings, the worker pool, uploads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from telnorm.service.settings import Settings, get_settings
from telnorm.service.uploads import Upload, receive_upload
from telnorm.service.workers import WorkerPool

#: File parts the normalising endpoints accept besides ``file``.
CONTEXT_PARTS = ("candidate_list", "election_definition", "polling_stations")
NORMALISE_PARTS = ("file", *CONTEXT_PARTS, "mapping")


def settings_dependency(request: Request) -> Settings:
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    return settings


def pool_dependency(request: Request) -> WorkerPool:
    pool: WorkerPool = request.app.state.pool
    return pool


async def normalise_upload(
    request: Request, settings: Annotated[Settings, Depends(settings_dependency)]
) -> AsyncIterator[Upload]:
    async for upload in receive_upload(request, NORMALISE_PARTS, settings.max_context_files + 2):
        yield upload


SettingsDep = Annotated[Settings, Depends(settings_dependency)]
PoolDep = Annotated[WorkerPool, Depends(pool_dependency)]
NormaliseUploadDep = Annotated[Upload, Depends(normalise_upload)]
