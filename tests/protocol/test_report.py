"""The report: parts A, B and C, the neighbourhood check, checks that do not apply, and the
report agreeing with the validation rules it shares its checks with."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import orjson
import pytest

from telnorm.parsers.errors import ContextFileError
from telnorm.service.pipeline import InputFile
from telnorm.service.protocol.checks import DEFAULT_THRESHOLDS
from telnorm.service.protocol.job import ProtocolRequest, run_protocol
from telnorm.service.protocol.neighbourhoods import parse_neighbourhoods
from telnorm.service.protocol.report import build_report
from telnorm.service.protocol.schema import REPORT_SCHEMA
from telnorm.service.validation import validate
from telnorm.service.validation.inputs import ValidateRequest, read_document
from tests.conftest import corpus_files, corpus_path
from tests.protocol.conftest import municipality, station

PLAIN = {"1": {"1": 120, "2": 40, "3": 20}, "2": {"1": 100, "2": 30}}


def test_a_lists_unexplained_differences_with_the_recount_flag() -> None:
    units = [
        station(1, PLAIN, uncounted={"geen verklaring": 2, "toegelaten kiezers": 311}),
        station(2, PLAIN, investigations={"onderzocht vanwege onverklaard verschil": True},
                uncounted={"toegelaten kiezers": 309, "te veel uitgereikte stembiljetten": 1}),
        station(3, PLAIN),
    ]  # fmt: skip
    report = build_report(municipality(units))
    by_station = {entry["station"]: entry for entry in report["a"]}
    assert set(by_station) == {"1", "2"}
    assert by_station["1"]["no_explanation"] == 2
    assert by_station["1"]["explanations_short"] == 0  # 313 - 311 = 2, explained by the 2
    assert by_station["1"]["recounted"] is None
    assert by_station["2"]["explanations_short"] == 3  # 313 - 309 = 4, 1 explained
    assert by_station["2"]["recounted"] is True
    assert "al herteld" in by_station["2"]["summary"]
    assert "geen verklaring" in by_station["1"]["summary"]


def test_b_flags_each_outlier_only_past_its_threshold() -> None:
    units = [
        station(1, PLAIN, blanco=30, ongeldig=0),  # 30 of 340 ballots: 8.8% blank
        station(2, PLAIN, uncounted={"toegelaten kiezers": 330}),  # gap 17
        station(3, {"1": {"1": 0}, "2": {"1": 0}}, blanco=0, ongeldig=0),  # no ballots
        station(4, PLAIN),
    ]
    report = build_report(municipality(units))
    by_station = {entry["station"]: entry for entry in report["b"]}
    assert by_station["1"]["blank_pct"] == pytest.approx(30 * 100 / 340, abs=0.01)
    assert by_station["1"]["invalid_pct"] is None
    assert by_station["2"]["admitted_difference"] == 17
    assert by_station["3"]["zero_votes"] is True
    assert "4" not in by_station


def test_a_list_deviating_fifty_points_from_the_rest() -> None:
    village = {"1": {"1": 10}, "2": {"1": 190}}  # list 2: 95% here
    units = [station(n, PLAIN) for n in (1, 2, 3)] + [station(4, village)]
    report = build_report(municipality(units))
    entry = next(e for e in report["b"] if e["station"] == "4")
    assert [d["affiliation_id"] for d in entry["list_deviations"]] == ["1", "2"]
    row = next(r for r in report["c"] if r["station"] == "4" and r["affiliation_id"] == "2")
    assert row["share"] == 95.0 and row["deviation"] == pytest.approx(
        95.0 - 390 * 100 / 930, abs=0.01
    )


def _swap_municipality() -> dict[str, object]:
    # Candidate 1 of list 1 is the list puller everywhere except at station 3.
    units = [station(n, PLAIN, postal_code=f"123{n} AB") for n in (1, 2, 4, 5, 6)]
    swapped = {"1": {"1": 2, "2": 40, "3": 138}, "2": {"1": 100, "2": 30}}
    units.insert(2, station(3, swapped, postal_code="1233 AB"))
    return municipality(units)


def test_b_swaps_by_the_councils_method() -> None:
    report = build_report(_swap_municipality())
    entry = next(e for e in report["b"] if e["station"] == "3")
    assert entry["swaps"] == [
        {
            "affiliation_id": "1",
            "over": {"candidate_id": "3", "votes": 138, "expected": 20},
            "under": {"candidate_id": "1", "votes": 2, "expected": 120},
        }
    ]
    assert "verwisseld" in entry["summary"]


def test_neighbourhood_check_needs_five_stations_and_skips_postal_stations() -> None:
    document = _swap_municipality()
    table = parse_neighbourhoods(
        "zip_code,neighbourhood_code,ambiguous\n"
        + "".join(f"123{n}AB,WK01,no\n" for n in range(1, 7))
    )
    report = build_report(document, neighbourhoods=table)
    assert report["neighbourhoods_used"] is True
    entry = next(e for e in report["b"] if e["station"] == "3")
    assert [s["over"]["candidate_id"] for s in entry["swaps"]] == ["3"]
    # With one station renamed to a postal-vote station the neighbourhood has 5 left.
    units = document["reporting_unit_votes"]  # type: ignore[index]
    units[0]["raw_name"] = "Briefstembureau 1"
    units[1]["raw_name"] = "Stembureau Station Centraal"
    report = build_report(document, neighbourhoods=table)
    entry = next(e for e in report["b"] if e["station"] == "3")
    # 4 stations in the neighbourhood: its check does not run, the municipality's counts.
    assert [s["over"]["candidate_id"] for s in entry["swaps"]] == ["3"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("zip_code,neighbourhood_code,ambiguous\n1234AB," + "x" * 200_000 + ",no\n", 2),
        ("", None),
        ("\n\n", 1),
    ],
    ids=["huge-cell", "empty", "blank-lines"],
)
def test_an_unreadable_neighbourhood_table_is_a_located_refusal(
    text: str, line: int | None
) -> None:
    with pytest.raises(ContextFileError) as caught:
        parse_neighbourhoods(text)
    assert caught.value.location == ({"line": line} if line else None)


def test_a_missing_statistic_makes_a_check_not_apply() -> None:
    units = [station(n, PLAIN) for n in (1, 2)]
    for unit in units:
        unit["uncounted_votes"] = {}
        unit["rejected_votes"] = {"blanco": 1}
    report = build_report(municipality(units))
    checks = report["checks"]
    assert checks["admitted_difference"]["not_applicable"] == ["1", "2"]
    assert checks["invalid_pct"]["not_applicable"] == ["1", "2"]
    assert checks["no_explanation"]["applied"] == 0
    assert report["a"] == []


def test_the_report_follows_its_schema() -> None:
    report = build_report(_swap_municipality())
    jsonschema.validate(orjson.loads(orjson.dumps(report)), REPORT_SCHEMA)


_RULE_OF = {
    "zero_votes": "W.204",
    "invalid_pct": "W.202",
    "blank_pct": "W.201",
    "admitted_difference": "W.203",
    "list_deviations": "P.101",
    "swaps": "P.105",
}

COUNTS = (
    corpus_files("eml/510b/*.xml")
    + corpus_files("eml/apportionment/Telling_*.xml")
    + corpus_files("csv/osv4-3/*.csv")
)


@pytest.mark.corpus
@pytest.mark.parametrize("path", COUNTS, ids=[p.name for p in COUNTS])
def test_report_and_rules_flag_the_same_stations(path: Path) -> None:
    """One implementation: per check, the stations in part B are those the rule flags."""
    report = run_protocol(ProtocolRequest(main=InputFile(path, path.name)))
    jsonschema.validate(orjson.loads(orjson.dumps(report)), REPORT_SCHEMA)
    document = read_document(ValidateRequest(main=InputFile(path, path.name)), locations=False)
    findings = validate(document, plausibility=True)["findings"]
    label = {
        u["id"]: str(u["number"]) if u.get("number") is not None else u["id"]
        for u in document["reporting_unit_votes"]
    }
    for key, code in _RULE_OF.items():
        by_rule = {
            label[f["location"]["reporting_unit"]]
            for f in findings
            if f["code"] == code and f["location"]["reporting_unit"] in label
        }
        by_report = {e["station"] for e in report["b"] if e[key] not in (None, False, [])}
        assert by_rule == by_report, (key, code)
    a_rule = {
        label[f["location"]["reporting_unit"]]
        for f in findings
        if f["code"] in ("P.103", "P.104") and f["location"]["reporting_unit"] in label
    }
    assert a_rule == {e["station"] for e in report["a"]}
    assert DEFAULT_THRESHOLDS.version == report["protocol_version"]


@pytest.mark.corpus
def test_a_2026_era_count_with_investigations_and_fewer_reason_codes(tmp_path: Path) -> None:
    """2026-era files state investigations per station and need not state every reason code:
    the report reads the recount flag and says which checks did not apply, never crashes."""
    text = corpus_path("eml", "510b", "Telling_GR2022_WestMaasenWaal.eml.xml").read_text("utf-8")
    block = (
        "<kr:ReportingUnitInvestigations>"
        '<kr:Investigation ReasonCode="onderzocht vanwege onverklaard verschil">{}'
        "</kr:Investigation></kr:ReportingUnitInvestigations>"
    )
    parts = text.split("</ReportingUnitIdentifier>")
    rebuilt = parts[0]
    for index, rest in enumerate(parts[1:]):
        rebuilt += "</ReportingUnitIdentifier>" + block.format(str(index == 0).lower()) + rest
    rebuilt = re.sub(
        r'<UncountedVotes ReasonCode="geen verklaring">\d+</UncountedVotes>', "", rebuilt
    )
    path = tmp_path / "Telling_GR2026_fictief.eml.xml"
    path.write_text(rebuilt.replace("GR2022", "GR2026"), encoding="utf-8")
    report = run_protocol(ProtocolRequest(main=InputFile(path, path.name)))
    assert report["checks"]["no_explanation"]["applied"] == 0
    assert report["checks"]["recounted"]["not_applicable"] == []
    recounted = {e["station"]: e["recounted"] for e in report["a"]}
    assert all(flag is (station == "1") for station, flag in recounted.items())
    jsonschema.validate(orjson.loads(orjson.dumps(report)), REPORT_SCHEMA)
