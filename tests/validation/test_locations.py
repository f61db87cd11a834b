"""Source locations of findings (:class:`telnorm.service.validation.model.Locator`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from telnorm.service.pipeline import InputFile
from telnorm.service.validation.model import Locator
from tests.conftest import SAMPLES

TOTAL = "/EML/Count/Election/Contests/Contest/TotalVotes"
UNIT = "/EML/Count/Election/Contests/Contest/ReportingUnitVotes"

LOCATIONS = {
    "/total_votes/selections/0/valid_votes": {
        "line": 3,
        "xpath": f"{TOTAL}/Selection[1]/ValidVotes",
    },
    "/total_votes/cast": {"line": 5, "xpath": f"{TOTAL}/Cast"},
    "/total_votes/rejected_votes/ongeldig": {
        "line": 6,
        "xpath": f"{TOTAL}/RejectedVotes[@ReasonCode='ongeldig']",
    },
    "/reporting_unit_votes/0/cast": {"line": 9, "xpath": f"{UNIT}[1]/Cast"},
    "/reporting_unit_votes/0/uncounted_votes/x": {
        "line": 10,
        "xpath": f"{UNIT}[1]/UncountedVotes[@ReasonCode='x']",
    },
    "/reporting_unit_votes/1/selections/0/valid_votes": {"sheet": "Blad1", "cell": "G20"},
}


def test_a_stated_value_keeps_its_own_location() -> None:
    locate = Locator(LOCATIONS)
    assert locate("/total_votes/cast") == LOCATIONS["/total_votes/cast"]


def test_a_missing_reason_code_is_near_one_of_its_family() -> None:
    found = Locator(LOCATIONS)("/total_votes/rejected_votes/ongeldig-anders")
    assert found == {
        **LOCATIONS["/total_votes/rejected_votes/ongeldig"],
        "nearest": "/total_votes/rejected_votes/ongeldig",
    }


def test_a_missing_family_is_the_group_element_not_a_sibling_element() -> None:
    found = Locator(LOCATIONS)("/total_votes/uncounted_votes/x")
    # Not TotalVotes/Cast, and not the unit's UncountedVotes: the TotalVotes element itself.
    assert found == {"xpath": TOTAL, "nearest": "/total_votes"}


def test_a_missing_list_is_near_the_first_list() -> None:
    found = Locator(LOCATIONS)("/total_votes/selections")
    assert found["nearest"] == "/total_votes/selections/0/valid_votes"


def test_a_whole_unit_is_its_element() -> None:
    assert Locator(LOCATIONS)("/reporting_unit_votes/0") == {"xpath": f"{UNIT}[1]"}


def test_a_spreadsheet_group_is_its_first_stated_cell_marked_nearest() -> None:
    found = Locator(LOCATIONS)("/reporting_unit_votes/1/total_counted")
    assert found == {
        "sheet": "Blad1",
        "cell": "G20",
        "nearest": "/reporting_unit_votes/1/selections/0/valid_votes",
    }


def test_another_units_values_are_never_used() -> None:
    assert Locator(LOCATIONS)("/reporting_unit_votes/2/total_counted") is None
    assert Locator(LOCATIONS)("/election/id") is None


# --- one read: a parser that defers its locations -------------------------------------------


def _reads(monkeypatch: Any, path: Path) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """How often validation normalised ``path`` (locations=auto), its report, and the report
    with locations=always (the whole map in the document, one read by definition)."""
    from telnorm.service.validation import inputs

    calls: list[int] = []
    real = inputs.normalise

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(inputs, "normalise", counting)
    document, auto = inputs.validate_document(inputs.ValidateRequest(main=InputFile(path)))
    assert "locations" not in document  # used for the report, not handed on
    monkeypatch.undo()
    always = inputs.validate_document(
        inputs.ValidateRequest(main=InputFile(path), locations="always")
    )[1]
    return len(calls), auto, always


@pytest.mark.parametrize("name", ["pivot_lindehoven_crlf.csv", "lindehoven_mapping_export.csv"])
def test_a_tabular_file_with_findings_is_read_once(monkeypatch: Any, name: str) -> None:
    reads, auto, always = _reads(monkeypatch, SAMPLES / "tabular" / name)
    assert auto["findings"], "the sample should have findings to locate"
    assert reads == 1
    assert auto == always
    assert any(f["location"]["source"] for f in auto["findings"])
