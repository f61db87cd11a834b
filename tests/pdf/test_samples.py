"""Born-digital records and tables: exact against the truth table, or refused with locations."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from telnorm.parsers.errors import (
    DoubtfulNumbers,
    MalformedInput,
    RequestError,
    UnsupportedFormat,
)
from telnorm.parsers.pdf import PDFParser, parse_corrections
from telnorm.parsers.pdf.checks import Doubts
from telnorm.parsers.pdf.crop import crop_png
from telnorm.parsers.pdf.record import Reading
from telnorm.service.problems import problem_document, status_of
from tests.conftest import assert_canonical
from tests.pdf.helpers import assert_numbers, expected, read, sample

TEXT_RECORDS = ["n10-1_lindehoven_sb3.pdf", "n11_lindehoven.pdf"]


@pytest.mark.parametrize("name", TEXT_RECORDS)
def test_text_record_is_exact(name: str) -> None:
    document = read(sample(name), locations=True)
    assert_canonical(document)
    assert_numbers(document, expected(name))
    assert document["source"]["parser"]["name"] == "pdf"
    assert document["source"]["format"]["id"].endswith("-text")
    reading = next(n for n in document["notes"] if n["code"] == "pdf-reading")
    assert "text layer" in reading["message"] and "pdfplumber" in reading["message"]
    # every number has a {page, bbox} location
    where = document["locations"]["/total_votes/selections/0/candidates/0/valid_votes"]
    assert where["page"] == 2 and len(where["bbox"]) == 4
    assert document["locations"]["/total_votes/rejected_votes/blanco"]["page"] == 1


def test_model_is_read_from_the_content_not_the_name(tmp_path: Path) -> None:
    renamed = tmp_path / "O3_kieskring.bin"
    shutil.copy(sample("n10-1_lindehoven_sb3.pdf"), renamed)
    document = read(renamed)
    assert document["document"]["level"] == "polling_station"
    model = next(n for n in document["notes"] if n["code"] == "pdf-model")
    assert "N 10-1" in model["message"]


def test_per_station_table_over_two_pages_is_exact() -> None:
    name = "table_lindehoven_per_station.pdf"
    document = read(sample(name), locations=True)
    assert_canonical(document)
    assert_numbers(document, expected(name))
    assert document["source"]["format"]["id"] == "pdf-table-text"
    # a value from the second page is located there
    pages = {where["page"] for where in document["locations"].values()}
    assert pages == {1, 2}


def test_wrong_total_is_refused_with_page_and_box() -> None:
    with pytest.raises(DoubtfulNumbers) as caught:
        read(sample("o3_kieskring7_wrong_total.pdf"))
    error = caught.value
    assert status_of(error) == 422 and error.code == "doubtful-numbers"
    [entry] = error.extra["doubtful"]
    assert entry["id"] == "/total_votes/selections/1/valid_votes"
    assert entry["page"] == 3
    x0, top, x1, bottom = entry["bbox"]
    assert 0 < x0 < x1 and 0 < top < bottom < 842
    assert entry["reason"] == "candidates-sum"
    assert entry["value"] == entry["expected"] + 1
    # a crop of the box, for the web page
    assert entry["crop"].startswith("data:image/png;base64,")
    png = base64.b64decode(entry["crop"].split(",", 1)[1])
    assert png.startswith(b"\x89PNG")
    problem = problem_document(error, "/normalise")
    assert problem["type"] == "/problems/doubtful-numbers"
    assert problem["location"] == {"page": 3, "bbox": entry["bbox"]}


def test_corrections_round_trip() -> None:
    path = sample("o3_kieskring7_wrong_total.pdf")
    with pytest.raises(DoubtfulNumbers) as caught:
        read(path)
    entry = caught.value.extra["doubtful"][0]
    # a correction is checked like any number: the wrong value is refused again
    with pytest.raises(DoubtfulNumbers):
        read(path, corrections=json.dumps({entry["id"]: entry["value"] + 5}))
    document = read(path, corrections=json.dumps({entry["id"]: entry["expected"]}))
    assert_canonical(document)
    assert document["document"]["level"] == "district"
    assert document["managing_authority"] == {"id": "HSB7", "name": "Lindehoven"}
    assert document["total_votes"]["selections"][1]["valid_votes"] == entry["expected"]
    corrected = [n for n in document["notes"] if n["code"] == "corrected"]
    assert len(corrected) == 1 and corrected[0]["location"]["page"] == 3
    # the record states no valid-vote total: derived, and said so
    assert any(n["code"] == "derived-total" for n in document["notes"])


def test_table_corrections_name_cells() -> None:
    path = sample("table_lindehoven_per_station.pdf")
    with pytest.raises(RequestError):
        read(path, corrections='{"p1!Z99": 3}')
    # correcting a right value into a wrong one is refused by the table's arithmetic
    clean = read(path, locations=True)
    cell = clean["locations"]["/reporting_unit_votes/0/total_counted"]["cell"]
    with pytest.raises(DoubtfulNumbers) as caught:
        read(path, corrections=json.dumps({f"p1!{cell}": 999}))
    ids = {e["id"] for e in caught.value.extra["doubtful"]}
    assert f"p1!{cell}" in ids or any(
        e["reason"] == "stations-sum" for e in caught.value.extra["doubtful"]
    )


@pytest.mark.parametrize(
    "value",
    ["not json", "[1, 2]", '{"/x": -1}', '{"/x": 1.5}', '{"/x": "12a"}', '{"/x": true}'],
)
def test_bad_corrections_are_a_400(value: str) -> None:
    with pytest.raises(RequestError):
        parse_corrections(value)


def test_correction_naming_no_number_is_a_400() -> None:
    with pytest.raises(RequestError, match="names no number"):
        read(sample("n11_lindehoven.pdf"), corrections='{"/total_votes/cast": 5}')


def test_damaged_pdf_is_refused(tmp_path: Path) -> None:
    data = sample("n11_lindehoven.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises((MalformedInput, UnsupportedFormat)) as caught:
        read(cut)
    assert status_of(caught.value) < 500


def test_pdf_that_is_no_record_is_unsupported(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "N10-1.pdf"  # the name says N 10-1; the content does not
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "Notulen van de raadsvergadering van 3 april")
    pdf.save()
    with pytest.raises(UnsupportedFormat) as caught:
        read(path)
    assert caught.value.location == {"page": 1}


def test_detect_needs_the_pdf_header() -> None:
    parser = PDFParser()
    assert parser.detect(b"%PDF-1.7\n...", None).confidence >= 0.5
    assert parser.detect(b"Lijstnummer;Aanduiding", "x.pdf").confidence == 0


def _reading(pointer: str, value: int, conf: float | None) -> Reading:
    return Reading(str(value), value, 1, (10.0, 10.0, 20.0, 20.0), conf, "ocr", pointer)


def test_confidence_thresholds_depend_on_being_checked() -> None:
    total = _reading("/t", 10, 95.0)
    parts = [_reading("/a", 4, 65.0), _reading("/b", 6, 95.0)]
    doubts = Doubts()
    doubts.equation("candidates-sum", total, parts, "Total")
    alone = _reading("/blanco", 3, 65.0)
    doubts.confidence([total, *parts, alone], 80.0, 60.0)
    # /a (65) is covered by a passing check: enough; /blanco (65) is covered by none: doubtful
    assert set(doubts.entries) == {"/blanco"}
    entry = doubts.entries["/blanco"]
    assert entry["reason"] == "low-confidence" and entry["confidence"] == 65.0
    assert entry["page"] == 1 and entry["bbox"] == [10.0, 10.0, 20.0, 20.0]


def test_text_layer_numbers_have_no_confidence_check() -> None:
    doubts = Doubts()
    doubts.confidence([_reading("/x", 3, None)], 80.0, 60.0)
    assert not doubts.entries


def test_crop_is_a_png_of_the_box() -> None:
    png = crop_png(sample("n11_lindehoven.pdf"), 2, (400.0, 100.0, 530.0, 130.0), dpi=72)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert 130 <= image.width <= 145 and 30 <= image.height <= 45


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("aantal stembiljetten met een geldige stem op een kandidaat", "total_counted"),
        ("het aantal kiezers dat mocht stemmen met een geldig volmachtbewijs schriftelijk of "
         "via ingevulde achterkant van de stempas of kiezerspas bedraagt",
         "uncounted:geldige volmachtbewijzen"),
        ("totaal aantal getelde stembiljetten", "votes_cast"),
        ("aantal geldige stempassen", "uncounted:geldige stempassen"),
        ("meer getelde stembiljetten dan toegelaten kiezers",
         "uncounted:meer getelde stembiljetten"),
        ("totaal toegelaten kiezers", "uncounted:toegelaten kiezers"),
        ("pagina", None),
    ],
)  # fmt: skip
def test_longer_record_wordings(label: str, key: str | None) -> None:
    from telnorm.parsers.pdf.record import phrase_field

    assert phrase_field(label) == key


def _o3(
    path: Path, heading_2: str, summary: list[tuple[str, str, str]], bold: bool = False
) -> Path:
    """A small O 3 drawn here: two lists, the second list's heading word given, and an
    optional list-totals table after them."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), invariant=1)
    pdf.setFont("Helvetica", 10)
    y = 800.0

    def row(*cells: tuple[float, str]) -> None:
        nonlocal y
        for x, text in cells:
            pdf.drawString(x, y, text)
            if bold:  # fake bold, as some producers print it: every glyph drawn twice
                pdf.drawString(x + 0.3, y, text)
        y -= 16

    row((60, "Model O 3"))
    row((60, "Proces-verbaal van het hoofdstembureau"))
    for number, head, votes in (("1", "Lijstnummer", (30, 12)), ("2", heading_2, (7, 5))):
        row((60, "Partijnaam"), (200, f"Partij {number}"))
        row((60, head), (200, number))
        for position, count in enumerate(votes, start=1):
            row((60, str(position)), (120, f"Kandidaat {position}"), (480, str(count)))
        row((300, "Totaal (stemcijfer)"), (480, str(sum(votes))))
    for cells in summary:
        row((60, cells[0]), (120, cells[1]), (480, cells[2]))
    pdf.save()
    return path


def test_rows_of_an_unread_list_heading_refuse_the_reading(tmp_path: Path) -> None:
    path = _o3(tmp_path / "o3.pdf", "Lijstnumm3r", [])
    with pytest.raises(DoubtfulNumbers) as caught:
        read(path)
    reasons = {e["reason"] for e in caught.value.extra["doubtful"]}
    assert "outside-list" in reasons


def test_a_list_totals_table_is_checked_against_the_lists(tmp_path: Path) -> None:
    good = _o3(
        tmp_path / "good.pdf", "Lijstnummer", [("1", "Partij 1", "42"), ("2", "Partij 2", "12")]
    )
    document = read(good)
    assert [s["valid_votes"] for s in document["total_votes"]["selections"]] == [42, 12]
    bad = _o3(
        tmp_path / "bad.pdf", "Lijstnummer", [("1", "Partij 1", "42"), ("2", "Partij 2", "13")]
    )
    with pytest.raises(DoubtfulNumbers) as caught:
        read(bad)
    [entry] = caught.value.extra["doubtful"]
    assert entry["reason"] == "stated-twice"
    assert entry["id"] == "/total_votes/selections/1/valid_votes"


def test_without_the_pdf_extra_a_pdf_is_a_clear_415(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pdfplumber(name: str, *args: object, **kwargs: object) -> object:
        if name == "pdfplumber":
            raise ImportError("No module named 'pdfplumber'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_pdfplumber)
    with pytest.raises(UnsupportedFormat) as caught:
        read(sample("n11_lindehoven.pdf"))
    assert "telnorm[pdf]" in caught.value.message


def test_junk_before_the_pdf_header_is_allowed() -> None:
    assert PDFParser().detect(b"\r\n  junk\n%PDF-1.4\n", None).confidence >= 0.5


def test_fake_bold_text_is_read_once(tmp_path: Path) -> None:
    document = read(_o3(tmp_path / "bold.pdf", "Lijstnummer", [], bold=True))
    selections = document["total_votes"]["selections"]
    assert [s["valid_votes"] for s in selections] == [42, 12]
    assert [c["valid_votes"] for c in selections[0]["candidates"]] == [30, 12]


def test_a_candidate_list_is_applied_never_ignored() -> None:
    from telnorm.parsers.api import Limits
    from telnorm.parsers.errors import ContextFileError
    from telnorm.parsers.registry import default_registry
    from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise
    from tests.conftest import SAMPLES

    path = sample("n11_lindehoven.pdf")
    lists = SAMPLES / "tabular" / "lindehoven.230b.eml.xml"
    # the enrich stage applies it to the PDF's document like any other: a candidate list of
    # another election (GR2026 for this TK2027 record) is refused, not ignored
    with pytest.raises(ContextFileError, match="election"):
        normalise(
            InputFile(path, path.name),
            {"candidate_list": InputFile(lists, lists.name)},
            NormaliseOptions(),
            Limits(),
            default_registry(),
        )


def test_a_damaged_page_is_a_problem_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from pdfplumber.page import Page

    from telnorm.parsers.errors import UnreadablePage

    real = Page.extract_words

    def broken(self: Page, *args: object, **kwargs: object) -> object:
        if self.page_number == 2:
            raise ValueError("damaged content stream")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Page, "extract_words", broken)
    with pytest.raises(UnreadablePage) as caught:
        read(sample("n11_lindehoven.pdf"))
    assert caught.value.location == {"page": 2}
    assert status_of(caught.value) == 422 and "Page 2" in caught.value.message
