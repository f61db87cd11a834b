"""The contract test kit for parser plugins (``pip install 'telnorm[testing]'``).

In a plugin's test suite::

    from telnorm.parsers.testing import ParserContract

    class TestMyParser(ParserContract):
        parser = MyParser
        samples = ["tests/samples/count.txt"]

or, without pytest, ``check_parser(MyParser, samples)`` returns a :class:`Verdict`
(``telnorm plugins check`` prints one). The checks: the class is a valid parser for this API
version; detection scores its own samples >= 0.5 and files of other formats < 0.5; every output
passes the canonical JSON Schema (:func:`assert_canonical`, the helper telnorm's own tests
use); two parses of the same bytes give identical JSON; errors about a file's content are
:class:`telnorm.parsers.TelnormError` subclasses that carry a location; damaged and random
bytes never raise anything else.
"""

from __future__ import annotations

from telnorm.parsers.testing.checks import (
    CHECKS,
    THRESHOLD,
    CheckResult,
    Verdict,
    check_parser,
    normalise_with,
)
from telnorm.parsers.testing.contract import ParserContract
from telnorm.parsers.testing.samples import (
    ForeignSample,
    Sample,
    builtin_foreign_samples,
    corpus_foreign_samples,
    corpus_root,
    default_foreign_samples,
    samples_in,
)
from telnorm.parsers.testing.schema import assert_canonical, canonical_errors, canonical_schema

__all__ = [
    "CHECKS",
    "THRESHOLD",
    "CheckResult",
    "ForeignSample",
    "ParserContract",
    "Sample",
    "Verdict",
    "assert_canonical",
    "builtin_foreign_samples",
    "canonical_errors",
    "canonical_schema",
    "check_parser",
    "corpus_foreign_samples",
    "corpus_root",
    "default_foreign_samples",
    "normalise_with",
    "samples_in",
]
