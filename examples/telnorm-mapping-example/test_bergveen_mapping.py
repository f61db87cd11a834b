"""The Bergveen mapping reads the Bergveen export exactly (run with pytest in this folder)."""

from pathlib import Path

from telnorm.parsers.tabular import TabularParser
from telnorm.parsers.testing import assert_canonical, normalise_with

HERE = Path(__file__).parent
EXPORT = HERE / "bergveen_2026.csv"
MAPPING = HERE / "bergveen-2026.toml"


def test_the_mapping_reads_every_number() -> None:
    document = normalise_with(TabularParser(), EXPORT, {"mapping_file": str(MAPPING)})
    assert_canonical(document)
    assert document["source"]["mapping"] == {"id": "bergveen-2026", "version": "1"}
    assert document["managing_authority"] == {"id": "9906", "name": "Bergveen"}
    assert document["election"]["id"] == "GR2026_Bergveen"
    first, second = document["reporting_unit_votes"]
    assert (first["id"], first["name"], first["cast"]) == ("9906::SB1", "Raadhuis", 1200)
    assert second["rejected_votes"] == {"blanco": 1, "ongeldig": 4}
    assert [s["valid_votes"] for s in second["selections"]] == [300, 299]
    assert [s["valid_votes"] for s in document["total_votes"]["selections"]] == [710, 679]
    assert document["source"]["cells"]["left_over"] == 0


def test_without_the_mapping_the_eligible_voters_are_not_read() -> None:
    document = normalise_with(TabularParser(), EXPORT)
    assert document["reporting_unit_votes"][0]["cast"] is None
