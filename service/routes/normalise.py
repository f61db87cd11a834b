"""``POST /normalise``: any supported file in, the canonical document out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from parsers.canonical import CanonicalDocument
from service.dependencies import CONTEXT_PARTS, NormaliseUploadDep, PoolDep, SettingsDep
from service.jobs import normalise_job
from service.openapi import problem_responses, upload_body
from service.pipeline import NormaliseOptions

router = APIRouter(tags=["normalise"])

_PARTS = {
    "file": "The count: EML 510, osv4-3 CSV, another CSV, a spreadsheet or a zip bundle.",
    "candidate_list": "Optional EML 230b: list and candidate names.",
    "election_definition": "Optional EML 110a (or 110b): election and unit names.",
    "polling_stations": "Optional EML 110b: polling-station names and postcodes.",
    "mapping": "Optional mapping file (TOML) for a tabular layout.",
}


def parser_options(
    mapping: str | None, member: str | None, sheet: str | None, upload_fields: dict[str, str]
) -> dict[str, str]:
    options = {k: v for k, v in upload_fields.items() if k in ("mapping", "member", "sheet")}
    for key, value in (("mapping", mapping), ("member", member), ("sheet", sheet)):
        if value is not None:
            options[key] = value
    return options


@router.post(
    "/normalise",
    operation_id="normalise",
    summary="Normalise a result file into the canonical document",
    response_class=Response,
    responses={
        200: {
            "description": "The canonical document (see GET /schema)",
            "content": {
                "application/json": {
                    "schema": CanonicalDocument.model_json_schema(
                        ref_template="#/components/schemas/{model}"
                    )
                }
            },
        },
        **problem_responses(400, 413, 415, 422, 503),
    },
    openapi_extra=upload_body(_PARTS),
)
async def normalise(
    upload: NormaliseUploadDep,
    pool: PoolDep,
    settings: SettingsDep,
    format: Annotated[str | None, Query(description="Parser name; skips detection.")] = None,
    locations: Annotated[bool, Query(description="Add the source-location map.")] = False,
    mapping: Annotated[str | None, Query(description="Mapping id for a tabular file.")] = None,
    member: Annotated[str | None, Query(description="Zip member to read.")] = None,
    sheet: Annotated[str | None, Query(description="Spreadsheet sheet to read.")] = None,
) -> Response:
    main = upload.main()
    options = parser_options(mapping, member, sheet, upload.fields)
    if "mapping" in upload.files:
        options["mapping_file"] = str(upload.files["mapping"].path)
    body = await pool.run(
        normalise_job,
        main,
        upload.context(CONTEXT_PARTS),
        NormaliseOptions(format=format, locations=locations, parser_options=options),
        settings.limits(),
    )
    return Response(body, media_type="application/json")
