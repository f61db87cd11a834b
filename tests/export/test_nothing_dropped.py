"""A CSV writer never drops a number it has no place for: it names it in a 422 instead."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from telnorm.parsers.errors import ExportFieldsMissing
from telnorm.service.export import ExportOptions, export
from tests.export.helpers import base_document

OPTIONS = ExportOptions(region_code="G0999", parent_region_code="K1")


def _problems(document: dict[str, Any], to: str) -> list[dict[str, str]]:
    with pytest.raises(ExportFieldsMissing) as caught:
        export(document, to, OPTIONS)
    invalid: list[dict[str, str]] = caught.value.extra["invalid"]
    return invalid


@pytest.mark.parametrize("to", ["osv4-3", "databank"])
def test_unknown_rejected_code_is_refused(to: str) -> None:
    document = base_document()
    document["reporting_unit_votes"][0]["rejected_votes"]["ongeldig-anders"] = 7
    invalid = _problems(document, to)
    assert [p["value"] for p in invalid] == ["ongeldig-anders"]
    assert invalid[0]["pointer"] == "/reporting_unit_votes/0/rejected_votes"


def test_unknown_uncounted_code_is_refused_by_osv4_3() -> None:
    document = base_document()
    document["total_votes"]["uncounted_votes"]["nieuwe code"] = 9
    assert [p["value"] for p in _problems(document, "osv4-3")] == ["nieuwe code"]


@pytest.mark.parametrize("to", ["osv4-3", "databank"])
def test_a_list_or_candidate_stated_twice_is_refused(to: str) -> None:
    document = base_document()
    unit = document["reporting_unit_votes"][1]
    unit["selections"].append(copy.deepcopy(unit["selections"][0]))
    first = document["reporting_unit_votes"][0]["selections"][0]
    first["candidates"].append(dict(first["candidates"][0]))
    problems = {p["problem"] for p in _problems(document, to)}
    assert problems == {
        "the list is stated twice in this unit",
        "the candidate is stated twice in this list",
    }


@pytest.mark.parametrize("to", ["osv4-3", "databank"])
def test_a_clean_document_still_exports(to: str) -> None:
    assert export(base_document(), to, OPTIONS).content
