"""PNG crops of doubtful numbers: what a clerk looks at to type the right value.

Each doubtful number of a refusal carries ``crop``: a small grey PNG (base64) of its box with
a margin, rendered by pypdfium2 from the page itself (scan or text). The web page shows it
next to the input for the correction; :func:`crop_png` gives the same for any box.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from telnorm.parsers.pdf.words import BBox

#: Crops are added to at most this many doubtful numbers (the problem stays small).
MAX_CROPS = 60
CROP_DPI = 110


def render_page(path: Path, page_number: int, dpi: int) -> Any:
    """One page as a grey PIL image at ``dpi``."""
    return _render(path, page_number, dpi)


def _render(path: Path, page_number: int, dpi: int) -> Any:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return document[page_number - 1].render(scale=dpi / 72.0, grayscale=True).to_pil()
    finally:
        document.close()


def _cut(image: Any, bbox: BBox, dpi: int, margin: float) -> bytes:
    scale = dpi / 72.0
    x0, top, x1, bottom = bbox
    box = (
        max(0, int((x0 - margin) * scale)),
        max(0, int((top - margin) * scale)),
        min(image.width, int((x1 + margin) * scale) + 1),
        min(image.height, int((bottom + margin) * scale) + 1),
    )
    buffer = io.BytesIO()
    image.crop(box).save(buffer, format="PNG")
    return buffer.getvalue()


def crop_png(
    path: Path, page_number: int, bbox: BBox, dpi: int = 150, margin: float = 6.0
) -> bytes:
    """A PNG of one box of a page (points, top-left origin) with a margin around it."""
    return _cut(_render(path, page_number, dpi), bbox, dpi, margin)


def add_crops(path: Path, entries: list[dict[str, Any]], dpi: int = CROP_DPI) -> None:
    """Give each doubtful entry (up to :data:`MAX_CROPS`) a ``crop``: a data URI of a PNG of
    its box, with some room to the left so the row's label shows too. Pages that cannot be
    rendered simply get no crops."""
    pages: dict[int, Any] = {}
    for entry in entries[:MAX_CROPS]:
        number = int(entry["page"])
        if number not in pages:
            try:
                pages[number] = _render(path, number, dpi)
            except Exception:  # a damaged page: the entry keeps page and bbox, without crop
                pages[number] = None
        image = pages[number]
        if image is None:
            continue
        x0, top, x1, bottom = entry["bbox"]
        png = _cut(image, (x0 - 60.0, top, x1, bottom), dpi, 4.0)
        entry["crop"] = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
