"""``telnorm apportion``: seats from the 110a, names from the 230b, exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from telnorm.service.cli import cli

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "eml"


def corpus(*parts: str) -> str:
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus file not available: {path}")
    return str(path)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["apportion", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def test_seats_and_threshold_from_the_election_definition() -> None:
    count = corpus("apportionment", "Telling_GR2022_NoordBeveland.eml.xml")
    definition = corpus("110a", "Verkiezingsdefinitie_GR2026_Stadskanaal.eml.xml")
    status, out = run(count, "--election-definition", definition)
    assert status == 0
    result = json.loads(out)
    assert result["seats"] == 23  # kr:NumberOfSeats of the 110a
    assert result["preference_threshold"]["percent"] == 25  # kr:PreferenceThreshold
    assert result["residual_method"] == "largest_averages"
    assert sum(item["seats"] for item in result["lists"]) == 23
    status, out = run(count, "--election-definition", definition, "--seats", "13")
    assert json.loads(out)["seats"] == 13  # --seats wins


def test_names_from_the_candidate_list() -> None:
    count = corpus("510b", "Telling_GR2022_WestMaasenWaal.eml.xml")
    roster = corpus("230b", "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml")
    status, out = run(count, "--candidate-list", roster, "--seats", "19")
    assert status == 0
    result = json.loads(out)
    assert all(e["name"] for e in result["elected"])
    assert len(result["elected"]) == 19
    assert all(item["candidates"] for item in result["lists"])
    assert not any("taken from the count" in note for note in result["notes"])


def test_a_tie_exits_1_and_text_says_so(tmp_path: Path) -> None:
    document = {
        "format_version": "1",
        "document": {"eml_id": None, "level": "municipality"},
        "election": {"id": "GR2026_Gelijkstad", "category": "GR"},
        "contest": {"id": "geen"},
        "managing_authority": {"id": "0999", "name": "Gelijkstad"},
        "affiliations": [{"id": str(i), "name": f"Lijst {i}", "candidates": []} for i in (1, 2, 3)],
        "total_votes": {
            "cast": None,
            "total_counted": 900,
            "rejected_votes": {},
            "uncounted_votes": {},
            "selections": [
                {
                    "affiliation_id": str(i),
                    "valid_votes": 300,
                    "candidates": [{"candidate_id": "1", "valid_votes": 300}],
                }
                for i in (1, 2, 3)
            ],
        },
        "reporting_unit_votes": [],
        "source": {},
        "notes": [],
    }
    path = tmp_path / "gelijk.json"
    path.write_text(json.dumps(document))
    status, out = run(str(path), "--seats", "2", "--format", "text")
    assert status == 1
    assert "TIE (P 8 lid 2)" in out
    status, _ = run(str(path))  # GR without seats: refused, not guessed
    assert status == 2
