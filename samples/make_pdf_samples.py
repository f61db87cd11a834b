"""Generate the PDF samples: FICTIONAL records of Lindehoven (Kieskring 7) in the Kiesraad
models N 10-1 (a polling station), N 11 (the municipality) and O 3 (a district office), as
born-digital PDFs (reportlab) and as a scan (the N 10-1 rasterised with pdftoppm and wrapped
as an image-only PDF), plus the expected numbers of each, from one truth table.

The expected JSON is built from the truth table here, never by running telnorm. The O 3 is
deliberately wrong in one place (a list total that its candidates do not add up to), for the
refusal and corrections tests. Run: ``.venv/bin/python samples/make_pdf_samples.py``
(needs reportlab, Pillow and pdftoppm).
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "pdf"

LISTS: list[tuple[str, str, list[tuple[str, int]]]] = [
    ("1", "Lindehoven Lokaal", [("Aalbers, A. (Anna) (v)", 301), ("Bakker, B. (Bram) (m)", 57),
                                ("Claassen, C. (Cor) (m)", 12)]),
    ("2", "Partij voor de Polder", [("Dekker, D. (Dirk) (m)", 188), ("Evers, E. (Eva) (v)", 40)]),
    ("3", "Groen Lindehoven", [("Fransen, F. (Fleur) (v)", 233), ("Gerritsen, G. (Gijs) (m)", 9),
                               ("Hendriks, H. (Hanna) (v)", 0), ("Jansen, J. (Joop) (m)", 9)]),
]
BLANK, INVALID = 4, 2
PASSES, PROXIES, CARDS = 812, 41, 3


def _valid() -> int:
    return sum(v for _, _, cands in LISTS for _, v in cands)


def _stats() -> list[tuple[str, str, int]]:
    valid = _valid()
    cast = valid + BLANK + INVALID
    return [
        ("A", "Aantal geldige stempassen", PASSES),
        ("B", "Aantal geldige volmachtbewijzen", PROXIES),
        ("C", "Aantal geldige kiezerspassen", CARDS),
        ("D", "Totaal toegelaten kiezers", PASSES + PROXIES + CARDS),
        ("E", "Aantal stemmen op kandidaten", valid),
        ("F", "Aantal blanco stemmen", BLANK),
        ("G", "Aantal ongeldige stemmen", INVALID),
        ("H", "Totaal uitgebrachte stemmen", cast),
    ]


def _draw(model: str, heading: str, place: str, stats: bool, wrong_total: bool) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    width, height = A4
    y = height - 60

    def text(x: float, value: str, size: int = 11, bold: bool = False) -> None:
        pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        pdf.drawString(x, y, value)

    def right(x: float, value: str) -> None:
        pdf.setFont("Helvetica", 11)
        pdf.drawRightString(x, y, value)

    text(60, f"Model {model}", 10)
    y -= 30
    text(60, heading, 14, bold=True)
    y -= 30
    text(60, "Dit proces-verbaal heeft betrekking op:")
    y -= 18
    text(60, "de verkiezing van de Tweede Kamer der Staten-Generaal")
    y -= 18
    text(60, "Datum stemming")
    text(200, "17 maart 2027")
    y -= 18
    text(60, place)
    y -= 36
    if stats:
        text(60, "Aantallen kiezers en stemmen", 12, bold=True)
        y -= 22
        for letter, label, value in _stats():
            text(60, letter)
            text(80, label)
            right(520, str(value))
            y -= 18
    pdf.showPage()
    for number, name, candidates in LISTS:
        y = height - 60
        text(60, "Partijnaam")
        text(200, name)
        y -= 18
        text(60, "Lijstnummer")
        text(200, number)
        y -= 26
        text(60, "Nummer", 10)
        text(130, "Naam kandidaat", 10)
        text(440, "Aantal stemmen", 10)
        y -= 20
        for position, (cand, votes) in enumerate(candidates, start=1):
            text(60, str(position))
            text(130, cand)
            right(520, str(votes))
            y -= 18
        total = sum(v for _, v in candidates) + (1 if wrong_total and number == "2" else 0)
        y -= 6
        text(300, "Totaal (stemcijfer)")
        right(520, str(total))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _expected(level: str, stats: bool) -> dict[str, Any]:
    total: dict[str, Any] = {
        "total_counted": _valid(),
        "selections": [
            {
                "affiliation_id": number,
                "valid_votes": sum(v for _, v in cands),
                "candidates": [
                    {"candidate_id": str(i), "valid_votes": v}
                    for i, (_, v) in enumerate(cands, start=1)
                ],
            }
            for number, _, cands in LISTS
        ],
    }
    if stats:
        total["rejected_votes"] = {"blanco": BLANK, "ongeldig": INVALID}
        total["votes_cast"] = _valid() + BLANK + INVALID
        total["uncounted_votes"] = {
            "geldige stempassen": PASSES,
            "geldige volmachtbewijzen": PROXIES,
            "geldige kiezerspassen": CARDS,
            "toegelaten kiezers": PASSES + PROXIES + CARDS,
        }
    return {
        "level": level,
        "election": {"id": "TK2027", "category": "TK", "date": "2027-03-17"},
        "affiliations": [
            {"id": number, "name": name, "candidates": [c for c, _ in cands]}
            for number, name, cands in LISTS
        ],
        "total_votes": total,
    }


def _scan(pdf: bytes, dpi: int = 200) -> bytes:
    """Rasterise every page (pdftoppm, grey) and wrap the images as an image-only PDF."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(Path(folder) / "p")],
            check=True,
        )
        images = [Image.open(p).convert("L") for p in sorted(Path(folder).glob("p-*.png"))]
        out = io.BytesIO()
        images[0].save(out, format="PDF", resolution=dpi, save_all=True,
                       append_images=images[1:])
        return out.getvalue()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    n10 = _draw("N 10-1", "Proces-verbaal van een stembureau",
                "Gemeente Lindehoven, stembureau 3 (Het Baken)", True, False)
    n11 = _draw("N 11", "Proces-verbaal van het gemeentelijk stembureau", "Gemeente Lindehoven",
                True, False)
    o3 = _draw("O 3", "Proces-verbaal van het hoofdstembureau", "Kieskring 7 (Lindehoven)",
               False, True)
    files = {
        "n10-1_lindehoven_sb3.pdf": (n10, _expected("polling_station", True)),
        "n10-1_lindehoven_sb3_scan.pdf": (_scan(n10), _expected("polling_station", True)),
        "n11_lindehoven.pdf": (n11, _expected("municipality", True)),
        "o3_kieskring7_wrong_total.pdf": (o3, None),
    }
    for name, (data, expected) in files.items():
        (OUT / name).write_bytes(data)
        if expected is not None:
            target = OUT / name.replace(".pdf", ".expected.json")
            target.write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", "utf-8")




# --- a per-station table printed to PDF (the osv4-3 layout, as a spreadsheet prints it) ------

STATIONS = ["De Linde", "Het Baken", "Sporthal Oost"]


def _station_votes() -> list[tuple[str, str, list[tuple[str, list[int]]]]]:
    """Per list, per candidate: votes in each station (a fixed, made-up pattern)."""
    out = []
    for number, name, cands in LISTS:
        rows = []
        for k, (cand, total) in enumerate(cands):
            first = total // 2
            second = (total - first) // 3 + k
            second = min(second, total - first)
            rows.append((cand, [first, second, total - first - second]))
        out.append((number, name, rows))
    return out


def _station_stats() -> list[tuple[str, list[int]]]:
    data = _station_votes()
    valid = [sum(v[i] for _, _, rows in data for _, v in rows) for i in range(3)]
    blank, invalid = [1, 2, 1], [0, 1, 1]
    cast = [valid[i] + blank[i] + invalid[i] for i in range(3)]
    return [
        ("opgeroepenen", [1200, 1100, 900]),
        ("toegelaten kiezers", cast),
        ("blanco stembiljetten", blank),
        ("geldige stembiljetten", valid),
        ("ongeldige stembiljetten", invalid),
        ("aangetroffen stembiljetten", cast),
    ]


def _table_rows() -> list[list[str]]:
    rows: list[list[str]] = []
    for label, values in _station_stats():
        rows.append(["", label, "", "", str(sum(values)), *map(str, values)])
    for number, name, cands in _station_votes():
        totals = [sum(v[i] for _, v in cands) for i in range(3)]
        rows.append([number, name, "", "", str(sum(totals)), *map(str, totals)])
        for position, (cand, votes) in enumerate(cands, start=1):
            rows.append(["", "", str(position), cand, str(sum(votes)), *map(str, votes)])
    return rows


def _draw_table(rows_per_page: int = 12) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    size = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=size, invariant=1)
    lefts = [40, 100, 260, 320]
    rights = [560, 640, 720, 800]
    header = ["Lijstnummer", "Aanduiding", "Volgnummer", "Naam kandidaat"]
    rows = _table_rows()
    for start in range(0, len(rows), rows_per_page):
        y = size[1] - 50
        pdf.setFont("Helvetica", 9)
        if start == 0:
            for line in ("Verkiezing Tweede Kamer 2027", "Gebied Gemeente Lindehoven"):
                pdf.drawString(40, y, line)
                y -= 14
            y -= 20
        for x, label in zip(lefts, header, strict=False):
            pdf.drawString(x, y, label)
        for x, label in zip(rights, ["Totaal", *STATIONS], strict=True):
            pdf.drawRightString(x, y, label)
        y -= 18
        for row in rows[start : start + rows_per_page]:
            for x, value in zip(lefts, row[:4], strict=True):
                pdf.drawString(x, y, value)
            for x, value in zip(rights, row[4:], strict=True):
                pdf.drawRightString(x, y, value)
            y -= 14
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _table_expected() -> dict[str, Any]:
    data = _station_votes()
    stats = dict(_station_stats())

    def group(i: int | None) -> dict[str, Any]:
        def pick(values: list[int]) -> int:
            return sum(values) if i is None else values[i]

        return {
            "cast": pick(stats["opgeroepenen"]),
            "total_counted": pick(stats["geldige stembiljetten"]),
            "rejected_votes": {
                "blanco": pick(stats["blanco stembiljetten"]),
                "ongeldig": pick(stats["ongeldige stembiljetten"]),
            },
            "votes_cast": pick(stats["aangetroffen stembiljetten"]),
            "selections": [
                {
                    "affiliation_id": number,
                    "valid_votes": sum(pick(v) for _, v in cands),
                    "candidates": [
                        {"candidate_id": str(k), "valid_votes": pick(v)}
                        for k, (_, v) in enumerate(cands, start=1)
                    ],
                }
                for number, _, cands in data
            ],
        }

    return {
        "level": "municipality",
        "stations": STATIONS,
        "total_votes": group(None),
        "reporting_unit_votes": [group(i) for i in range(3)],
    }


def table_main() -> None:
    (OUT / "table_lindehoven_per_station.pdf").write_bytes(_draw_table())
    (OUT / "table_lindehoven_per_station.expected.json").write_text(
        json.dumps(_table_expected(), indent=1, ensure_ascii=False) + "\n", "utf-8"
    )


if __name__ == "__main__":
    main()
    table_main()
