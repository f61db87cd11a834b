"""Mappings for tabular layouts: the built-in ones, and drafting one for a new file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from telnorm.service.dependencies import NormaliseUploadDep, PoolDep, SettingsDep
from telnorm.service.jobs import list_mappings_job, suggest_mapping_job
from telnorm.service.jsonsafe import dumps as checked_dumps
from telnorm.service.openapi import problem_responses, upload_body
from telnorm.service.query_check import reject_unknown_fields

router = APIRouter(tags=["mappings"])


_MAPPING_EXAMPLE = {
    "id": "lindehoven-export",
    "version": "1",
    "title": "Lindehoven's own export",
    "family": "a",
    "fingerprint": {"headers": ["Stembureau", "Geldige stempassen"]},
    "origin": "mappings/lindehoven-export.toml",
}


@router.get(
    "/mappings",
    operation_id="list_mappings",
    summary="The installed mapping files",
    responses={
        200: {
            "description": "Every installed mapping",
            "content": {"application/json": {"example": {"mappings": [_MAPPING_EXAMPLE]}}},
        }
    },
)
async def list_mappings(pool: PoolDep, settings: SettingsDep) -> dict[str, Any]:
    """The mapping files (TOML) in the mappings folder: id (for mapping=), version, the
    layout family and the fingerprint that selects it."""
    result: dict[str, Any] = await pool.run(list_mappings_job, settings.mappings_dir)
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
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {"mapping": 'id = "mijn-gemeente"\n...', "report": {}},
                },
                "application/toml": {
                    "schema": {"type": "string"},
                    "example": 'id = "mijn-gemeente"\nversion = "1"\n...',
                },
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
    """Reads the spreadsheet or CSV, recognises what it can (stations, statistics, lists)
    and drafts a mapping file for it, with a report of what was recognised where. Save the
    TOML and send it as the `mapping` part of POST /normalise."""
    reject_unknown_fields(upload.fields, ())
    result: dict[str, Any] = await pool.run(suggest_mapping_job, upload.main(), settings.limits())
    if as_ == "toml":
        return Response(result["mapping"], media_type="application/toml")
    return Response(checked_dumps(result), media_type="application/json")
