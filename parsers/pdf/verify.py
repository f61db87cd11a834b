"""Second readings of OCR'd numbers: a number one engine pass read is not yet a number.

Two independent second opinions, applied after the arithmetic checks:

* **the scanner's OCR layer** (when the scan has one): where it holds a clean number at the
  same place and that number differs from telnorm's reading, the number is doubtful
  (``readings-differ``). A garbled layer token is no evidence either way.
* **a digits-only re-read** of every OCR'd number that no passing check covers (blank and
  invalid votes of an O 3, list numbers, statistics without an equation): the number's box is
  cut from the page and read again by Tesseract as one line of digits only
  (``--psm 7``, whitelist ``0-9``); a different result makes it doubtful.

Numbers covered by a passing equation are not re-read: a misread among them breaks the sum.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from telnorm.parsers.pdf.checks import Doubts
from telnorm.parsers.pdf.layout import read_count
from telnorm.parsers.pdf.record import Reading
from telnorm.parsers.pdf.words import BBox, Page, Word


def _overlap(a: BBox, b: Word) -> bool:
    return min(a[2], b.x1) - max(a[0], b.x0) > 0 and min(a[3], b.bottom) - max(a[1], b.top) > 0


def against_layer(pages: list[Page], readings: Iterable[Reading], doubts: Doubts) -> None:
    layers = {p.number: p.layer_words for p in pages if p.layer_words}
    for reading in readings:
        if reading.method != "ocr" or reading.corrected or reading.value is None:
            continue
        theirs = [w for w in layers.get(reading.page, ()) if _overlap(reading.bbox, w)]
        clean = [read_count(w.text) for w in theirs]
        if len(clean) == 1 and clean[0] is not None and clean[0] != reading.value:
            doubts.add(
                reading,
                "readings-differ",
                f"telnorm's OCR read {reading.text!r}, the scanner's OCR layer {theirs[0].text!r}.",
            )


def reread_unchecked(
    path: Path,
    readings: Iterable[Reading],
    doubts: Doubts,
    *,
    dpi: int,
    timeout: float,
) -> None:
    """Re-read, digits only, each OCR'd number that no passing check covers."""
    todo = [
        r
        for r in readings
        if r.method == "ocr"
        and not r.corrected
        and r.value is not None
        and r.pointer not in doubts.covered
        and r.key not in doubts.entries
    ]
    if not todo:
        return
    from telnorm.parsers.pdf.crop import render_page

    images: dict[int, Any] = {}
    for reading in todo:
        if reading.page not in images:
            try:
                images[reading.page] = render_page(path, reading.page, dpi)
            except Exception:  # PDFium's errors on a damaged page: the number stays unproven
                images[reading.page] = None
        image = images[reading.page]
        second = _digits(image, reading.bbox, dpi, timeout) if image is not None else ""
        if second != str(reading.value) and second.lstrip("0") != str(reading.value):
            doubts.add(
                reading,
                "readings-differ",
                f"OCR read {reading.text!r}; read again as digits only: {second or 'nothing'!r}.",
            )


def _digits(image: Any, bbox: BBox, dpi: int, timeout: float) -> str:
    scale = dpi / 72.0
    margin = 3.0
    x0, top, x1, bottom = bbox
    box = (
        max(0, int((x0 - margin) * scale)),
        max(0, int((top - margin) * scale)),
        min(image.width, int((x1 + margin) * scale) + 1),
        min(image.height, int((bottom + margin) * scale) + 1),
    )
    exe = shutil.which("tesseract") or "tesseract"
    with tempfile.TemporaryDirectory(prefix="telnorm-ocr-") as folder:
        target = Path(folder) / "n.png"
        image.crop(box).save(target, format="PNG")
        try:
            result = subprocess.run(
                [exe, str(target), "stdout", "--psm", "7", "-c",
                 "tessedit_char_whitelist=0123456789"],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=dict(os.environ, OMP_THREAD_LIMIT="1"),
                check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return ""
    return "".join(ch for ch in result.stdout if ch.isdigit())
