"""``POST /reconcile`` (many municipal files against reference counts), ``GET
/schema/reconcile`` and ``POST /apportion`` (seats and elected candidates)."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from telnorm.parsers.errors import NotAcceptable, RequestError, TelnormError
from telnorm.service.apportion.cli import render_text
from telnorm.service.apportion.inputs import apportion_job
from telnorm.service.dependencies import PoolDep, SettingsDep, settings_dependency
from telnorm.service.openapi import problem_responses, upload_body
from telnorm.service.pipeline import InputFile
from telnorm.service.problems import problem_document
from telnorm.service.reconcile.jobs import expand_job, references_job, report_job
from telnorm.service.reconcile.render import render_csv, render_html
from telnorm.service.reconcile.schema import report_schema
from telnorm.service.reconcile.summary import FileSummary, summarise_file
from telnorm.service.settings import Settings
from telnorm.service.uploads import Upload, receive_upload

router = APIRouter(tags=["reconciliation"])

RECONCILE_PARTS = ("file", "reference", "election_definition", "candidate_list")
APPORTION_PARTS = ("file", "election_definition", "candidate_list")
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


@dataclass
class ManyUpload:
    """The parts of one reconciliation, on disk in a folder removed when the request ends."""

    folder: Path
    parts: dict[str, list[InputFile]] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)

    def one(self, name: str) -> InputFile | None:
        items = self.parts.get(name) or []
        if len(items) > 1:
            raise RequestError(f"The part {name!r} was sent {len(items)} times; send it once.")
        return items[0] if items else None


async def _save(part: UploadFile, target: Path) -> str:
    digest = hashlib.sha256()
    with target.open("wb") as out:
        while chunk := await part.read(1 << 20):
            out.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


async def receive_many(
    request: Request, settings: Annotated[Settings, Depends(settings_dependency)]
) -> AsyncIterator[ManyUpload]:
    """Multipart with repeated ``file`` and ``reference`` parts, spooled to disk (the body
    size is capped by the service's BodySizeLimit as for every request)."""
    folder = Path(tempfile.mkdtemp(prefix="telnorm-reconcile-"))
    upload = ManyUpload(folder)
    try:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise RequestError(
                "Send the files as multipart/form-data: many 'file' parts (or one zip) and "
                "one or more 'reference' parts (curl -F file=@a.xml -F file=@b.xml "
                "-F reference=@kieskring.xml ...)."
            )
        limit = settings.reconcile_max_files + 2
        form = await request.form(max_files=limit, max_fields=20)
        try:
            for key, value in form.multi_items():
                if not isinstance(value, UploadFile):
                    upload.fields[key] = str(value)
                    continue
                if key not in RECONCILE_PARTS:
                    raise RequestError(
                        f"Unexpected file part {key!r}. This endpoint accepts: "
                        f"{', '.join(RECONCILE_PARTS)}.",
                        allowed_parts=list(RECONCILE_PARTS),
                    )
                index = sum(len(v) for v in upload.parts.values())
                target = folder / f"{index}-{key}"
                sha256 = await _save(value, target)
                name = (value.filename or key).replace("\\", "/").rsplit("/", 1)[-1] or key
                upload.parts.setdefault(key, []).append(InputFile(target, name[:200], sha256))
        finally:
            await form.close()
        yield upload
    finally:
        shutil.rmtree(folder, ignore_errors=True)


ManyUploadDep = Annotated[ManyUpload, Depends(receive_many)]


def choose_format(accept: str, explicit: str | None) -> str:
    if explicit:
        if explicit not in MEDIA:
            raise RequestError(f"format must be json, csv or html, not {explicit!r}.")
        return explicit
    ranked = []
    for index, item in enumerate(accept.split(",")):
        media, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, index, media.strip().lower()))
    for _q, _i, media in sorted(ranked):
        if media in ("application/json", "*/*", "application/*", ""):
            return "json"
        if media == "text/csv":
            return "csv"
        if media in ("text/html", "text/*"):
            return "html"
    raise NotAcceptable(
        f"None of the media types in Accept ({accept}) can be written: the report is "
        "application/json, text/csv or text/html.",
    )


def _seats(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or int(value) <= 0:
        raise RequestError(f"seats must be a positive whole number, not {value!r}.")
    return int(value)


async def _summary(pool: Any, item: Any, limits: Any) -> FileSummary:
    try:
        result: FileSummary = await pool.run(
            summarise_file, InputFile(item.path, item.filename), limits, item.label
        )
        return result
    except TelnormError as exc:  # a timeout or a crashed worker: this file only
        return FileSummary(file=item.label, problem=problem_document(exc))


@router.post(
    "/reconcile",
    operation_id="reconcile",
    summary="Reconcile municipal counts with district or central reference counts",
    description="Many `file` parts (or one zip of them) and one or more `reference` parts "
    "(510c, 510d, municipal-totals JSON); optional `election_definition` (110a) and "
    "`candidate_list` (230b) and the field or query `seats` for seat_impact. `Accept` (or "
    "`format=`) chooses JSON, CSV or HTML. An unreadable municipal file is reported in the "
    "report; an unusable reference is a 422. Schema: GET /schema/reconcile.",
    response_class=Response,
    responses={
        200: {
            "description": "The reconciliation report",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "The report; its JSON Schema: GET /schema/reconcile.",
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(400, 406, 413, 422),
    },
    openapi_extra={
        "requestBody": upload_body(
            {
                "file": "A municipal count (repeat the part)",
                "reference": "A reference count (repeatable)",
            }
        )["requestBody"]
    },
)
async def reconcile(
    request: Request,
    upload: ManyUploadDep,
    pool: PoolDep,
    settings: SettingsDep,
    format: Annotated[
        str | None, Query(description="json, csv or html (instead of Accept).")
    ] = None,
    seats: Annotated[str | None, Query(description="Seats, for seat_impact.")] = None,
) -> Response:
    fmt = choose_format(request.headers.get("accept", "application/json"), format)
    files = upload.parts.get("file") or []
    references = upload.parts.get("reference") or []
    if not files:
        raise RequestError("No municipal file was sent: add one or more 'file' parts (or a zip).")
    if not references:
        raise RequestError(
            "No reference was sent: add one or more 'reference' parts (510c, 510d or "
            "municipal-totals JSON)."
        )
    limits = settings.limits()
    count = _seats(seats if seats is not None else upload.fields.get("seats"))
    refs, options = await pool.run(
        references_job,
        references,
        upload.one("election_definition"),
        upload.one("candidate_list"),
        count,
        limits,
    )
    workdir = upload.folder / "unpacked"
    workdir.mkdir()
    items, broken = await pool.run(expand_job, files, workdir, limits)
    summaries = await asyncio.gather(*(_summary(pool, item, limits) for item in items))
    report = await pool.run(report_job, broken + list(summaries), refs, options)
    if fmt == "csv":
        return Response(render_csv(report), media_type=MEDIA["csv"])
    if fmt == "html":
        return Response(render_html(report), media_type=MEDIA["html"])
    return Response(orjson.dumps(report), media_type=MEDIA["json"])


@router.get(
    "/schema/reconcile",
    operation_id="reconcile_schema",
    summary="The JSON Schema of the reconciliation report",
)
async def reconcile_schema() -> dict[str, Any]:
    return report_schema()


async def apportion_upload(
    request: Request, settings: Annotated[Settings, Depends(settings_dependency)]
) -> AsyncIterator[Upload]:
    async for upload in receive_upload(request, APPORTION_PARTS, len(APPORTION_PARTS)):
        yield upload


@router.post(
    "/apportion",
    operation_id="apportion",
    summary="Seats per list and elected candidates (Kieswet P 5-P 10, P 15-P 17)",
    description="`file`: the count that decides the election (central 510d, municipal 510b "
    "for a council, or canonical JSON); optional `election_definition` (110a: seats, "
    "preference threshold) and `candidate_list` (230b). `seats=` overrides the 110a. A tie "
    "the law leaves to the lot is reported (`tie: true`), never decided. `Accept: text/plain` "
    "gives a text summary.",
    response_class=Response,
    responses={
        200: {
            "description": "The apportionment",
            "content": {"application/json": {}, "text/plain": {}},
        },
        **problem_responses(400, 406, 413, 415, 422),
    },
    openapi_extra=upload_body(
        {"file": "The count", "election_definition": "EML 110a", "candidate_list": "EML 230b"}
    ),
)
async def apportion(
    request: Request,
    upload: Annotated[Upload, Depends(apportion_upload)],
    pool: PoolDep,
    settings: SettingsDep,
    seats: Annotated[int | None, Query(ge=1, description="Number of seats.")] = None,
    format: Annotated[str | None, Query(description="json or text (instead of Accept).")] = None,
) -> Response:
    accept = request.headers.get("accept", "application/json")
    text = format == "text" or (format is None and "text/plain" in accept and "json" not in accept)
    if format not in (None, "json", "text"):
        raise RequestError(f"format must be json or text, not {format!r}.")
    result = await pool.run(
        apportion_job,
        upload.main(),
        upload.files.get("election_definition"),
        upload.files.get("candidate_list"),
        seats,
        settings.limits(),
    )
    if text:
        return Response(render_text(result), media_type="text/plain; charset=utf-8")
    return Response(orjson.dumps(result), media_type="application/json")
