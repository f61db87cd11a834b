"""Scans: OCR with confidences; doubtful numbers refused with page and box; corrections."""

from __future__ import annotations

import json
from typing import Any

import pytest

from telnorm.parsers.errors import DoubtfulNumbers, OCRUnavailable
from telnorm.parsers.pdf import ocr
from telnorm.service.problems import status_of
from tests.conftest import assert_canonical
from tests.pdf.helpers import assert_numbers, expected, needs_tesseract, read, sample

SCAN = "n10-1_lindehoven_sb3_scan.pdf"


def _truth(pointer: str, want: dict[str, Any]) -> int:
    """The true value at a pointer, from the truth table (ids and counts)."""
    parts = pointer.strip("/").split("/")
    if parts[0] == "affiliations":
        lst = want["affiliations"][int(parts[1])]
        return int(lst["id"]) if parts[2] == "id" else int(parts[3]) + 1
    node: Any = want
    for part in parts:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return int(node)


@needs_tesseract
def test_scan_is_exact_or_refused_then_exact_with_corrections() -> None:
    want = expected(SCAN)
    path = sample(SCAN)
    corrections: dict[str, int] = {}
    try:
        document = read(path)
    except DoubtfulNumbers as error:
        listed = error.extra["doubtful"]
        assert listed
        for entry in listed:
            assert entry["page"] in (1, 2, 3, 4)
            x0, top, x1, bottom = entry["bbox"]
            assert 0 <= x0 < x1 <= 596 and 0 <= top < bottom <= 842
            assert entry["reason"] in {
                "low-confidence", "not-a-number", "candidates-sum", "sequence",
                "lists-sum", "votes-cast", "admitted", "missing-total",
            }  # fmt: skip
            corrections[entry["id"]] = _truth(entry["id"], want)
        document = read(path, corrections=json.dumps(corrections))
    assert_canonical(document)
    assert_numbers(document, want)
    assert document["source"]["format"]["id"] == "pdf-n10-1-ocr"
    reading = next(n for n in document["notes"] if n["code"] == "pdf-reading")
    assert "OCR" in reading["message"] and "tesseract" in reading["message"]


@needs_tesseract
def test_ocr_words_carry_confidences_and_points() -> None:
    from telnorm.parsers.pdf.words import read_pages

    path = sample(SCAN)
    [page] = read_pages(path, 10)[:1]
    assert page.method == "ocr" and not page.words
    ocr.ocr_page(path, page, dpi=150, language="nld", timeout=60)
    assert page.words
    assert all(w.conf is not None and 0 <= w.conf <= 100 for w in page.words)
    assert all(0 <= w.x0 < w.x1 <= page.width + 1 for w in page.words)
    assert any(w.text == "Proces-verbaal" for w in page.words)


def test_scan_without_tesseract_is_a_clear_422(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    ocr.tesseract_version.cache_clear()
    ocr.has_language.cache_clear()
    try:
        with pytest.raises(OCRUnavailable) as caught:
            read(sample(SCAN))
        assert status_of(caught.value) == 422
        assert "tesseract-ocr-nld" in caught.value.message
    finally:
        ocr.tesseract_version.cache_clear()
        ocr.has_language.cache_clear()


def test_tsv_parsing_scales_to_points() -> None:
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t300\t600\t60\t30\t91.5\t128\n"
        "5\t1\t1\t1\t1\t2\t400\t600\t60\t30\t-1\t \n"
    )
    [word] = ocr.parse_tsv(tsv, 3, 72 / 300)
    assert word.text == "128" and word.page == 3 and word.conf == 91.5
    assert word.bbox == pytest.approx((72.0, 144.0, 86.4, 151.2))


def _located(pointer: str) -> tuple[int, tuple[float, float, float, float]]:
    """Where the text-layer twin of the scan prints a number (same drawing, same place)."""
    document = read(sample("n10-1_lindehoven_sb3.pdf"), locations=True)
    where = document["locations"][pointer]
    return where["page"], tuple(where["bbox"])  # type: ignore[return-value]


@needs_tesseract
def test_unchecked_numbers_are_read_again_as_digits() -> None:
    from telnorm.parsers.pdf.checks import Doubts
    from telnorm.parsers.pdf.record import Reading
    from telnorm.parsers.pdf.verify import reread_unchecked

    page, bbox = _located("/total_votes/rejected_votes/blanco")
    truth = expected(SCAN)["total_votes"]["rejected_votes"]["blanco"]
    right = Reading(str(truth), truth, page, bbox, 99.0, "ocr", "/right")
    wrong = Reading(str(truth + 3), truth + 3, page, bbox, 99.0, "ocr", "/wrong")
    doubts = Doubts()
    reread_unchecked(sample(SCAN), [right, wrong], doubts, dpi=300, timeout=60)
    assert set(doubts.entries) == {"/wrong"}
    assert doubts.entries["/wrong"]["reason"] == "readings-differ"
    # a number a passing check covers is not read again
    covered = Doubts()
    covered.covered.add("/wrong")
    reread_unchecked(sample(SCAN), [wrong], covered, dpi=300, timeout=60)
    assert not covered.entries


def test_scanner_layer_disagreeing_makes_a_number_doubtful() -> None:
    from telnorm.parsers.pdf.checks import Doubts
    from telnorm.parsers.pdf.record import Reading
    from telnorm.parsers.pdf.verify import against_layer
    from telnorm.parsers.pdf.words import Page, Word

    page = Page(1, 596, 842, method="ocr", had_ocr_layer=True)
    page.layer_words = [
        Word("1330", 1, 100, 100, 120, 110),
        Word("8’lO", 1, 100, 200, 120, 210),
    ]
    same = Reading("1330", 1330, 1, (101, 101, 119, 109), 95.0, "ocr", "/same")
    other = Reading("1830", 1830, 1, (101, 101, 119, 109), 95.0, "ocr", "/other")
    garbled = Reading("840", 840, 1, (101, 201, 119, 209), 95.0, "ocr", "/garbled")
    doubts = Doubts()
    against_layer([page], [same, other, garbled], doubts)
    assert set(doubts.entries) == {"/other"}
    assert "1330" in doubts.entries["/other"]["message"]


@needs_tesseract
def test_ocr_failing_on_a_page_is_a_problem_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from telnorm.parsers.errors import UnreadablePage

    def failing(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(args, 1, "", "Error: image is corrupt")

    ocr.require_ocr("nld")  # the engine's presence is known (cached) before it fails
    monkeypatch.setattr(ocr.subprocess, "run", failing)
    with pytest.raises(UnreadablePage) as caught:
        read(sample(SCAN))
    assert caught.value.location is not None and caught.value.location["page"] in (1, 2, 3, 4)
    assert "image is corrupt" in caught.value.message
