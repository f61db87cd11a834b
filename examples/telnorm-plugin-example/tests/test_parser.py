"""What the TelStaat parser makes of its samples, value by value."""

from pathlib import Path

import pytest
from telnorm_telstaat import TelStaatParser

from telnorm.parsers import InvalidValue, StructureError
from telnorm.parsers.testing import assert_canonical, normalise_with

SAMPLES = Path(__file__).parent.parent / "src" / "telnorm_telstaat" / "samples"
ERRORS = Path(__file__).parent / "errors"


def test_full_sample() -> None:
    document = normalise_with(TelStaatParser(), SAMPLES / "lindewaarde_gr2026.txt")
    assert_canonical(document)
    assert document["election"]["id"] == "GR2026_Lindewaarde"
    assert document["managing_authority"] == {"id": "9903", "name": "Lindewaarde"}
    assert [a["name"] for a in document["affiliations"]] == [
        "Lindewaarde Lokaal",
        "Groen Lindewaarde",
        "Dorpsbelang",
    ]
    first = document["reporting_unit_votes"][0]
    assert first["id"] == "9903::SB1"
    assert first["name"] == "Stembureau Raadhuis"
    assert first["postal_code"] == "9903 AB"
    assert first["rejected_votes"] == {"blanco": 4, "ongeldig": 2}
    assert first["uncounted_votes"]["geldige stempassen"] == 689
    total = document["total_votes"]
    assert total["cast"] == 1250 + 980
    assert total["votes_cast"] == 703 + 549
    assert [s["valid_votes"] for s in total["selections"]] == [511, 356, 375]
    assert total["selections"][0]["candidates"] == [
        {"candidate_id": "1", "valid_votes": 430},
        {"candidate_id": "2", "valid_votes": 81},
    ]
    assert document["source"]["parser"] == {"name": "telstaat", "version": "1.0.0"}
    assert "derived-total" in {note["code"] for note in document["notes"]}


def test_a_number_a_station_does_not_state_is_not_summed() -> None:
    document = normalise_with(TelStaatParser(), SAMPLES / "lindewaarde_gr2026_minimaal.txt")
    assert document["total_votes"]["cast"] is None
    assert document["reporting_unit_votes"][0]["number"] == 7


def test_locations_point_at_lines() -> None:
    document = normalise_with(TelStaatParser(), SAMPLES / "lindewaarde_gr2026.txt", locations=True)
    locations = document["locations"]
    assert locations["/reporting_unit_votes/0/selections/0/valid_votes"] == {
        "line": 32,
        "column": 11,
    }
    assert locations["/reporting_unit_votes/1/cast"]["line"] == 42


def test_errors_say_where() -> None:
    with pytest.raises(InvalidValue) as bad_count:
        normalise_with(TelStaatParser(), ERRORS / "telling_met_letters.txt")
    assert bad_count.value.location == {"line": 10, "column": 11}
    with pytest.raises(StructureError) as unknown_list:
        normalise_with(TelStaatParser(), ERRORS / "onbekende_lijst.txt")
    assert unknown_list.value.location == {"line": 11, "column": 11}
