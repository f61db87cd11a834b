"""``POST /validate`` (a report on a count, optionally reconciled) and ``GET /rules``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from telnorm.service import examples
from telnorm.service.dependencies import CONTEXT_PARTS, PoolDep, SettingsDep, settings_dependency
from telnorm.service.openapi import component, problem_responses, upload_body
from telnorm.service.query_check import reject_unknown_fields
from telnorm.service.routes.normalise import PARSER_FIELDS, parser_options
from telnorm.service.settings import Settings
from telnorm.service.streaming import file_response, run_spooled
from telnorm.service.uploads import Upload, receive_upload
from telnorm.service.validation import catalogue
from telnorm.service.validation.inputs import ValidateRequest, declares_json, validate_job

router = APIRouter(tags=["validation"])

VALIDATE_PARTS = ("file", "reference", *CONTEXT_PARTS, "mapping")

_PARTS = {
    "file": "The count: a canonical document (JSON) or any file POST /normalise reads.",
    "reference": "Optional reference count: EML 510c (district), 510d (central), a canonical "
    "document, or municipal totals JSON (kind 'municipal-totals').",
    "candidate_list": "Optional EML 230b: names, and checks S.103 (lists or candidates "
    "missing from the count) and S.106 (in the count, not on the candidate list).",
    "election_definition": "Optional EML 110a (or 110b), used when normalising the file.",
    "polling_stations": "Optional EML 110b, used when normalising the file.",
    "mapping": "Optional mapping file (TOML) for a tabular layout.",
}

_REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["valid", "summary", "findings", "document"],
    "properties": {
        "valid": {"type": "boolean"},
        "summary": {
            "type": "object",
            "properties": {
                "errors": {"type": "integer"},
                "warnings": {"type": "integer"},
                "info": {"type": "integer"},
                "reconciliation_difference": {"type": ["integer", "null"]},
                "reconciliation": {"type": ["object", "null"]},
            },
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "severity": {"enum": ["error", "warning", "info"]},
                    "message": {"type": "string"},
                    "location": {
                        "type": "object",
                        "properties": {
                            "reporting_unit": {"type": ["string", "null"]},
                            "affiliation": {"type": ["string", "null"]},
                            "candidate": {"type": ["string", "null"]},
                            "pointer": {"type": "string"},
                            "source": {"type": ["object", "null"]},
                        },
                    },
                    "expected": {"type": ["integer", "null"]},
                    "actual": {"type": ["integer", "null"]},
                    "difference": {"type": ["integer", "null"]},
                },
            },
        },
        "document": {"type": "object"},
    },
}


async def validate_upload(
    request: Request, settings: Annotated[Settings, Depends(settings_dependency)]
) -> AsyncIterator[Upload]:
    async for upload in receive_upload(request, VALIDATE_PARTS, settings.max_context_files + 3):
        yield upload


ValidateUploadDep = Annotated[Upload, Depends(validate_upload)]


@router.post(
    "/validate",
    operation_id="validate",
    summary="Validate a count, optionally against a reference count",
    response_class=Response,
    responses={
        200: {
            "description": "The validation report",
            "content": {
                "application/json": {
                    "schema": component("ValidationReport", _REPORT_SCHEMA),
                    "example": examples.REPORT,
                }
            },
        },
        **problem_responses(400, 413, 415, 422),
    },
    openapi_extra=upload_body(_PARTS, canonical=True),
)
async def validate(
    request: Request,
    upload: ValidateUploadDep,
    pool: PoolDep,
    settings: SettingsDep,
    plausibility: Annotated[
        bool, Query(description="Also run the plausibility checks (P codes).")
    ] = False,
    format: Annotated[str | None, Query(description="Parser name; skips detection.")] = None,
    mapping: Annotated[str | None, Query(description="Mapping id for a tabular file.")] = None,
    member: Annotated[str | None, Query(description="Zip member to read.")] = None,
    sheet: Annotated[str | None, Query(description="Spreadsheet sheet to read.")] = None,
) -> Response:
    """Answers 200 with the report whether or not the count is valid (see `valid`); an
    unreadable file is a problem document. A body sent as application/json (or a .json
    file, or one starting with { or [) is read as a canonical document and checked
    strictly against the canonical JSON Schema (unknown keys, types, formats such as
    dates): JSON that is not one is 422 invalid-structure, with `location.pointer` and
    `errors` listing every violation with its JSON Pointer. Rules: GET /rules."""
    reject_unknown_fields(upload.fields, PARSER_FIELDS)
    options = parser_options(mapping, member, sheet, upload.fields)
    if "mapping" in upload.files:
        options["mapping_file"] = str(upload.files["mapping"].path)
    job = ValidateRequest(
        main=upload.main(),
        declared_json=declares_json(request.headers.get("content-type", "")),
        reference=upload.files.get("reference"),
        candidate_list=upload.files.get("candidate_list"),
        context_files=upload.context(("election_definition", "polling_stations")),
        plausibility=plausibility,
        format=format,
        parser_options=options,
    )
    request.state.parser = format or "auto"  # the metrics label (the report does not say)
    answer = await run_spooled(pool, upload.folder, validate_job, job, settings.limits())
    return file_response(answer, "application/json")


_RULE_EXAMPLE = {
    "code": "F.201",
    "severity": "error",
    "title": "A + B + C is not D (admitted voters)",
    "family": "arithmetic",
    "needs": None,
    "description": "A + B + C must equal D.",
    "bad_example": "a polling station states A = 1000, B = 20, C = 3 and D = 1024.",
    "good_example": "A = 1000, B = 20, C = 3 and D = 1023.",
}


@router.get(
    "/rules",
    operation_id="list_rules",
    summary="The validation rule catalogue",
    responses={
        200: {
            "description": "Every rule",
            "content": {"application/json": {"example": {"rules": [_RULE_EXAMPLE]}}},
        }
    },
)
async def rules() -> dict[str, Any]:
    """Every rule: code, severity, title, family, what it needs, a failing and a passing
    example."""
    return {"rules": catalogue()}
