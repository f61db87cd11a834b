"""Problem types: the parser-layer errors carry no HTTP status; the service maps codes to
statuses in one place, and ``GET /problems`` is built from the error classes."""

from __future__ import annotations

import inspect

from fastapi.testclient import TestClient

from telnorm.parsers import errors
from telnorm.parsers.errors import (
    BinaryInput,
    EmptyInput,
    ExportSchemaViolation,
    InvalidCount,
    ParseTimeout,
    TelnormError,
    UnsupportedFormat,
)
from telnorm.service.problems import STATUS_BY_CODE, problem_document, status_of


def _error_classes() -> list[type[TelnormError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, TelnormError) and cls.__module__ == errors.__name__
    ]


def test_parser_errors_carry_no_http_status() -> None:
    for cls in _error_classes():
        assert "status" not in vars(cls), cls.__name__
        assert not hasattr(cls, "to_problem"), cls.__name__


def test_statuses_follow_the_class_tree() -> None:
    assert status_of(EmptyInput) == 400
    assert status_of(BinaryInput) == status_of(UnsupportedFormat) == 415
    assert status_of(ParseTimeout) == 422
    assert status_of(InvalidCount("x")) == 422
    assert status_of(ExportSchemaViolation) == 500

    class PluginFormatError(UnsupportedFormat):
        code = "telstaat-unreadable"

    assert status_of(PluginFormatError("x")) == 415
    assert set(STATUS_BY_CODE) >= {"bad-request", "not-found", "unsupported-format"}


def test_problem_document_of_an_error() -> None:
    error = InvalidCount("Cell B3 holds 'x'.", location={"sheet": "S", "cell": "B3"}, value="x")
    assert problem_document(error, "/normalise") == {
        "type": "/problems/invalid-count",
        "title": InvalidCount.title,
        "status": 422,
        "detail": "Cell B3 holds 'x'.",
        "code": "invalid-count",
        "instance": "/normalise",
        "location": {"sheet": "S", "cell": "B3"},
        "value": "x",
    }


def test_catalogue_lists_every_error_class(client: TestClient) -> None:
    listed = {item["code"]: item for item in client.get("/problems").json()}
    for cls in _error_classes():
        assert cls.code in listed, cls.__name__
        assert listed[cls.code]["status"] == status_of(cls)
        assert listed[cls.code]["title"] == cls.title
