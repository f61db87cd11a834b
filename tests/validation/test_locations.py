"""Source locations of findings (:class:`telnorm.service.validation.model.Locator`)."""

from __future__ import annotations

from telnorm.service.validation.model import Locator

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
