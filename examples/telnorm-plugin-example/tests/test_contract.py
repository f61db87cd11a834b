"""telnorm's contract kit, run over the TelStaat parser: this is all a plugin needs."""

from pathlib import Path

from telnorm_telstaat import TelStaatParser

from telnorm.parsers.testing import ParserContract, samples_in

HERE = Path(__file__).parent
SAMPLES = HERE.parent / "src" / "telnorm_telstaat" / "samples"


class TestTelStaatContract(ParserContract):
    parser = TelStaatParser
    samples = samples_in(SAMPLES, "*.txt")
    error_samples = samples_in(HERE / "errors", "*.txt")
