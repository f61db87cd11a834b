"""Mappings for tabular layouts: the built-in ones, and drafting one for a new file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from telnorm.service.dependencies import NormaliseUploadDep, PoolDep, SettingsDep
from telnorm.service.jobs import list_mappings_job, suggest_mapping_job
from telnorm.service.jsonsafe import dumps as checked_dumps
from telnorm.service.openapi import problem_responses, upload_body

router = APIRouter(tags=["mappings"])


@router.get("/mappings", operation_id="list_mappings", summary="The installed mapping files")
async def list_mappings(pool: PoolDep) -> dict[str, Any]:
    result: dict[str, Any] = await pool.run(list_mappings_job)
    return result


@router.post(
    "/mappings/suggest",
    operation_id="suggest_mapping",
    summary="Draft a mapping (TOML) for a spreadsheet or CSV that no mapping fits",
    response_class=Response,
    responses={
        200: {
            "description": "The draft mapping and a report of what was recognised and where",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/toml": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(400, 413, 415, 422),
    },
    openapi_extra=upload_body({"file": "The spreadsheet or CSV to draft a mapping for."}),
)
async def suggest_mapping(
    upload: NormaliseUploadDep,
    pool: PoolDep,
    settings: SettingsDep,
    as_: Annotated[
        str,
        Query(
            alias="as",
            pattern="^(json|toml)$",
            description="json: draft and report; toml: the draft alone, ready to save.",
        ),
    ] = "json",
) -> Response:
    result: dict[str, Any] = await pool.run(suggest_mapping_job, upload.main(), settings.limits())
    if as_ == "toml":
        return Response(result["mapping"], media_type="application/toml")
    return Response(checked_dumps(result), media_type="application/json")
