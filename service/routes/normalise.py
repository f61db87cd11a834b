"""``POST /normalise``: any supported file in, the canonical document out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from telnorm.parsers.canonical import CanonicalDocument
from telnorm.service.dependencies import CONTEXT_PARTS, NormaliseUploadDep, PoolDep, SettingsDep
from telnorm.service.export import MEDIA_TYPES, PARAMETERS, negotiate
from telnorm.service.export.disposition import content_disposition
from telnorm.service.export.job import normalise_export_job
from telnorm.service.jobs import normalise_job
from telnorm.service.openapi import problem_responses, upload_body
from telnorm.service.pipeline import NormaliseOptions
from telnorm.service.streaming import file_response, run_spooled

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
        **problem_responses(400, 406, 413, 415, 422),
    },
    openapi_extra=upload_body(_PARTS),
)
async def normalise(
    request: Request,
    upload: NormaliseUploadDep,
    pool: PoolDep,
    settings: SettingsDep,
    output: Annotated[
        str | None,
        Query(description="json, eml, osv4-3 or databank; overrides the Accept header."),
    ] = None,
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
    # Decide the output before parsing, so an unwritable Accept is a quick 406.
    to = negotiate(request.headers.get("accept"), output)
    if to != "json":
        # Export options (election_id=, creation_time=, ...) come as query or form fields.
        params = {**upload.fields, **request.query_params}
        spooled = await run_spooled(
            pool,
            upload.folder,
            normalise_export_job,
            main,
            upload.context(CONTEXT_PARTS),
            NormaliseOptions(format=format, locations=locations, parser_options=options),
            settings.limits(),
            to,
            {key: str(params[key]) for key in PARAMETERS if key in params},
            settings.eml_schema_dir,
        )
        exported = spooled.meta
        return file_response(
            spooled,
            exported.media_type,
            {"Content-Disposition": content_disposition(exported.filename)},
        )
    answer = await run_spooled(
        pool,
        upload.folder,
        normalise_job,
        main,
        upload.context(CONTEXT_PARTS),
        NormaliseOptions(format=format, locations=locations, parser_options=options),
        settings.limits(),
    )
    return file_response(answer, MEDIA_TYPES["json"])
