"""Words with their positions, from a PDF's text layer or from OCR, page by page.

pdfplumber (on pdfminer.six, both maintained) gives every word of the text layer with its box
in PDF points, top-left origin, after the page's rotation; that is all the readers need:
tables are rebuilt from positions, never from ruling lines. A page that is a scan (one image
covering most of the page) is read by OCR instead (:mod:`telnorm.parsers.pdf.ocr`), even when
the scanner added an invisible OCR layer: such a layer carries no confidences, and the corpus
shows it garbles digits (``8’lO`` for a total), so it is never trusted for a count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telnorm.parsers.errors import LimitExceeded, MalformedInput, TelnormError, UnreadablePage

#: A page whose largest image covers this share of the page is treated as a scan.
SCAN_COVERAGE = 0.6

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Word:
    """One word: text, page (1-based), box ``(x0, top, x1, bottom)`` in PDF points from the
    top-left corner, and the OCR confidence (0-100; ``None`` for a text layer)."""

    text: str
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float | None = None

    @property
    def bbox(self) -> BBox:
        return (self.x0, self.top, self.x1, self.bottom)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Page:
    """The words of one page and how they were read (``text`` or ``ocr``)."""

    number: int
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    method: str = "text"
    #: The scanner's own OCR layer was present and ignored.
    had_ocr_layer: bool = False
    #: That layer's words: never read as values, only to cross-check telnorm's OCR.
    layer_words: list[Word] = field(default_factory=list)


def location(page: int, bbox: BBox) -> dict[str, Any]:
    """The ``{page, bbox}`` location of a value (points, rounded to 0.1)."""
    return {"page": page, "bbox": [round(v, 1) for v in bbox]}


def union(words: list[Word]) -> BBox:
    return (
        min(w.x0 for w in words),
        min(w.top for w in words),
        max(w.x1 for w in words),
        max(w.bottom for w in words),
    )


def _is_scan(page: Any) -> bool:
    area = float(page.width * page.height) or 1.0
    for image in page.images:
        w = max(0.0, min(float(image["x1"]), page.width) - max(float(image["x0"]), 0.0))
        h = max(0.0, min(float(image["bottom"]), page.height) - max(float(image["top"]), 0.0))
        if w * h / area >= SCAN_COVERAGE:
            return True
    return False


def read_pages(path: Path, max_pages: int) -> list[Page]:
    """Every page: its text-layer words, or an empty page marked ``ocr`` for a scan.

    The text layer is read here; scans are filled by OCR later (in the same worker), so that
    a born-digital file never pays for rendering.
    """
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(path)
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many types for damage
        raise MalformedInput(
            f"The PDF cannot be opened: it is damaged or not a PDF ({type(exc).__name__})."
        ) from exc
    try:
        return _read_all(pdf, max_pages)
    except TelnormError:
        raise
    except Exception as exc:  # pdfminer and pdfplumber raise many types for a damaged file
        raise MalformedInput(
            f"The PDF is damaged: its structure cannot be read ({type(exc).__name__})."
        ) from exc


def _read_all(pdf: Any, max_pages: int) -> list[Page]:
    pages: list[Page] = []
    with pdf:
        count = len(pdf.pages)
        if count > max_pages:
            raise LimitExceeded(
                f"The PDF has {count} pages; this service reads at most {max_pages} "
                "(setting max_pdf_pages).",
                location={"page": max_pages + 1},
            )
        if count == 0:
            raise MalformedInput("The PDF has no pages.")
        for number, page in enumerate(pdf.pages, start=1):
            pages.append(_read_page(page, number))
    return pages


def _read_page(page: Any, number: int) -> Page:
    try:
        # dedupe_chars: some producers draw a character twice (fake bold); read once
        raw = page.dedupe_chars().extract_words(keep_blank_chars=False, use_text_flow=False)
        scan = _is_scan(page)
        width, height = float(page.width), float(page.height)
    except Exception as exc:  # a damaged content stream: name the page
        raise UnreadablePage(
            f"Page {number} of the PDF cannot be read: its content is damaged "
            f"({type(exc).__name__}).",
            location={"page": number},
        ) from exc
    result = Page(number, width, height)
    words = [
        Word(
            str(item["text"]),
            number,
            float(item["x0"]),
            float(item["top"]),
            float(item["x1"]),
            float(item["bottom"]),
        )
        for item in raw
        if item.get("upright", True)
    ]
    if scan or (not raw and page.images):
        result.method = "ocr"
        result.had_ocr_layer = bool(raw)
        result.layer_words = words
        return result
    result.words = words
    return result
