"""``telnorm reconcile`` on a fictional national election with seeded faults: every fault
found with its exact per-list differences, no false alarm, the right exit status."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from telnorm.service.cli import cli
from telnorm.service.reconcile.schema import report_schema


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["reconcile", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def by_code(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Entries by CBS code; an unreadable file has no code, so it is keyed by its file name."""
    out = {}
    for entry in report["municipalities"]:
        key = entry["id"] or Path(entry["file"]).name.split("_")[-1].split(".")[0]
        out[key] = entry
    return out


def check_faults(report: dict[str, Any], expected: dict[str, Any]) -> None:
    entries = by_code(report)
    assert set(entries) == set(expected)
    for code, want in expected.items():
        entry = entries[code]
        assert entry["status"] == want["status"], (code, entry)
        got = {d["affiliation_id"]: d["difference"] for d in entry["differences"]}
        assert got == want.get("differences", {}), code
        if want["status"] == "equal":  # no false alarm at any level
            assert "candidate_differences" not in entry
            assert "statistic_differences" not in entry
    summary = report["summary"]
    assert summary["unreadable"] == 1 and summary["unmatched"] == 1 and summary["differing"] == 2
    assert summary["total_difference"] == sum(
        v for want in expected.values() for v in want.get("differences", {}).values()
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_seeded_fault_is_found_exactly(faulty: Any, jobs: str) -> None:
    status, out = run(str(faulty.municipal), *faulty.reference_args(), "-j", jobs)
    assert status == 1
    report = json.loads(out)
    check_faults(report, faulty.expected)
    jsonschema.validate(report, report_schema())
    moved = by_code(report)["0002"]
    # the moved votes are on the first candidates of lists 2 and 3
    assert {
        (d["affiliation_id"], d["candidate_id"], d["difference"])
        for d in moved["candidate_differences"]
    } == {
        ("2", "1", -7),
        ("3", "1", 7),
    }
    unreadable = by_code(report)["0003"]
    assert unreadable["problem"]["code"] == "malformed-xml"
    assert report["reference_units_without_file"] == ["0003"]  # its file is unreadable


def test_a_clean_election_exits_0(clean: Any) -> None:
    status, out = run(str(clean.municipal), *clean.reference_args())
    report = json.loads(out)
    assert status == 0, report["summary"]
    assert report["summary"]["equal"] == 6
    assert report["seat_impact"]["changed"] is False
    assert report["seat_impact"]["elections"][0]["status"] == "unchanged"


def test_a_zip_of_the_files_gives_the_same_report(faulty: Any, tmp_path: Path) -> None:
    bundle = tmp_path / "gemeenten.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(faulty.municipal.iterdir()):
            archive.write(path, f"uploads/{path.name}")
    status, out = run(str(bundle), *faulty.reference_args())
    assert status == 1
    report = json.loads(out)
    check_faults(report, faulty.expected)
    assert all("gemeenten.zip!uploads/" in e["file"] for e in report["municipalities"])


def test_unusable_arguments_exit_2(faulty: Any, tmp_path: Path) -> None:
    bad = tmp_path / "ref.json"
    bad.write_text('{"kind": "something else"}')
    status, _ = run(str(faulty.municipal), "--reference", str(bad))
    assert status == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    status, _ = run(str(empty), *faulty.reference_args())
    assert status == 2
    status, _ = run(str(faulty.municipal))  # no reference at all
    assert status == 2


def test_csv_has_one_row_per_list_that_differs(faulty: Any) -> None:
    status, out = run(str(faulty.municipal), *faulty.reference_args(), "--format", "csv")
    assert status == 1
    rows = [line.split(",") for line in out.lstrip("\ufeff").splitlines()]
    header, body = rows[0], rows[1:]
    assert header[:5] == ["municipality_id", "municipality", "file", "status", "kind"]
    lists = {(r[0], r[5]): int(r[10]) for r in body if r[4] == "list"}
    want = {
        (code, aff): diff
        for code, w in faulty.expected.items()
        for aff, diff in w.get("differences", {}).items()
    }
    assert lists == want
    assert sum(1 for r in body if r[4] in ("unreadable", "unmatched")) == 2


def test_html_is_self_contained(faulty: Any, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    status, _ = run(
        str(faulty.municipal), *faulty.reference_args(), "--format", "html", "-o", str(target)
    )
    assert status == 1
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<script>" in page
    assert "src=" not in page and "href=" not in page and "@import" not in page
    assert "Testdorp 1" in page and "unreadable" in page


def test_seat_impact_applies_the_differences(faulty: Any) -> None:
    _, out = run(str(faulty.municipal), *faulty.reference_args())
    impact = json.loads(out)["seat_impact"]["elections"][0]
    assert impact["basis"] == "3 district counts summed to the central level"
    assert impact["complete"] is False  # 3 of 20 kieskringen: said, not hidden
    before, after = impact["reference"], impact["corrected"]
    added = sum(v for w in faulty.expected.values() for v in w.get("differences", {}).values())
    assert after["total_votes"] - before["total_votes"] == added
    changed = {i["affiliation_id"]: i["change"] for i in impact["lists"]}
    assert changed == {
        aff: after["seats"][aff] - before["seats"].get(aff, 0)
        for aff in after["seats"]
        if after["seats"][aff] != before["seats"].get(aff, 0)
    }
    assert sum(changed.values()) == 0


def test_boxmeer_with_municipal_totals_and_name_fallback(tmp_path: Path, corpus_file: Any) -> None:
    count = corpus_file("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
    from telnorm.service.pipeline import InputFile, normalise

    total = normalise(InputFile(count, count.name))["total_votes"]
    keyed = {s["affiliation_id"]: s["valid_votes"] for s in total["selections"][:4]}
    reference = tmp_path / "hsb6.json"
    reference.write_text(
        json.dumps(
            {
                "kind": "municipal-totals",
                "election_id": "TK2025",
                "municipalities": [
                    {"id": "9999", "name": "Gemeente West Maas en Waal", "lists": keyed}
                ],
            }
        )
    )
    status, out = run(str(count), "--reference", str(reference))
    assert status == 1
    entry = json.loads(out)["municipalities"][0]
    assert entry["matched_by"] == "name" and "not by CBS code" in entry["notes"][0]
    assert entry["difference"] == total["total_counted"] - sum(keyed.values())
    assert len(entry["differences"]) == 19  # lists 5-24 with votes


def test_a_district_given_twice_is_counted_once(faulty: Any) -> None:
    _, once = run(str(faulty.municipal), *faulty.reference_args())
    twice_args = [*faulty.reference_args(), "--reference", str(faulty.districts[0])]
    status, twice = run(str(faulty.municipal), *twice_args)
    assert status == 1
    first, second = json.loads(once), json.loads(twice)
    impact1, impact2 = first["seat_impact"]["elections"][0], second["seat_impact"]["elections"][0]
    assert impact2["reference"] == impact1["reference"]  # not summed twice
    assert any("not added again" in note for note in impact2["notes"])
    # every municipality of that district is in both: compared with the first, noted
    assert second["summary"] == first["summary"]


DATABANK = Path(__file__).resolve().parents[2] / "samples" / "databank"


def test_a_databank_reference_and_its_own_disagreements(tmp_path: Path) -> None:
    # The whole election's databank file as the reference of one municipality's count
    # (that municipality's own databank rows): equal, and the report says nothing more.
    count = DATABANK / "TK2026_gemeente_Lindehoven_uitslag.csv"
    reference = DATABANK / "TK2026_uitslag.csv"
    status, out = run(str(count), "--reference", str(reference))
    report = json.loads(out)
    jsonschema.validate(report, report_schema())
    assert status == 0 and report["summary"]["equal"] == 1
    assert report["municipalities"][0]["reference"]["unit"] == "HSB6::9901"
    assert report["notes"] == []
    # The district's row of list 2 keyed otherwise (the Boxmeer case): the municipality is
    # still equal to its own rows, and the report names the reference's disagreement.
    lines = reference.read_text(encoding="utf-8").splitlines()
    changed = [
        line.replace(";LijstAantalStemmen;5091", ";LijstAantalStemmen;4000")
        if line.startswith("Nijmegen;K6;") and ";2;Heuvelrode Vooruit;;" in line
        else line
        for line in lines
    ]
    assert changed != lines
    doubtful = tmp_path / "TK2026_uitslag.csv"
    doubtful.write_text("\n".join(changed) + "\n", encoding="utf-8")
    status, out = run(str(count), "--reference", str(doubtful))
    report = json.loads(out)
    assert status == 0
    assert [
        n for n in report["notes"] if n.startswith("Reference TK2026_uitslag.csv: K6 (Nijmegen)")
    ]
