"""Every sample in samples/tabular gives exactly its expected canonical numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES, assert_canonical
from tests.tabular.helpers import run

TABULAR = SAMPLES / "tabular"
EXPECTED = sorted(TABULAR.glob("*.expected.json"))


def sample_input(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    found = [p for p in TABULAR.glob(stem + ".*") if not p.name.endswith(".expected.json")]
    assert len(found) == 1, found
    return found[0]


def normalise_sample(expected_path: Path, **extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    meta = expected.pop("_sample")
    context = {role: TABULAR / name for role, name in meta.get("context", {}).items()}
    options = dict(meta.get("options", {}))
    if meta.get("mapping"):
        options["mapping"] = meta["mapping"]
    document = run(sample_input(expected_path), context=context, **options, **extra)
    return document, expected


def test_every_family_has_a_sample() -> None:
    names = [p.name for p in EXPECTED]
    for family in ("a_", "b_", "c_", "d_"):
        assert any(n.startswith(family) for n in names), family
    suffixes = {sample_input(p).suffix for p in EXPECTED}
    assert {".csv", ".xlsx", ".ods", ".xls", ".tsv"} <= suffixes


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_sample_gives_expected_numbers(expected_path: Path) -> None:
    document, expected = normalise_sample(expected_path)
    assert_canonical(document)
    for key, value in expected.items():
        assert document[key] == value, key
    cells = document["source"]["cells"]
    assert cells["read"] == cells["mapped"] + cells["left_over"]
    left = sum(
        len(n["location"].get("cells") or n["location"].get("columns") or [])
        for n in document["notes"]
        if n["code"] == "cells-left-over"
    )
    assert left == cells["left_over"]


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_sample_locations_point_at_the_value(expected_path: Path) -> None:
    document, expected = normalise_sample(expected_path, locations=True)
    locations = document["locations"]
    assert "/reporting_unit_votes/0/selections/0/valid_votes" in locations
    if expected["reporting_unit_votes"][1]["cast"] is None:
        return  # a sample without statistics (a pivot export): the votes are located above
    location = locations["/reporting_unit_votes/1/cast"]
    assert ("sheet" in location and "cell" in location) or ("line" in location)


def test_a_xlsx_without_candidate_list_keeps_names_and_says_so() -> None:
    path = TABULAR / "a_lindehoven_names.xlsx"
    document = run(path)
    assert [a["name"] for a in document["affiliations"]] == ["Lindehoven Lokaal", "VVD", "GL/PvdA"]
    notes = [n for n in document["notes"] if n["code"] == "list-resolved"]
    assert all(n["location"]["confidence"] == 0.0 for n in notes)
    assert any(n["code"] == "no-candidate-list" for n in document["notes"])


def test_mapping_selected_by_fingerprint() -> None:
    path = TABULAR / "lindehoven_mapping_export.csv"
    document = run(path, context={"candidate_list": TABULAR / "lindehoven.230b.eml.xml"})
    assert document["source"]["mapping"] == {"id": "lindehoven-2026", "version": "1"}
    assert document["election"]["id"] == "GR2026_Lindehoven"
