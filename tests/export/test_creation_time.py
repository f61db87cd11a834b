"""EML export's creation time: the request's, else the document's, else SOURCE_DATE_EPOCH,
else the clock; telnorm says which when it chose."""

from __future__ import annotations

from datetime import datetime

import pytest

from telnorm.service.export import ExportOptions, export
from telnorm.service.export.options import creation_default
from tests.export.helpers import assert_valid_eml, base_document, parse_bytes


def _undated() -> dict[str, object]:
    document = base_document()
    document["document"]["created"] = None
    return document


def test_source_date_epoch_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    exported = export(_undated(), "eml")
    assert_valid_eml(exported.content)
    assert b"<kr:CreationDateTime>2023-11-14T22:13:20Z</kr:CreationDateTime>" in exported.content
    assert len(exported.notes) == 1 and "SOURCE_DATE_EPOCH (1700000000)" in exported.notes[0]
    # reproducible: the same bytes on every run
    assert export(_undated(), "eml").content == exported.content
    assert parse_bytes(exported.content, "x.eml.xml")["document"]["created"] == (
        "2023-11-14T22:13:20Z"
    )


def test_without_source_date_epoch_the_clock_is_used_and_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = datetime.now().astimezone().replace(microsecond=0)
    exported = export(_undated(), "eml")
    assert_valid_eml(exported.content)
    written = parse_bytes(exported.content, "x.eml.xml")["document"]["created"]
    assert datetime.fromisoformat(written) >= before
    assert "current time" in exported.notes[0] and written in exported.notes[0]


def test_an_unusable_source_date_epoch_falls_back_to_the_clock() -> None:
    found = creation_default(_undated(), ExportOptions(), {"SOURCE_DATE_EPOCH": "gisteren"})
    assert found is not None
    assert "current time" in found[1] and "'gisteren' is not a number" in found[1]


def test_an_explicit_creation_time_or_the_documents_own_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    options = ExportOptions(creation_time="2026-03-19T12:00:00")
    exported = export(_undated(), "eml", options)
    assert b">2026-03-19T12:00:00<" in exported.content and exported.notes == ()
    dated = base_document()
    dated["document"]["created"] = "2026-03-19T10:00:00"
    exported = export(dated, "eml")
    assert b">2026-03-19T10:00:00<" in exported.content and exported.notes == ()
    # other formats have no creation time and say nothing about it
    assert export(_undated(), "osv4-3").notes == ()
