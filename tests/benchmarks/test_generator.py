"""The benchmark generator (benchmarks/generate_eml.py) on a small file: it is deterministic,
its arithmetic is consistent (sums computed here, independently, from the XML with plain
lxml), and telnorm normalises it to the same numbers. Not a timed test: the benchmark itself
is ``benchmarks/run.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from telnorm.service.pipeline import InputFile, normalise
from tests.conftest import ROOT, assert_canonical

GENERATOR = ROOT / "benchmarks" / "generate_eml.py"
NS = "{urn:oasis:names:tc:evs:schema:eml}"
STATIONS, LISTS = 3, 3

A, B, C, D = (
    "geldige stempassen",
    "geldige volmachtbewijzen",
    "geldige kiezerspassen",
    "toegelaten kiezers",
)
MEER, MINDER = "meer getelde stembiljetten", "minder getelde stembiljetten"


def generate(path: Path, *extra: str, stations: int = STATIONS, lists: int = LISTS) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            str(path),
            "--stations",
            str(stations),
            "--lists",
            str(lists),
            *extra,
        ],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("bench") / "small.eml.xml")


def read_groups(path: Path) -> list[dict[str, Any]]:
    """Every TotalVotes / ReportingUnitVotes as plain numbers, read without telnorm."""
    tree = etree.parse(str(path))
    groups = []
    for element in tree.iter(f"{NS}TotalVotes", f"{NS}ReportingUnitVotes"):
        lists: dict[str, dict[str, Any]] = {}
        current: dict[str, Any] | None = None
        for selection in element.iterfind(f"{NS}Selection"):
            votes = int(selection.findtext(f"{NS}ValidVotes"))
            affiliation = selection.find(f"{NS}AffiliationIdentifier")
            if affiliation is not None:
                current = lists[affiliation.get("Id")] = {"votes": votes, "candidates": {}}
            else:
                assert current is not None, "a candidate before any list"
                candidate = selection.find(f"{NS}Candidate/{NS}CandidateIdentifier").get("Id")
                current["candidates"][candidate] = votes
        unit = element.find(f"{NS}ReportingUnitIdentifier")
        groups.append(
            {
                "id": None if unit is None else unit.get("Id"),
                "cast": int(element.findtext(f"{NS}Cast")),
                "total_counted": int(element.findtext(f"{NS}TotalCounted")),
                "rejected": {
                    e.get("ReasonCode"): int(e.text) for e in element.iterfind(f"{NS}RejectedVotes")
                },
                "uncounted": {
                    e.get("ReasonCode"): int(e.text)
                    for e in element.iterfind(f"{NS}UncountedVotes")
                },
                "lists": lists,
            }
        )
    return groups


def test_arithmetic_is_consistent(small: Path) -> None:
    total, *units = read_groups(small)
    assert total["id"] is None
    assert [u["id"] for u in units] == [f"0999::SB{i}" for i in range(1, STATIONS + 1)]
    assert len(total["lists"]) == LISTS
    for group in (total, *units):
        for number, item in group["lists"].items():
            assert 30 <= len(item["candidates"]) <= 50, number
            assert item["votes"] == sum(item["candidates"].values()), number
        assert group["total_counted"] == sum(i["votes"] for i in group["lists"].values())
        u = group["uncounted"]
        assert u[A] + u[B] + u[C] == u[D]
        h = group["total_counted"] + group["rejected"]["blanco"] + group["rejected"]["ongeldig"]
        assert u[MEER] == max(h - u[D], 0)
        assert u[MINDER] == max(u[D] - h, 0)
        assert group["cast"] >= u[A]
    # The total is the sum of the units, field by field.
    assert total["cast"] == sum(u["cast"] for u in units)
    assert total["total_counted"] == sum(u["total_counted"] for u in units)
    for field in ("rejected", "uncounted"):
        for code, value in total[field].items():
            assert value == sum(u[field][code] for u in units), code
    for number, item in total["lists"].items():
        assert item["votes"] == sum(u["lists"][number]["votes"] for u in units)
        for candidate, votes in item["candidates"].items():
            assert votes == sum(u["lists"][number]["candidates"][candidate] for u in units)


def test_normalises_to_the_same_numbers(small: Path) -> None:
    document = normalise(InputFile(small))
    assert_canonical(document)
    total, *units = read_groups(small)
    assert document["notes"] == []
    assert document["managing_authority"] == {"id": "0999", "name": "Grootstad"}
    assert document["election"]["category"] == "GR"
    assert len(document["affiliations"]) == LISTS
    assert [u["id"] for u in document["reporting_unit_votes"]] == [u["id"] for u in units]
    for group, read in zip(
        [document["total_votes"], *document["reporting_unit_votes"]], [total, *units], strict=True
    ):
        assert group["total_counted"] == read["total_counted"]
        assert group["cast"] == read["cast"]
        assert group["rejected_votes"] == read["rejected"]
        assert group["uncounted_votes"] == read["uncounted"]
        assert {s["affiliation_id"]: s["valid_votes"] for s in group["selections"]} == {
            number: item["votes"] for number, item in read["lists"].items()
        }
    unit = document["reporting_unit_votes"][0]
    assert unit["kind"] == "polling_station"
    # the canonical name is the municipality's own: EML's one 'Stembureau ' is in raw_name
    assert unit["postal_code"] and unit["raw_name"].startswith("Stembureau " + unit["name"])


def test_validates_without_errors(small: Path) -> None:
    validation = pytest.importorskip("telnorm.service.validation")
    report = validation.validate(normalise(InputFile(small)))
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == []
    assert report["valid"] is True


def test_deterministic_and_layout_independent(small: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again.eml.xml")
    assert again.read_bytes() == small.read_bytes()
    other_seed = generate(tmp_path / "seed2.eml.xml", "--seed", "2")
    assert other_seed.read_bytes() != small.read_bytes()
    minified = generate(tmp_path / "minified.eml.xml", "--indent", "0")
    assert b"\n" not in minified.read_bytes()
    assert len(minified.read_bytes()) < len(small.read_bytes())
    pretty, flat = normalise(InputFile(small)), normalise(InputFile(minified))
    for key in ("total_votes", "reporting_unit_votes", "affiliations"):
        assert pretty[key] == flat[key], key
