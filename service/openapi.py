"""OpenAPI fragments shared by routes: request bodies and problem responses."""

from __future__ import annotations

from typing import Any

from telnorm.service.problems import PROBLEM_MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "location": {"type": "object"},
    },
    "additionalProperties": True,
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Bad request (missing file, empty file, unknown option)",
        401: "Missing or wrong bearer token",
        413: "Upload larger than the service accepts",
        406: "None of the media types in Accept can be written",
        415: "File format not recognised",
        422: "The file was recognised but cannot be used (damaged, unsafe, not a count, ...)",
    }
    return {
        status: {
            "description": descriptions.get(status, "Problem"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


def upload_body(parts: dict[str, str]) -> dict[str, Any]:
    """A request body that is either multipart with named file parts or the raw file."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            name: {"type": "string", "format": "binary", "description": text}
                            for name, text in parts.items()
                        },
                    }
                },
                "application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"},
                },
            },
        }
    }


def hoist_schema_defs(spec: dict[str, Any]) -> dict[str, Any]:
    """Move ``$defs`` embedded in operation schemas into ``components.schemas``.

    A pydantic schema built with ``ref_template="#/components/schemas/{model}"`` (the
    canonical document of ``POST /normalise``) refers to components but carries its
    definitions inline under ``$defs``; without this the references dangle and ReDoc stops
    with "Invalid reference token".
    """
    components = spec.setdefault("components", {}).setdefault("schemas", {})

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for name, definition in (node.pop("$defs", None) or {}).items():
                components.setdefault(name, definition)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(spec.get("paths"))
    return spec
