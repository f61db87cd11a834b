"""The PDF parser passes the contract kit every parser plugin runs."""

from __future__ import annotations

from telnorm.parsers.pdf import PDFParser
from telnorm.parsers.testing import ParserContract, Sample
from telnorm.parsers.testing.samples import default_foreign_samples
from tests.pdf.helpers import PDF_SAMPLES


class TestPDFContract(ParserContract):
    parser = PDFParser
    # The born-digital samples (the scan would OCR every mutated copy: too slow for a kit run).
    samples = tuple(
        Sample(PDF_SAMPLES / name)
        for name in (
            "n10-1_lindehoven_sb3.pdf",
            "n11_lindehoven.pdf",
            "table_lindehoven_per_station.pdf",
        )
    )
    error_samples = (Sample(PDF_SAMPLES / "o3_kieskring7_wrong_total.pdf"),)
    # A PDF is this parser's own kind; every other foreign sample must still score low.
    foreign_samples = tuple(f for f in default_foreign_samples() if f.id != "pdf")
    fuzz_examples = 12
