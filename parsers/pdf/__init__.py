"""PDF records and scans of the proces-verbaal: Kiesraad models N 10-1, N 11 and O 3.

How a file is read (details in ``docs/pdf.md``):

1. every page's words with their boxes, from the text layer (pdfplumber); a page that is a
   scan is read by OCR (Tesseract, with word confidences) instead;
2. the words become lines by position; the record model is identified from the first pages'
   model code and headings (never the file name);
3. the record reader collects lists, candidate rows, totals and statistic lines, keeping
   every number with its page, box and confidence;
4. corrections supplied by the caller replace numbers by id (JSON Pointer);
5. the record's own arithmetic and the OCR confidences vouch for every number; one doubtful
   number refuses the reading with :class:`DoubtfulNumbers` (422) listing them all.

Option ``corrections``: a JSON object mapping the id of a listed number to its value.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from telnorm.parsers.api import Detection, ParseContext, Parser, Source
from telnorm.parsers.canonical import Document
from telnorm.parsers.errors import DoubtfulNumbers, RequestError, UnsupportedFormat
from telnorm.parsers.pdf.assemble import (
    Thresholds,
    apply_corrections,
    build,
    check,
    point_readings,
    refuse,
)
from telnorm.parsers.pdf.checks import Doubts
from telnorm.parsers.pdf.crop import add_crops
from telnorm.parsers.pdf.layout import Line, lines_of
from telnorm.parsers.pdf.model import Identified, identify
from telnorm.parsers.pdf.ocr import ocr_pages, require_ocr
from telnorm.parsers.pdf.record import Reading, read_record
from telnorm.parsers.pdf.table import apply_corrections as apply_table_corrections
from telnorm.parsers.pdf.table import check_document, grids, read_tables
from telnorm.parsers.pdf.verify import against_layer, reread_unchecked
from telnorm.parsers.pdf.words import Page, read_pages

__all__ = ["PDFParser", "parse_corrections"]

LANGUAGE = "nld"


class PDFParser(Parser):
    name = "pdf"
    version = "1.0.0"
    title = "Kiesraad records as PDF or scan (N 10-1, N 11, O 3): text layer or OCR, checked"
    media_types = ("application/pdf",)
    extensions = (".pdf",)
    options = ("corrections",)

    def detect(self, head: bytes, filename: str | None) -> Detection:
        # The header may follow some bytes of junk (the format allows 1024).
        if b"%PDF-" not in head[:1024]:
            return Detection.no("no %PDF- header")
        # The text of a PDF is compressed: the record model is identified from the first
        # pages' content when the file is read (model code, headings), never from its name.
        return Detection(
            0.9,
            ("a PDF document (%PDF- header); the record model is read from its first pages",),
            "pdf",
            "application/pdf",
        )

    def parse(self, source: Source, context: ParseContext) -> Document:
        try:
            import pdfplumber  # noqa: F401
            import pypdfium2  # noqa: F401
        except ImportError as exc:
            raise UnsupportedFormat(
                "The file is a PDF, and PDF support is not installed on this server "
                "(pip install 'telnorm[pdf]'). Send the count as EML, CSV or spreadsheet."
            ) from exc
        limits = context.limits
        corrections = parse_corrections(context.options.get("corrections"))
        pages = read_pages(source.path, limits.max_pdf_pages)
        engine = self._ocr(source, pages, context)
        lines = [lines_of(page.words) for page in pages]
        how = _how(pages, engine)
        thresholds = Thresholds(limits.ocr_min_confidence, limits.ocr_min_confidence_checked)
        identified = identify(lines[:2])
        try:
            if identified is not None:
                document = self._record(
                    source, lines, pages, identified, corrections, thresholds, context, how
                )
                code = identified.model.lower().replace(" ", "")
                context.note(
                    "pdf-model", f"Model {identified.model}: " + "; ".join(identified.evidence)
                )
            else:
                document = self._table(source, pages, lines, corrections, thresholds, context, how)
                code = "table"
        except DoubtfulNumbers as refusal:
            add_crops(source.path, refusal.extra.get("doubtful") or [])
            raise
        context.note("pdf-reading", how[0].upper() + how[1:] + ".")
        document["source"] = {
            "media_type": "application/pdf",
            "format": f"pdf-{code}-{'ocr' if engine else 'text'}",
        }
        return document

    def _record(
        self,
        source: Source,
        lines: list[list[Line]],
        pages: list[Page],
        identified: Identified,
        corrections: dict[str, int],
        thresholds: Thresholds,
        context: ParseContext,
        how: str,
    ) -> Document:
        methods = {page.number: page.method for page in pages}
        record = read_record(lines, methods)
        readings = point_readings(record)
        apply_corrections(readings, corrections, context)
        doubts = check(record, readings, thresholds)
        self._second_readings(source, pages, readings, doubts, context)
        if doubts.entries:
            raise refuse(doubts, how)
        document = build(record, identified.level, context)
        if record.annex_from is not None:
            context.note(
                "pdf-annex-not-read",
                f"From page {record.annex_from} on (the annexes: 'Bijlage') nothing was read.",
                {"page": record.annex_from},
            )
        return document

    def _table(
        self,
        source: Source,
        pages: list[Page],
        lines: list[list[Line]],
        corrections: dict[str, int],
        thresholds: Thresholds,
        context: ParseContext,
        how: str,
    ) -> Document:
        found = grids(lines)
        if not found:
            raise UnsupportedFormat(
                "The PDF is not a record telnorm knows: no model code (N 10-1, N 11, O 3) or "
                "record heading ('Proces-verbaal van ...') on its first pages, and no table of "
                "numbers. Send the count as EML, CSV or spreadsheet.",
                location={"page": 1},
            )
        apply_table_corrections(found, corrections, context)
        document, readings = read_tables(found, context)
        doubts = Doubts()
        check_document(document, readings, doubts)
        doubts.confidence(readings.values(), thresholds.min_conf, thresholds.min_conf_checked)
        self._second_readings(source, pages, list(readings.values()), doubts, context)
        if doubts.entries:
            raise refuse(doubts, how)
        document.pop("source", None)
        return document

    def _second_readings(
        self,
        source: Source,
        pages: list[Page],
        readings: list[Reading],
        doubts: Doubts,
        context: ParseContext,
    ) -> None:
        """OCR'd numbers against the scanner's layer; unchecked ones read again (only when
        nothing else is doubtful: a refusal is coming anyway, and a retry re-reads)."""
        against_layer(pages, readings, doubts)
        if not doubts.entries:
            reread_unchecked(
                source.path,
                readings,
                doubts,
                dpi=context.limits.ocr_dpi,
                timeout=context.limits.ocr_timeout_seconds,
            )

    def _ocr(self, source: Source, pages: list[Page], context: ParseContext) -> str | None:
        scans = [page for page in pages if page.method == "ocr"]
        if not scans:
            return None
        version = require_ocr(LANGUAGE)
        limits = context.limits
        ocr_pages(
            source.path,
            scans,
            dpi=limits.ocr_dpi,
            language=LANGUAGE,
            timeout=limits.ocr_timeout_seconds,
            threads=max(1, min(4, os.cpu_count() or 1)),
        )
        for page in scans:
            if page.had_ocr_layer:
                context.note(
                    "pdf-ocr-layer-ignored",
                    f"Page {page.number} is a scan with an OCR layer; that layer has no "
                    "confidences and was not used: the page was read by telnorm's own OCR.",
                    {"page": page.number},
                    once_key="ocr-layer",
                )
        return version


def _how(pages: list[Page], engine: str | None) -> str:
    import pdfplumber

    text = [p.number for p in pages if p.method == "text"]
    ocr = [p.number for p in pages if p.method == "ocr"]
    parts = []
    if text:
        parts.append(f"text layer of {_ranges(text)} by pdfplumber {pdfplumber.__version__}")
    if ocr:
        parts.append(f"OCR of {_ranges(ocr)} by {engine} ({LANGUAGE})")
    return "read from the " + " and ".join(parts) if parts else "no pages"


def _ranges(numbers: list[int]) -> str:
    spans: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], -1]:
        if n == prev + 1:
            prev = n
            continue
        spans.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    return ("page " if len(numbers) == 1 else "pages ") + ", ".join(spans)


def parse_corrections(value: Any) -> dict[str, int]:
    """The ``corrections`` option: a JSON object (or a mapping) of id -> whole number."""
    if value is None or value == "":
        return {}
    raw: Any = value
    if isinstance(value, (str, bytes)):
        try:
            raw = json.loads(value)
        except ValueError as exc:
            raise RequestError(
                'corrections must be a JSON object of id -> number, e.g. {"/total_votes/'
                'selections/0/valid_votes": 1234}.'
            ) from exc
    if not isinstance(raw, Mapping):
        raise RequestError("corrections must be a JSON object of id -> number.")
    out: dict[str, int] = {}
    for key, given in raw.items():
        number = int(given.strip()) if isinstance(given, str) and given.strip().isdigit() else given
        if type(number) is not int or number < 0:
            raise RequestError(
                f"The correction for {key!r} must be a whole number of 0 or more, not {number!r}."
            )
        out[str(key)] = number
    return out
