"""The page routes: ``GET /`` (the form), ``POST /`` (the result page), and the posts the
result page makes: ``/web/download`` (an export of the carried upload) and ``/web/mapping``
(retry with a completed mapping draft).

Every outcome is an HTML page: an unreadable file is a page naming the problem type, where
it is and what to do (with the HTTP status the API would give), never a stack trace.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import aclosing, asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, cast

import orjson
from fastapi import APIRouter, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import HTMLResponse, Response

from telnorm.parsers.errors import ExportFieldsMissing, RequestError, TelnormError
from telnorm.service.export import FORMATS, PARAMETERS
from telnorm.service.export.disposition import content_disposition
from telnorm.service.export.job import (
    EXPORT_CONTEXT_PARTS,
    canonical_export_job,
    normalise_export_job,
)
from telnorm.service.jobs import suggest_mapping_job
from telnorm.service.pipeline import InputFile, NormaliseOptions
from telnorm.service.problems import status_of
from telnorm.service.settings import Settings, get_settings
from telnorm.service.uploads import Upload, receive_upload
from telnorm.service.validation.inputs import ValidateRequest, is_canonical_json
from telnorm.service.web import carry, i18n, mapping_form, view
from telnorm.service.web.jobs import inspect_job
from telnorm.service.web.security import POLICY
from telnorm.service.web.templating import templates
from telnorm.service.workers import WorkerPool

router = APIRouter(include_in_schema=False)
log = logging.getLogger("telnorm.web")

UPLOAD_PARTS = ("file", "candidate_list", "election_definition", "reference")
#: Problems a mapping can solve: the table was not understood (for unsupported-format, only
#: when the tabular parser was at least a candidate: a table it could not place).
MAPPING_CODES = frozenset(
    {"no-header", "ambiguous-layout", "unknown-list-name", "list-number-conflict", "no-counts"}
)
#: The carried upload is kept in the page only up to this size (base64 text); larger files
#: get a curl command instead of buttons, so that no page grows past this.
CARRY_LIMIT = 16 * 1024 * 1024


def settings_of(request: Request) -> Settings:
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    return settings


def pool_of(request: Request) -> WorkerPool:
    pool: WorkerPool = request.app.state.pool
    return pool


def render(
    request: Request, template: str, lang: str, status: int = 200, **context: Any
) -> HTMLResponse:
    context.update(lang=lang, t=i18n.STRINGS[lang], other_lang="en" if lang == "nl" else "nl")
    response: HTMLResponse = templates.TemplateResponse(
        request, template, context, status_code=status
    )
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@router.get("/", response_class=HTMLResponse)
async def index(
    request: Request,
    lang: Annotated[str | None, Query(description="nl or en; another value is ignored.")] = None,
) -> Response:
    chosen = i18n.choose(request, lang)
    response = render(request, "index.html", chosen)
    if lang in i18n.LANGUAGES:
        # The switch is a plain link; the cookie keeps the choice on the pages that follow.
        response.set_cookie(i18n.COOKIE, chosen, max_age=365 * 86400, samesite="lax")
    return response


# --- reading forms ----------------------------------------------------------------------


@asynccontextmanager
async def _form_fields(request: Request) -> AsyncIterator[dict[str, str]]:
    """The text fields of a posted form (the result page's hidden fields, the answers)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        raise RequestError("Send this form from the telnorm page (a form post was expected).")
    limit = settings_of(request).max_upload_bytes
    form = await request.form(max_files=0, max_fields=500, max_part_size=limit)
    try:
        yield {key: value for key, value in form.multi_items() if not isinstance(value, UploadFile)}
    finally:
        await form.close()


@asynccontextmanager
async def _folder() -> AsyncIterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="telnorm-web-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _lang_of(request: Request, fields: Mapping[str, str]) -> str:
    return i18n.choose(request, fields.get("lang"))


# --- the result page ----------------------------------------------------------------------


async def _inspect(
    request: Request, files: Mapping[str, InputFile], *, with_mapping: bool
) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if with_mapping:
        options["mapping_file"] = str(files["mapping"].path)
    job = ValidateRequest(
        main=files["file"],
        reference=files.get("reference"),
        candidate_list=files.get("candidate_list"),
        context_files={role: files[role] for role in ("election_definition",) if role in files},
        # a completed mapping is for the tabular parser, whatever detection would say
        format="tabular" if with_mapping else None,
        parser_options=options,
    )
    body: bytes = await pool_of(request).run(inspect_job, job, settings_of(request).limits())
    result: dict[str, Any] = orjson.loads(body)
    return result


async def _carried(request: Request, files: Mapping[str, InputFile]) -> str | None:
    """The carried field of ``files``, or None when the page would grow too large.
    Compressing is CPU work: it runs in the worker pool like every parse."""
    if sum(item.path.stat().st_size for item in files.values()) > 8 * CARRY_LIMIT:
        return None  # even a count that compresses well would not fit
    field: str = await pool_of(request).run(carry.pack, dict(files))
    return field if len(field) <= CARRY_LIMIT else None


async def _unpack(request: Request, field: str, folder: Path) -> dict[str, InputFile]:
    max_bytes = settings_of(request).max_upload_bytes
    files: dict[str, InputFile] = await pool_of(request).run(carry.unpack, field, folder, max_bytes)
    return files


async def _result_page(
    request: Request, lang: str, files: Mapping[str, InputFile], result: Mapping[str, Any]
) -> HTMLResponse:
    document = result["document"]
    return render(
        request,
        "result.html",
        lang,
        document=document,
        report=result["report"],
        view=view.build(document, result["report"]),
        carried=await _carried(request, files),
        filename=files["file"].filename,
        base_url=str(request.base_url),
        has_mapping="mapping" in files,
        formats=FORMATS,
    )


def problem_context(error: TelnormError) -> dict[str, Any]:
    """What the problem page shows of an error: type, title, message, place."""
    return {
        "code": error.code,
        "title": error.title,
        "message": error.message,
        "location": error.location,
        "http_status": status_of(error),
    }


def problem_page(
    request: Request,
    lang: str,
    error: TelnormError,
    files: Mapping[str, InputFile] | None = None,
) -> HTMLResponse:
    request.state.problem = error.code  # for the access log, as the API routes do
    # the file the problem is in: a context file names its role (a broken candidate list)
    role = error.extra.get("role")
    item = (files or {}).get(role if isinstance(role, str) and role in (files or {}) else "file")
    # 5xx only for telnorm's own failures; a file's problem keeps its 4xx status
    return render(
        request,
        "problem.html",
        lang,
        status=status_of(error),
        filename=item.filename if item is not None else None,
        role=role if isinstance(role, str) else None,
        **problem_context(error),
    )


def bug_page(request: Request, lang: str, exc: Exception) -> HTMLResponse:
    log.exception("web page failed", exc_info=exc)
    request.state.problem = "internal-error"
    request_id = getattr(request.state, "request_id", None) or "-"
    return render(request, "bug.html", lang, status=500, request_id=request_id)


async def _mapping_page(
    request: Request,
    lang: str,
    files: Mapping[str, InputFile],
    error: TelnormError,
    *,
    draft: str | None = None,
    blanks: list[mapping_form.Blank] | None = None,
    authority: str = "",
    status: int | None = None,
) -> HTMLResponse | None:
    """The mapping form, or None when no draft can be made (the problem page then)."""
    if draft is None or blanks is None:
        try:
            suggestion: dict[str, Any] = await pool_of(request).run(
                suggest_mapping_job, files["file"], settings_of(request).limits()
            )
        except TelnormError:
            return None
        draft = str(suggestion["mapping"])
        blanks = mapping_form.blanks_of(suggestion["report"])
    carried = {role: item for role, item in files.items() if role != "mapping"}
    return render(
        request,
        "mapping.html",
        lang,
        status=status or status_of(error),
        error=problem_context(error),
        draft=draft,
        blanks=blanks,
        blanks_json=orjson.dumps(
            [{"label": b.label, "location": b.location} for b in blanks]
        ).decode(),
        roles=mapping_form.ROLES,
        layout_blanks=mapping_form.layout_blanks(draft),
        families=mapping_form.FAMILIES,
        authority=authority,
        carried=await _carried(request, carried),
    )


def _wants_mapping(error: TelnormError) -> bool:
    if error.code in MAPPING_CODES:
        return True
    candidates = error.extra.get("candidates") or []
    return error.code == "unsupported-format" and any(
        isinstance(c, Mapping) and c.get("parser") == "tabular" for c in candidates
    )


async def _show(request: Request, lang: str, files: Mapping[str, InputFile]) -> HTMLResponse:
    try:
        result = await _inspect(request, files, with_mapping=False)
    except TelnormError as error:
        if _wants_mapping(error):
            page = await _mapping_page(request, lang, files, error)
            if page is not None:
                return page
        return problem_page(request, lang, error, files)
    return await _result_page(request, lang, files, result)


@router.post("/", response_class=HTMLResponse)
async def upload(request: Request) -> Response:
    lang = i18n.choose(request)
    try:
        # receive_upload is an async generator (typed as the iterator FastAPI expects)
        uploads = cast(
            AsyncGenerator[Upload, None],
            receive_upload(request, UPLOAD_PARTS, max_files=len(UPLOAD_PARTS)),
        )
        # aclosing: the request's temporary folder goes as soon as the page is made
        async with aclosing(uploads):
            async for received in uploads:
                lang = i18n.choose(request, received.fields.get("lang"))
                return await _show(request, lang, _chosen_files(received))
        raise RequestError("No form was received.")  # pragma: no cover - yields once
    except TelnormError as error:
        return problem_page(request, lang, error)
    except Exception as exc:
        return bug_page(request, lang, exc)


def _empty_part(role: str, item: InputFile) -> bool:
    """A file input left empty still arrives: a part with no name and no bytes."""
    return item.filename in (None, "", role) and item.path.stat().st_size == 0


def _chosen_files(received: Upload) -> dict[str, InputFile]:
    files = {role: item for role, item in received.files.items() if not _empty_part(role, item)}
    if "file" not in files:
        raise RequestError(
            "No file was chosen. Choose the result file with the first field, then press "
            "the button."
        )
    return files


# --- posts from the result page -----------------------------------------------------------


@router.post("/web/download")
async def download(request: Request) -> Response:
    lang = i18n.choose(request)
    try:
        async with _form_fields(request) as fields, _folder() as folder:
            lang = _lang_of(request, fields)
            files = await _unpack(request, fields.get("carried", ""), folder)
            output = fields.get("output", "json")
            if output == "mapping":
                return _mapping_file(files)
            params = {key: fields[key] for key in PARAMETERS if fields.get(key, "").strip()}
            try:
                exported = await _export(request, files, output, params)
            except ExportFieldsMissing as error:
                return render(
                    request,
                    "export.html",
                    lang,
                    status=status_of(error),
                    error=problem_context(error),
                    missing=error.extra.get("missing") or [],
                    invalid=error.extra.get("invalid") or [],
                    params=params,
                    output=output,
                    carried=fields.get("carried", ""),
                )
            return Response(
                exported.content,
                media_type=exported.media_type,
                headers={"Content-Disposition": content_disposition(exported.filename)},
            )
    except TelnormError as error:
        return problem_page(request, lang, error)
    except Exception as exc:
        return bug_page(request, lang, exc)


async def _export(
    request: Request, files: Mapping[str, InputFile], output: str, params: Mapping[str, str]
) -> Any:
    """What ``POST /normalise?output=...`` runs on the same files: a canonical document sent
    back is exported as it is, any other file normalised and exported."""
    if output not in FORMATS:
        raise RequestError(f"Unknown download {output!r}; the page offers {', '.join(FORMATS)}.")
    settings = settings_of(request)
    pool = pool_of(request)
    context = {role: files[role] for role in EXPORT_CONTEXT_PARTS if role in files}
    if "mapping" not in files and is_canonical_json(files["file"], False, None):
        return await pool.run(
            canonical_export_job,
            files["file"],
            context,
            settings.limits(),
            output,
            dict(params),
            settings.eml_schema_dir,
        )
    options: dict[str, Any] = {}
    if "mapping" in files:
        options["mapping_file"] = str(files["mapping"].path)
    return await pool.run(
        normalise_export_job,
        files["file"],
        context,
        NormaliseOptions(
            format="tabular" if options else None,
            parser_options=options,
            mappings_dir=settings.mappings_dir,
        ),
        settings.limits(),
        output,
        dict(params),
        settings.eml_schema_dir,
    )


def _mapping_file(files: Mapping[str, InputFile]) -> Response:
    if "mapping" not in files:
        raise RequestError("This upload was read without a mapping: there is none to download.")
    item = files["mapping"]
    return Response(
        item.path.read_bytes(),
        media_type="application/toml",
        headers={"Content-Disposition": content_disposition(item.filename or "mapping.toml")},
    )


@router.post("/web/mapping", response_class=HTMLResponse)
async def retry_with_mapping(request: Request) -> Response:
    lang = i18n.choose(request)
    try:
        async with _form_fields(request) as fields, _folder() as folder:
            lang = _lang_of(request, fields)
            files = await _unpack(request, fields.get("carried", ""), folder)
            draft = fields.get("draft", "")
            blanks = _posted_blanks(fields)
            authority = fields.get("authority", "")
            try:
                text = mapping_form.complete(draft, blanks, authority, fields)
                mapping = folder / "mapping.toml"
                mapping.write_text(text, "utf-8")
                stem = Path(files["file"].filename or "upload").stem
                files = {**files, "mapping": InputFile(mapping, f"{stem}.mapping.toml")}
                result = await _inspect(request, files, with_mapping=True)
            except TelnormError as error:
                page = await _mapping_page(
                    request, lang, files, error, draft=draft, blanks=blanks, authority=authority
                )
                return page or problem_page(request, lang, error)
            return await _result_page(request, lang, files, result)
    except TelnormError as error:
        return problem_page(request, lang, error)
    except Exception as exc:
        return bug_page(request, lang, exc)


def _posted_blanks(fields: Mapping[str, str]) -> list[mapping_form.Blank]:
    try:
        items = orjson.loads(fields.get("blanks", "[]"))
    except orjson.JSONDecodeError:
        items = None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise RequestError("The mapping form was changed or is incomplete; upload the file again.")
    blanks = mapping_form.blanks_of({"unknown": items})
    return mapping_form.answered(blanks, fields)


__all__ = ["CARRY_LIMIT", "router"]
