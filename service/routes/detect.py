"""``POST /detect``: every parser's score for a file, ranked, with evidence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from telnorm.service.dependencies import NormaliseUploadDep, PoolDep
from telnorm.service.jobs import detect_job
from telnorm.service.openapi import problem_responses, upload_body

router = APIRouter(tags=["normalise"])


@router.post(
    "/detect",
    operation_id="detect",
    summary="Say which format a file is, with every parser's confidence and evidence",
    responses=problem_responses(400, 413),
    openapi_extra=upload_body({"file": "The file to recognise."}),
)
async def detect(upload: NormaliseUploadDep, pool: PoolDep) -> dict[str, Any]:
    result: dict[str, Any] = await pool.run(detect_job, upload.main())
    return result
