"""The PDF benchmark (issue 21): pages per second from a text layer and by OCR, peak RSS.

What it does:

1. Generates, under ``benchmarks/out/`` (git-ignored), a FICTIONAL district record (model
   O 3) as a born-digital PDF with reportlab: ``--lists`` lists of ``--candidates`` candidates,
   one list per page or more (default 20 x 50: about 40 pages), whose arithmetic holds; and a
   scan of its first ``--ocr-pages`` pages (pdftoppm at 200 dpi, wrapped as an image-only PDF).
2. Runs ``telnorm normalise`` on each as a separate process, ``--repeat`` times, and reports
   the median wall time, pages per second and the child's peak RSS (``os.wait4``). The scan
   may be refused (422, doubtful numbers): the time is what reading it took either way, and
   the outcome is printed.

Usage::

    .venv/bin/python benchmarks/pdf.py [--repeat 3] [--lists 20] [--candidates 50]
        [--ocr-pages 4] [--json benchmarks/out/pdf.json]

Needs reportlab (dev extra), pdftoppm and tesseract (for the OCR half).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BIN = Path(sys.executable).parent


def make_record(lists: int, candidates: int) -> bytes:
    """An O 3-like record: per list a heading, rows of position/name/votes, a total."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    height = A4[1]
    pdf.setFont("Helvetica", 10)
    pdf.drawString(60, height - 60, "Model O 3")
    pdf.drawString(60, height - 90, "Proces-verbaal van het hoofdstembureau")
    pdf.drawString(60, height - 120, "de verkiezing van de Tweede Kamer der Staten-Generaal")
    pdf.drawString(60, height - 140, "Kieskring 7 (Lindehoven)")
    pdf.showPage()
    for number in range(1, lists + 1):
        y = height - 60
        pdf.setFont("Helvetica", 10)
        pdf.drawString(60, y, f"Partijnaam    Partij {number}")
        pdf.drawString(60, y - 16, f"Lijstnummer   {number}")
        y -= 48
        total = 0
        for position in range(1, candidates + 1):
            if y < 60:
                pdf.showPage()
                pdf.setFont("Helvetica", 10)
                y = height - 60
            votes = (number * 7919 + position * 104729) % 5000 // position
            total += votes
            pdf.drawString(60, y, str(position))
            pdf.drawString(110, y, f"Kandidaat {number}-{position}, A. (m)")
            pdf.drawRightString(520, y, str(votes))
            y -= 14
        pdf.drawString(300, y - 8, "Totaal (stemcijfer)")
        pdf.drawRightString(520, y - 8, str(total))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_scan(record: Path, pages: int, dpi: int = 200) -> bytes:
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["pdftoppm", "-l", str(pages), "-r", str(dpi), "-gray", "-png", str(record),
             str(Path(folder) / "p")],
            check=True,
        )  # fmt: skip
        images = [Image.open(p).convert("L") for p in sorted(Path(folder).glob("p-*.png"))]
        out = io.BytesIO()
        images[0].save(out, format="PDF", resolution=dpi, save_all=True, append_images=images[1:])
        return out.getvalue()


def run_once(path: Path) -> dict[str, Any]:
    """``telnorm normalise`` as a child: wall seconds, peak RSS (MiB), exit status."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen(
            [str(BIN / "telnorm"), "normalise", str(path), "-o", str(Path(folder) / "o.json")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        if process.stderr:
            process.stderr.close()
    return {
        "seconds": wall,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,
        "exit": os.waitstatus_to_exitcode(status),
        "error": error.strip().splitlines()[0][:160] if error.strip() else "",
    }


def pages_of(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def measure(name: str, path: Path, repeat: int) -> dict[str, Any]:
    runs = [run_once(path) for _ in range(repeat)]
    pages = pages_of(path)
    seconds = statistics.median(r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    return {
        "input": name,
        "pages": pages,
        "seconds": round(seconds, 2),
        "pages_per_second": round(pages / seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "pages_per_cpu_second": round(pages / cpu, 2),
        "peak_rss_mib": round(max(r["rss_mib"] for r in runs), 1),
        "exit": runs[-1]["exit"],
        "outcome": "document" if runs[-1]["exit"] == 0 else runs[-1]["error"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lists", type=int, default=20)
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--ocr-pages", type=int, default=4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    text = OUT / "pdf-o3-text.pdf"
    text.write_bytes(make_record(args.lists, args.candidates))
    scan = OUT / "pdf-o3-scan.pdf"
    scan.write_bytes(make_scan(text, args.ocr_pages))
    results = [measure("text layer", text, args.repeat), measure("OCR", scan, args.repeat)]
    print(
        f"{'input':<12} {'pages':>5} {'wall s':>7} {'pages/s':>8} {'cpu s':>7} "
        f"{'pages/cpu s':>11} {'RSS MiB':>8}  outcome"
    )
    for r in results:
        print(
            f"{r['input']:<12} {r['pages']:>5} {r['seconds']:>7} {r['pages_per_second']:>8} "
            f"{r['cpu_seconds']:>7} {r['pages_per_cpu_second']:>11} {r['peak_rss_mib']:>8}  "
            f"{r['outcome'][:90]}"
        )
    if args.json:
        meta = {"machine": platform.machine(), "cpus": os.cpu_count(), "python": sys.version}
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1))


if __name__ == "__main__":
    main()
