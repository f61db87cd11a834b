"""``POST /protocol`` (the control-protocol report of a count) and its JSON Schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from telnorm.parsers.errors import NotAcceptable
from telnorm.service.dependencies import PoolDep, SettingsDep, settings_dependency
from telnorm.service.openapi import problem_responses, upload_body
from telnorm.service.protocol.job import ProtocolRequest, protocol_job, thresholds_from
from telnorm.service.protocol.render import PARTS, render_csv, render_html
from telnorm.service.protocol.schema import REPORT_EXAMPLE, REPORT_SCHEMA
from telnorm.service.routes.normalise import parser_options
from telnorm.service.settings import Settings
from telnorm.service.uploads import Upload, receive_upload

router = APIRouter(tags=["protocol"])

PROTOCOL_PARTS = ("file", "neighbourhoods", "candidate_list", "polling_stations", "mapping")
_PARTS = {
    "file": "The count: any file POST /normalise reads, or a canonical document (JSON).",
    "neighbourhoods": "Optional CSV zip_code,neighbourhood_code,ambiguous: swaps are also "
    "checked against each station's neighbourhood.",
    "candidate_list": "Optional EML 230b (list and candidate names).",
    "polling_stations": "Optional EML 110b (station names and postcodes).",
    "mapping": "Optional mapping file (TOML) for a tabular layout.",
}
_MEDIA = {"application/json": "json", "text/csv": "csv", "text/html": "html"}


async def protocol_upload(
    request: Request, settings: Annotated[Settings, Depends(settings_dependency)]
) -> AsyncIterator[Upload]:
    async for upload in receive_upload(request, PROTOCOL_PARTS, len(PROTOCOL_PARTS)):
        yield upload


def _choose(accept: str | None) -> str:
    """JSON unless Accept prefers CSV or HTML (``*/*`` and no header mean JSON)."""
    if not accept:
        return "json"
    ranked: list[tuple[float, int, str]] = []
    for order, item in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in item.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media in ("*/*", "application/*"):
            ranked.append((quality, -order, "json"))
        elif media == "text/*":
            ranked.append((quality, -order, "csv"))
        elif media in _MEDIA:
            ranked.append((quality, -order, _MEDIA[media]))
    ranked = [r for r in ranked if r[0] > 0]
    if not ranked:
        raise NotAcceptable(
            f"The protocol report is available as {', '.join(_MEDIA)}; Accept asked for {accept}."
        )
    return max(ranked)[2]


@router.post(
    "/protocol",
    operation_id="protocol",
    summary="The control-protocol report of a count (parts A, B and C)",
    description="The Electoral Council's control protocol for one municipal count: A "
    "unexplained differences, B outliers (zero votes, invalid or blank >= 3%, admitted vs "
    "counted, list shares, candidate swaps), C every station's list shares. `Accept: text/csv` "
    "answers in the Council tool's CSV layout (`part=a|b|c`, default all three one after "
    "another); `text/html` a self-contained page. Schema: GET /schema/protocol.",
    response_class=Response,
    responses={
        200: {
            "description": "The report",
            "content": {
                "application/json": {"schema": REPORT_SCHEMA, "example": REPORT_EXAMPLE},
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(400, 406, 413, 415, 422),
    },
    openapi_extra=upload_body(_PARTS),
)
async def protocol(
    request: Request,
    upload: Annotated[Upload, Depends(protocol_upload)],
    pool: PoolDep,
    settings: SettingsDep,
    part: Annotated[
        str | None, Query(pattern="^[abcABC]$", description="CSV only: one part (a, b or c).")
    ] = None,
    format: Annotated[str | None, Query(description="Parser name; skips detection.")] = None,
    mapping: Annotated[str | None, Query(description="Mapping id for a tabular file.")] = None,
    member: Annotated[str | None, Query(description="Zip member to read.")] = None,
    sheet: Annotated[str | None, Query(description="Spreadsheet sheet to read.")] = None,
) -> Response:
    output = _choose(request.headers.get("accept"))
    options = parser_options(mapping, member, sheet, upload.fields)
    if "mapping" in upload.files:
        options["mapping_file"] = str(upload.files["mapping"].path)
    job = ProtocolRequest(
        main=upload.main(),
        neighbourhoods=upload.files.get("neighbourhoods"),
        context_files=upload.context(("candidate_list", "polling_stations")),
        format=format,
        parser_options=options,
        thresholds=thresholds_from(settings),
    )
    body = await pool.run(protocol_job, job, settings.limits())
    if output == "json":
        return Response(body, media_type="application/json")
    report: dict[str, Any] = orjson.loads(body)
    names = {row["affiliation_id"]: row.get("affiliation_name") for row in report["c"]}
    if output == "html":
        return Response(render_html(report, names), media_type="text/html; charset=utf-8")
    parts = [part.lower()] if part else list(PARTS)
    text = "\r\n".join(render_csv(report, names, p) for p in parts)
    return Response(text, media_type="text/csv; charset=utf-8")


@router.get(
    "/schema/protocol",
    operation_id="protocol_schema",
    summary="The JSON Schema of the control-protocol report",
    description="The schema POST /protocol's JSON answer follows.",
    responses={
        200: {
            "description": "The JSON Schema (2020-12)",
            "content": {
                "application/json": {
                    "example": {"title": "telnorm control-protocol report", "type": "object"}
                }
            },
        }
    },
)
async def protocol_schema() -> dict[str, Any]:
    return REPORT_SCHEMA
