"""``POST /normalise``: any supported file in (or a canonical document back), any output."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from telnorm.parsers.errors import RequestError
from telnorm.service import examples
from telnorm.service.dependencies import CONTEXT_PARTS, NormaliseUploadDep, PoolDep, SettingsDep
from telnorm.service.export import MEDIA_TYPES, PARAMETERS, Exported, negotiate
from telnorm.service.export.disposition import content_disposition
from telnorm.service.export.job import (
    EXPORT_CONTEXT_PARTS,
    canonical_export_job,
    normalise_export_job,
)
from telnorm.service.openapi import CANONICAL_REF, problem_responses, query_parameter, upload_body
from telnorm.service.pipeline import NormaliseOptions
from telnorm.service.query_check import reject_unknown_fields
from telnorm.service.streaming import Spooled, file_response, run_spooled
from telnorm.service.uploads import Upload
from telnorm.service.validation.inputs import declares_json, is_canonical_json

router = APIRouter(tags=["normalise"])

_PARTS = {
    "file": "The count: EML 510, osv4-3 CSV, another CSV, a spreadsheet or a zip bundle; or "
    "a canonical document (JSON) to export again.",
    "candidate_list": "Optional EML 230b: list and candidate names.",
    "election_definition": "Optional EML 110a (or 110b, or OSV's MasterElectionTree.xml): "
    "election and unit names, and each municipality's kieskring for the databank CSV.",
    "polling_stations": "Optional EML 110b: polling-station names and postcodes.",
    "mapping": "Optional mapping file (TOML) for a tabular layout.",
}

#: Export options (docs/export.md), as query parameters or form fields.
_EXPORT_OPTIONS = {
    "election_id": ("Election id for EML, e.g. GR2026_Lindehoven.", "GR2026_Lindehoven"),
    "election_name": ("Election name.", "Gemeenteraad Lindehoven 2026"),
    "election_category": ("Election category (TK, EK, EP, PS, AB, GR, ...).", "GR"),
    "election_subcategory": ("Election subcategory (GR1, GR2, ...).", "GR1"),
    "election_date": ("Election date, YYYY-MM-DD.", "2026-03-18"),
    "election_domain_id": ("Election domain id.", "9901"),
    "election_domain_name": ("Election domain name.", "Lindehoven"),
    "contest_id": ("Contest id (kieskring number, geen, alle).", "geen"),
    "contest_name": ("Contest name.", "Lindehoven"),
    "authority_id": ("Managing authority id (CBS code).", "9901"),
    "authority_name": ("Managing authority name.", "Lindehoven"),
    "creation_time": ("EML creation time: ISO 8601, or now.", "2026-03-19T12:00:00"),
    "transaction_id": ("EML transaction id.", "1"),
    "missing_counts": (
        "error (default): a count EML needs and the file lacks is a 422; zero: write 0.",
        "error",
    ),
    "region_code": ("Databank CSV: region code of the unit.", "GM9901"),
    "parent_region_code": ("Databank CSV: parent region code.", "KR06"),
    "grandparent_region_code": ("Databank CSV: grandparent region code.", "NL"),
    "neutralise_formulas": (
        "Databank CSV: true puts a ' before every text cell that begins with =, +, -, @ (a "
        "spreadsheet would run it as a formula; rule S.107).",
        "true",
    ),
}

_EXPORT_PARAMETERS = [
    query_parameter(name, f"Export option: {text}", example)
    for name, (text, example) in _EXPORT_OPTIONS.items()
]

_DISPOSITION = {
    "Content-Disposition": {
        "description": "attachment; filename=... (EML, osv4-3 and databank output)",
        "schema": {"type": "string"},
    }
}

_CSV_EXAMPLE = (
    "Verkiezing;Gemeenteraad Lindehoven 2026\n"
    "...\n"
    "Lijstnummer;Aanduiding;Volgnummer;Naam kandidaat;SB1;Totaal\n"
    "1;Lindehoven Lokaal;1;Jansen, A.;700;700\n"
)

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The canonical document (JSON Schema: GET /schema), or the export "
        "asked for with Accept or output=",
        "headers": _DISPOSITION,
        "content": {
            "application/json": {"schema": CANONICAL_REF, "example": examples.CANONICAL_DOCUMENT},
            MEDIA_TYPES["eml"]: {
                "schema": {"type": "string", "description": "EML_NL 1.2.2 510a-d"},
                "example": '<?xml version="1.0" encoding="UTF-8"?>\n<EML Id="510b" ...>...</EML>',
            },
            MEDIA_TYPES["osv4-3"]: {
                "schema": {"type": "string", "description": "The municipal osv4-3 CSV"},
                "example": _CSV_EXAMPLE,
            },
            MEDIA_TYPES["databank"]: {
                "schema": {"type": "string", "description": "The databank import CSV"},
                "example": "Regio;RegioCode;OuderRegioCode;...\n",
            },
        },
    },
    **problem_responses(400, 406, 413, 415, 422),
}


#: Parser options a multipart body may carry as text fields (as well as query parameters).
PARSER_FIELDS = ("mapping", "member", "sheet", "delimiter", "corrections")


def parser_options(
    mapping: str | None,
    member: str | None,
    sheet: str | None,
    upload_fields: dict[str, str],
    delimiter: str | None = None,
) -> dict[str, str]:
    given = {"mapping": mapping, "member": member, "sheet": sheet, "delimiter": delimiter}
    # corrections: the values a user gives for a PDF record's doubtful numbers (docs/pdf.md)
    wanted = (*given, "corrections")
    options = {k: v for k, v in upload_fields.items() if k in wanted}
    for key, value in given.items():
        if value is not None:
            options[key] = value
    return options


def _download(spooled: Spooled) -> Response:
    """An export, streamed from the worker's file; its name (made from the file's data) as
    RFC 6266/8187 ``filename*`` with a safe ASCII fallback."""
    exported: Exported = spooled.meta
    headers = {"Content-Disposition": content_disposition(exported.filename)}
    if exported.notes:
        # Non-JSON answers have no notes array: what the writer chose (an EML creation
        # time) or could not fill (databank rows) goes in a header, on one line. Notes name
        # regions (Lindehövén), and a header byte outside ASCII is read differently by every
        # client, so such characters are percent-encoded as UTF-8, never replaced or lost.
        text = " | ".join(" ".join(note.split()) for note in exported.notes)
        headers["Telnorm-Notes"] = "".join(
            char if " " <= char <= "~" and char != "%" else quote(char, safe="") for char in text
        )
    return file_response(spooled, exported.media_type, headers)


def _refuse_source_options(upload: Upload, options: dict[str, str], locations: bool) -> None:
    """Options that read a source file mean nothing for a canonical document: a 400, never
    ignored."""
    given = sorted(options) + (["locations"] if locations else [])
    parts = sorted(set(upload.files) - {"file", *EXPORT_CONTEXT_PARTS})
    if not given and not parts:
        return
    raise RequestError(
        "The file is a canonical document (JSON), exported again as it is: "
        + (f"the option(s) {', '.join(given)} read a source file; " if given else "")
        + (f"the part(s) {', '.join(parts)} are for normalising one; " if parts else "")
        + "leave them out (a candidate_list part may still supply names, an "
        "election_definition part the databank CSV's districts), or send the "
        "source file instead.",
        options=given,
        parts=parts,
    )


@router.post(
    "/normalise",
    operation_id="normalise",
    summary="Normalise a result file (or export a canonical document again)",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra=upload_body(
        _PARTS,
        fields={
            **{name: text for name, (text, _) in _EXPORT_OPTIONS.items()},
            "corrections": "PDF records: the values of the numbers a doubtful-numbers "
            "problem listed, a JSON object of id -> number (docs/pdf.md).",
        },
        parameters=_EXPORT_PARAMETERS,
        canonical=True,
    ),
)
async def normalise(
    request: Request,
    upload: NormaliseUploadDep,
    pool: PoolDep,
    settings: SettingsDep,
    output: Annotated[
        str | None,
        Query(
            description="json, eml, osv4-3 or databank; overrides the Accept header.",
            examples=["osv4-3"],
        ),
    ] = None,
    format: Annotated[str | None, Query(description="Parser name; skips detection.")] = None,
    locations: Annotated[bool, Query(description="Add the source-location map.")] = False,
    mapping: Annotated[str | None, Query(description="Mapping id for a tabular file.")] = None,
    member: Annotated[str | None, Query(description="Zip member to read.")] = None,
    sheet: Annotated[str | None, Query(description="Spreadsheet sheet to read.")] = None,
    delimiter: Annotated[
        str | None,
        Query(description="The separator of a CSV (one character), instead of detecting it."),
    ] = None,
) -> Response:
    """Reads the file (EML 510, osv4-3 CSV, any CSV or spreadsheet, a zip bundle), detects
    its format unless `format=` names the parser, and answers the canonical document, or
    the format asked for with `Accept` or `output=`: EML_NL 510 (`application/xml`), the
    osv4-3 CSV (`text/csv`) or the databank CSV (`text/csv; profile=databank`).

    **Re-export**: a canonical document (JSON: sent as `application/json`, named `.json`,
    or starting with `{`) is not parsed again but checked against the canonical JSON
    Schema (422 listing each violation with its JSON Pointer) and written in the format
    asked for, so a client that kept the JSON never resends the source. Source options
    (`locations`, `mapping`, `member`, `sheet`, `delimiter`, context parts other than
    `candidate_list`) are then a 400.

    Export options (`election_id=`, `creation_time=`, ...) come as query parameters or
    form fields; see docs/export.md."""
    reject_unknown_fields(upload.fields, (*PARSER_FIELDS, *PARAMETERS))
    main = upload.main()
    options = parser_options(mapping, member, sheet, upload.fields, delimiter)
    if "mapping" in upload.files:
        options["mapping_file"] = str(upload.files["mapping"].path)
    # Decide the output before parsing, so an unwritable Accept is a quick 406.
    to = negotiate(request.headers.get("accept"), output)
    # Export options (election_id=, creation_time=, ...) come as query or form fields.
    params = {**upload.fields, **request.query_params}
    export_params = {key: str(params[key]) for key in PARAMETERS if key in params}
    declared = declares_json(request.headers.get("content-type", ""))
    if is_canonical_json(main, declared, format):
        _refuse_source_options(upload, options, locations)
        request.state.parser = "canonical"
        spooled = await run_spooled(
            pool,
            upload.folder,
            canonical_export_job,
            main,
            upload.context(EXPORT_CONTEXT_PARTS),
            settings.limits(),
            to,
            export_params,
            settings.eml_schema_dir,
        )
        return _download(spooled) if to != "json" else file_response(spooled, MEDIA_TYPES["json"])
    normalise_options = NormaliseOptions(
        format=format,
        locations=locations,
        parser_options=options,
        mappings_dir=settings.mappings_dir,
    )
    request.state.parser = format or "auto"
    # JSON too is written by the export job: a unit at a time into the worker's spool file
    spooled = await run_spooled(
        pool,
        upload.folder,
        normalise_export_job,
        main,
        upload.context(CONTEXT_PARTS),
        normalise_options,
        settings.limits(),
        to,
        export_params if to != "json" else {},  # the canonical document takes none
        settings.eml_schema_dir,
    )
    exported: Exported = spooled.meta
    request.state.parser = exported.parser or request.state.parser  # the metrics label
    if to != "json":
        return _download(spooled)
    return file_response(spooled, MEDIA_TYPES["json"])
