"""OCR of scanned pages: render with pypdfium2, read with the Tesseract CLI (TSV output).

Tesseract is called through its command line rather than a Python binding: the CLI is the
interface Tesseract itself maintains, a subprocess can be given a hard timeout and killed,
and a crash in the engine cannot take the worker down. The TSV output gives every word with
its box and its confidence (0-100), which is what the never-silently-wrong checks need.
Rendering uses pypdfium2 (PDFium, maintained; installed with pdfplumber), in process.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from telnorm.parsers.errors import OCRUnavailable, ParseTimeout, UnreadablePage
from telnorm.parsers.pdf.words import Page, Word

#: Tesseract's page segmentation mode 6: one uniform block of text, which keeps a table row
#: (number, name, votes) on one line.
PSM = "6"


@lru_cache(maxsize=1)
def tesseract_version() -> str | None:
    """``tesseract 5.3.0`` or ``None`` when the CLI is not installed."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0].strip() if first else "tesseract"


@lru_cache(maxsize=1)
def has_language(language: str) -> bool:
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    try:
        out = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return language in (out.stdout + out.stderr).split()


def require_ocr(language: str) -> str:
    """The engine version, or :class:`OCRUnavailable` naming what is missing."""
    version = tesseract_version()
    if version is None or not has_language(language):
        missing = "Tesseract" if version is None else f"Tesseract's language data {language!r}"
        raise OCRUnavailable(
            f"The file is a scan (pages without a text layer) and {missing} is not installed "
            "on this server, so its numbers cannot be read. Install tesseract-ocr and "
            "tesseract-ocr-nld, or send a PDF with a text layer or the count as EML/CSV."
        )
    return version


def render_png(path: Path, page_number: int, dpi: int) -> bytes:
    """One page (1-based) rendered to an 8-bit grey PNG at ``dpi``."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        page = document[page_number - 1]
        bitmap = page.render(scale=dpi / 72.0, grayscale=True)
        image = bitmap.to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()
    finally:
        document.close()


def ocr_page(path: Path, page: Page, *, dpi: int, language: str, timeout: float) -> None:
    """Fill ``page.words`` by OCR (boxes converted back to points, with confidences)."""
    recognise(page, render_for_ocr(path, page, dpi), dpi=dpi, language=language, timeout=timeout)


def ocr_pages(
    path: Path, pages: list[Page], *, dpi: int, language: str, timeout: float, threads: int
) -> None:
    """OCR several pages, ``threads`` Tesseract processes at a time. Pages are rendered one
    by one in this thread (PDFium is not thread-safe); only the engine runs concurrently."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for start in range(0, len(pages), max(1, threads)):
            batch = pages[start : start + max(1, threads)]
            images = [render_for_ocr(path, page, dpi) for page in batch]
            jobs = [
                pool.submit(recognise, page, png, dpi=dpi, language=language, timeout=timeout)
                for page, png in zip(batch, images, strict=True)
            ]
            for job in jobs:
                job.result()


def render_for_ocr(path: Path, page: Page, dpi: int) -> bytes:
    try:
        return render_png(path, page.number, dpi)
    except Exception as exc:  # PDFium raises its own error types for damaged pages
        raise UnreadablePage(
            f"Page {page.number} cannot be rendered for OCR: it is damaged ({type(exc).__name__}).",
            location={"page": page.number},
        ) from exc


def recognise(page: Page, png: bytes, *, dpi: int, language: str, timeout: float) -> None:
    """Run Tesseract on one rendered page (TSV: words, boxes, confidences)."""
    exe = shutil.which("tesseract") or "tesseract"
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory(prefix="telnorm-ocr-") as folder:
        image = Path(folder) / "page.png"
        image.write_bytes(png)
        try:
            result = subprocess.run(
                [exe, str(image), "stdout", "-l", language, "--psm", PSM, "tsv"],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ParseTimeout(
                f"OCR of page {page.number} took longer than {timeout:g} s "
                "(setting ocr_timeout_seconds).",
                location={"page": page.number},
            ) from exc
    if result.returncode != 0:
        raise UnreadablePage(
            f"OCR failed on page {page.number}: {result.stderr.strip()[:200]}",
            location={"page": page.number},
        )
    page.words = parse_tsv(result.stdout, page.number, 72.0 / dpi)
    page.method = "ocr"


def parse_tsv(text: str, page_number: int, to_points: float) -> list[Word]:
    """Tesseract TSV to words (level 5 rows with text), pixel boxes scaled to points."""
    words: list[Word] = []
    reader = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        item: dict[str, Any] = row
        if item.get("level") != "5":
            continue
        content = (item.get("text") or "").strip()
        if not content:
            continue
        left, top = int(item["left"]), int(item["top"])
        width, height = int(item["width"]), int(item["height"])
        words.append(
            Word(
                content,
                page_number,
                left * to_points,
                top * to_points,
                (left + width) * to_points,
                (top + height) * to_points,
                max(0.0, float(item["conf"])),
            )
        )
    return words
