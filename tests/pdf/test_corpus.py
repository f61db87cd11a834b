"""The real TK2017 records of the corpus (skipped when ../shared/corpus is absent).

The corpus has no EML of this election, so the oracles are the documents' own arithmetic
and, for the scan with an OCR layer, the scanner's own OCR: an independent engine. OCR tests
read only the first pages (a list complete within them) to keep the suite fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from telnorm.parsers.errors import DoubtfulNumbers, TelnormError, UnreadCells
from telnorm.parsers.pdf.assemble import Thresholds, check, point_readings
from telnorm.parsers.pdf.layout import lines_of, read_count
from telnorm.parsers.pdf.model import identify
from telnorm.parsers.pdf.ocr import ocr_page
from telnorm.parsers.pdf.record import read_record
from telnorm.parsers.pdf.words import Page, Word, read_pages
from telnorm.service.problems import status_of
from tests.conftest import corpus_path
from tests.pdf.helpers import needs_tesseract, read

pytestmark = pytest.mark.corpus


def test_voorschoten_table_is_read_right_and_refused_for_its_missing_lists() -> None:
    """A question's answers (Voor/Tegen), not lists: refused, never a 200 without votes.

    The table reader refuses it either for numbers it cannot account for (the tabular
    reader's rule: a row label it does not know) or, where it reads every row, for the sums
    that do not hold (its "geldige stembiljetten" count the blank votes)."""
    path = corpus_path("pdf", "TK2017_Voorschoten_uitslag_per_stembureau.pdf")
    with pytest.raises((DoubtfulNumbers, UnreadCells)) as caught:
        read(path)
    if isinstance(caught.value, UnreadCells):
        assert "page 1" in caught.value.message
        return
    listed = caught.value.extra["doubtful"]
    assert {e["reason"] for e in listed} == {"lists-sum", "votes-cast"}
    assert all(e["page"] == 1 and len(e["bbox"]) == 4 for e in listed)
    assert next(e["read"] for e in listed if e["reason"] == "lists-sum") == "7540"


def test_krimpenerwaard_table_is_refused_with_a_page() -> None:
    path = corpus_path("pdf", "TK2017_Krimpenerwaard_Vlist_partij_niveau.pdf")
    with pytest.raises(TelnormError) as caught:
        read(path)
    assert 400 <= status_of(caught.value) < 500
    assert caught.value.location is not None and caught.value.location.get("page") == 1


def _scanner_numbers(path: Path, number: int) -> list[Word]:
    """The numbers of the scanner's own OCR layer on one page (pdfplumber, not telnorm)."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        words = pdf.pages[number - 1].extract_words()
    return [
        Word(w["text"], number, w["x0"], w["top"], w["x1"], w["bottom"])
        for w in words
        if read_count(w["text"]) is not None
    ]


def _same_place(a: tuple[float, float, float, float], b: Word) -> bool:
    return min(a[2], b.x1) - max(a[0], b.x0) > 0 and min(a[3], b.bottom) - max(a[1], b.top) > 0


@needs_tesseract
def test_den_helder_scan_numbers_agree_with_the_scanners_ocr() -> None:
    path = corpus_path("pdf", "TK2017_O3_kieskring_Den_Helder_scan_ocr.pdf")
    pages: list[Page] = read_pages(path, 60)[:3]
    assert [p.method for p in pages] == ["ocr"] * 3 and pages[1].had_ocr_layer
    for page in pages:
        ocr_page(path, page, dpi=200, language="nld", timeout=120)
    lines = [lines_of(p.words) for p in pages]
    identified = identify(lines[:2])
    assert identified is not None and identified.model == "O 3"
    record = read_record(lines, {p.number: "ocr" for p in pages})
    assert record.kieskring == ("11", "Den Helder")
    assert record.election_date == "2017-03-15"
    vvd = record.lists[0]
    assert vvd.number.value == 1 and vvd.total is not None
    assert len(vvd.candidates) == 80
    readings = point_readings(record)
    doubts = check(record, readings, Thresholds(80.0, 60.0))
    accepted = [r for r in readings if r.key not in doubts.entries and r.value is not None]
    # the list is complete on these pages: its total is vouched for by its candidates, or a
    # number of the list is refused
    print({k: (e["read"], e["reason"]) for k, e in doubts.entries.items()})
    list_numbers = [vvd.total, *(row.votes for row in vvd.candidates)]
    assert vvd.total.pointer in doubts.covered or any(r.key in doubts.entries for r in list_numbers)
    compared = 0
    for reading in accepted:
        if not reading.pointer.endswith("valid_votes"):
            continue
        theirs = [w for w in _scanner_numbers(path, reading.page) if _same_place(reading.bbox, w)]
        if len(theirs) == 1:
            compared += 1
            assert read_count(theirs[0].text) == reading.value, reading
    assert compared >= 40


@needs_tesseract
def test_groningen_pure_scan_is_identified_by_content() -> None:
    path = corpus_path("pdf", "TK2017_O3_kieskring_Groningen_scan.pdf")
    [page] = read_pages(path, 60)[:1]
    assert page.method == "ocr" and not page.had_ocr_layer
    ocr_page(path, page, dpi=200, language="nld", timeout=120)
    identified = identify([lines_of(page.words)])
    assert identified is not None and identified.level == "district"
    record = read_record([lines_of(page.words)], {1: "ocr"})
    assert record.kieskring == ("1", "Groningen")
