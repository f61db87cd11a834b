"""Shared helpers of the PDF tests: the samples, the pipeline, tesseract's presence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from telnorm.parsers.api import Limits
from telnorm.parsers.registry import default_registry
from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise
from tests.conftest import SAMPLES

PDF_SAMPLES = SAMPLES / "pdf"

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-nld; "
    "scripts/system-deps does it on CI)",
)


def sample(name: str) -> Path:
    return PDF_SAMPLES / name


def expected(name: str) -> dict[str, Any]:
    path = PDF_SAMPLES / name.replace(".pdf", ".expected.json")
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def read(path: Path, *, locations: bool = False, **options: Any) -> dict[str, Any]:
    """The document the service would return for the file (detection included)."""
    return normalise(
        InputFile(path, path.name),
        {},
        NormaliseOptions(locations=locations, parser_options=options),
        Limits(),
        default_registry(),
    )


def assert_numbers(document: dict[str, Any], want: dict[str, Any]) -> None:
    """Every number of the truth table, exactly; nothing more in the groups compared."""
    assert document["document"]["level"] == want["level"]
    for key in ("id", "category", "date"):
        if "election" in want:
            assert document["election"][key] == want["election"][key]
    if "affiliations" in want:
        got = [
            {"id": a["id"], "name": a["name"], "candidates": [c["name"] for c in a["candidates"]]}
            for a in document["affiliations"]
        ]
        assert got == want["affiliations"]
    _group(document["total_votes"], want["total_votes"])
    units = want.get("reporting_unit_votes")
    if units is not None:
        assert [u["name"] for u in document["reporting_unit_votes"]] == want["stations"]
        for unit, truth in zip(document["reporting_unit_votes"], units, strict=True):
            _group(unit, truth)


def _group(group: dict[str, Any], truth: dict[str, Any]) -> None:
    for key, value in truth.items():
        if key == "selections":
            assert group["selections"] == value
        elif isinstance(value, dict):
            assert group[key] == value, key
        else:
            assert group[key] == value, key
