"""Every sample spreadsheet and CSV -> canonical -> EML 510 -> canonical keeps every number,
and the EML it writes passes the strict XSD and telnorm's own validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from telnorm.parsers.errors import ExportFieldsMissing
from telnorm.service.export import ExportOptions, export
from telnorm.service.pipeline import InputFile, normalise
from telnorm.service.validation.runner import validate
from tests.conftest import SAMPLES, assert_canonical
from tests.export.helpers import assert_valid_eml, numbers, parse_bytes

CANDIDATE_LIST = SAMPLES / "tabular" / "lindehoven.230b.eml.xml"
TABLES = sorted(
    p
    for p in (SAMPLES / "tabular").iterdir()
    if p.suffix in (".csv", ".tsv", ".xlsx", ".xls", ".ods")
)


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.name)
def test_sample_to_eml_and_back_keeps_every_number(path: Path) -> None:
    context = {"candidate_list": InputFile(CANDIDATE_LIST, CANDIDATE_LIST.name)}
    document = normalise(InputFile(path, path.name), context)
    options = ExportOptions(creation_time="2026-03-19T12:00:00")
    groups = [document["total_votes"], *document["reporting_unit_votes"]]
    if any(group.get("total_counted") is None for group in groups):
        # EML requires TotalCounted; a sample that does not state it is refused with the
        # field named, never written with an invented number.
        with pytest.raises(ExportFieldsMissing, match="total_counted"):
            export(document, "eml", options)
        return
    exported = export(document, "eml", options)
    assert_valid_eml(exported.content)

    again = parse_bytes(exported.content, "back.eml.xml", candidate_list=CANDIDATE_LIST)
    assert_canonical(again)
    assert again["document"]["eml_id"] == "510b"

    def stated(group: dict) -> dict:  # type: ignore[type-arg]
        # Everything the sample states must come back unchanged.
        mine = numbers(group)
        return {k: v for k, v in mine.items() if v is not None}

    before = [stated(document["total_votes"])] + [
        stated(u) for u in document["reporting_unit_votes"]
    ]
    after = [numbers(again["total_votes"])] + [numbers(u) for u in again["reporting_unit_votes"]]
    for mine, theirs in zip(before, after, strict=True):
        for key, value in mine.items():
            if isinstance(value, dict):
                assert {k: theirs[key].get(k) for k in value} == value, key
            else:
                assert theirs[key] == value, key
    assert [u["id"] for u in again["reporting_unit_votes"]] == [
        u["id"] for u in document["reporting_unit_votes"]
    ]
    report = validate(again)
    assert report["summary"]["errors"] == validate(document)["summary"]["errors"] == 0, [
        f["code"] for f in report["findings"] if f["severity"] == "error"
    ]
