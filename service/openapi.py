"""The OpenAPI document: fragments routes share, and the pass that completes the document.

FastAPI builds the document from the routes; :func:`complete` then makes it whole and
correct for client generators, generically over every route (routes added later included):

* the canonical document's models are components (``GET /schema`` and the 200 of
  ``/normalise`` refer to the same definitions), so every ``$ref`` resolves;
* every error response is ``application/problem+json`` with one shared ``Problem`` schema;
* every operation documents the 400 of an unknown query parameter and the 503 of a full
  work queue, and, when tokens are configured, the bearer security scheme and its 401.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from telnorm.parsers.canonical import FORMAT_VERSION, CanonicalDocument
from telnorm.service.problems import PROBLEM_MEDIA_TYPE
from telnorm.service.version import HTTP_API_VERSION, NORMALISER_VERSION

COMPONENTS = "#/components/schemas/"
PROBLEM_REF = {"$ref": COMPONENTS + "Problem"}
CANONICAL_REF = {"$ref": COMPONENTS + "CanonicalDocument"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem document. `type` is stable (GET /problems lists every "
    "one); members beyond the standard ones depend on the type.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "/problems/{code}"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Last segment of `type`."},
        "instance": {"type": "string"},
        "location": {
            "type": "object",
            "description": "Where in the input: {line, column}, {sheet, cell}, {line, "
            "xpath} or {pointer} (a JSON Pointer into a canonical document).",
            "additionalProperties": True,
        },
        "errors": {
            "type": "array",
            "description": "Every violation, for problems that list several (each with "
            "its JSON Pointer for a canonical document).",
            "items": {"type": "object", "additionalProperties": True},
        },
    },
    "additionalProperties": True,
    "example": {
        "type": "/problems/unknown-parameter",
        "title": "Unknown query parameter",
        "status": 400,
        "detail": "This endpoint does not know the query parameter(s) locatoins; it takes "
        "format, locations, output. Check the spelling.",
        "code": "unknown-parameter",
        "instance": "/normalise",
        "unknown": ["locatoins"],
        "accepted": ["format", "locations", "output"],
    },
}

_DESCRIPTIONS = {
    400: "Bad request (missing file, empty file, unknown option or query parameter)",
    401: "Missing or wrong bearer token",
    404: "No such resource",
    406: "None of the media types in Accept can be written",
    413: "Upload larger than the service accepts",
    415: "File format not recognised",
    422: "The file was recognised but cannot be used (damaged, unsafe, not a count, not a "
    "valid canonical document, ...)",
    500: "telnorm failed (a bug, not the caller's input)",
    503: "Every worker is busy and the work queue is full (see Retry-After), or not ready",
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}


#: Named schemas routes declare with :func:`component`; :func:`complete` adds them.
_NAMED: dict[str, dict[str, Any]] = {}


def component(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Register ``schema`` as ``components.schemas[name]``; returns a ``$ref`` to it (a named
    model in generated clients instead of an anonymous one per operation)."""
    if _NAMED.setdefault(name, schema) is not schema:
        raise ValueError(f"two schemas are called {name!r}")
    return {"$ref": COMPONENTS + name}


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description or _DESCRIPTIONS.get(status, "Problem"),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }
    if status == 503:
        response["headers"] = _RETRY_AFTER
    return response


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: problem_response(status) for status in statuses}


def query_parameter(
    name: str, description: str, example: str | None = None, schema: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An ``in: query`` parameter for ``openapi_extra`` (one the route reads itself; the
    unknown-parameter check accepts it because it is declared here)."""
    parameter: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }
    if example is not None:
        parameter["example"] = example
    return parameter


FILENAME_PARAMETER = query_parameter(
    "filename",
    "The file's name when the body is the raw file (multipart parts carry their own); it "
    "helps detection and names the output.",
    "Telling_GR2022_WestMaasenWaal.eml.xml",
)


def upload_body(
    parts: dict[str, str],
    fields: dict[str, str] | None = None,
    parameters: list[dict[str, Any]] | None = None,
    canonical: bool = False,
) -> dict[str, Any]:
    """A request body that is either multipart with named file parts (and text ``fields``)
    or the raw file, plus the ``filename`` query parameter and any extra ``parameters``.
    ``canonical``: the raw body may also be a canonical document sent as JSON."""
    properties: dict[str, Any] = {
        name: {"type": "string", "format": "binary", "description": text}
        for name, text in parts.items()
    }
    properties.update(
        {name: {"type": "string", "description": text} for name, text in (fields or {}).items()}
    )
    content: dict[str, Any] = {
        "multipart/form-data": {
            "schema": {"type": "object", "required": ["file"], "properties": properties}
        },
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    }
    if canonical:
        content["application/json"] = {"schema": CANONICAL_REF}
    return {
        "parameters": [FILENAME_PARAMETER, *(parameters or [])],
        "requestBody": {"required": True, "content": content},
    }


def canonical_components() -> dict[str, Any]:
    """The canonical document's models as components, referring to each other there."""
    schema = CanonicalDocument.model_json_schema(
        mode="serialization", ref_template=COMPONENTS + "{model}"
    )
    components: dict[str, Any] = schema.pop("$defs", {})
    components["CanonicalDocument"] = schema
    return components


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _operations(path_item: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for method, operation in path_item.items() if method in _METHODS]


def _fix_responses(operation: dict[str, Any], secured: bool, open_operation: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for code, response in list(responses.items()):
        if code != "default" and int(code) >= 400:
            description = response.get("description")
            if description in (None, "Validation Error"):  # FastAPI's own 422
                description = _DESCRIPTIONS[422]
            responses[code] = problem_response(int(code), description)
    needed = [400, 503] + ([401] if secured and not open_operation else [])
    for status in needed:
        responses.setdefault(str(status), problem_response(status))


def complete(document: dict[str, Any], secured: bool, open_paths: frozenset[str]) -> dict[str, Any]:
    """Make FastAPI's document whole (see the module docstring); returns it."""
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas.update(canonical_components())
    schemas.update(_NAMED)
    schemas["Problem"] = PROBLEM_SCHEMA
    for path, item in document.get("paths", {}).items():
        for operation in _operations(item):
            _fix_responses(operation, secured, path in open_paths)
            if secured and path in open_paths:
                operation["security"] = []
    if secured:
        document["components"]["securitySchemes"] = {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from TELNORM_AUTH_TOKENS or TELNORM_AUTH_TOKENS_FILE.",
            }
        }
        document["security"] = [{"bearerAuth": []}]
    info = document.setdefault("info", {})
    info["x-telnorm-format-version"] = FORMAT_VERSION
    info["x-telnorm-normaliser-version"] = NORMALISER_VERSION
    return document


def install(app: FastAPI, secured: bool, open_paths: frozenset[str]) -> None:
    """Serve the completed document at ``/openapi.json`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(FastAPI.openapi(app), secured, open_paths)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


API_DESCRIPTION = f"""\
telnorm turns Dutch municipal election result files (EML_NL 510, the osv4-3 CSV,
spreadsheets, zip bundles) into one canonical JSON document (format version
{FORMAT_VERSION}), validates it, and exports it as EML 510, osv4-3 CSV or databank CSV.

Every response carries `Telnorm-API-Version` (this document's `info.version`) and
`Telnorm-Format-Version` (the canonical document's `format_version`). Errors are RFC 9457
problem documents (`application/problem+json`, schema `Problem`); `GET /problems` lists every
type. What may change without a version bump: docs/api.md.
"""

__all__ = [
    "API_DESCRIPTION",
    "CANONICAL_REF",
    "HTTP_API_VERSION",
    "PROBLEM_REF",
    "PROBLEM_SCHEMA",
    "canonical_components",
    "complete",
    "component",
    "install",
    "problem_response",
    "problem_responses",
    "query_parameter",
    "upload_body",
]
