"""A plugin written against a parser API telnorm does not have: importing it fails.

The mistake is a realistic one: the plugin imports a name from a newer (imagined) API, so
loading the entry point raises ImportError. telnorm must report it, not crash.
"""

from telnorm.parsers import ParserV2  # type: ignore[attr-defined]  # the deliberate error


class BrokenParser(ParserV2):  # type: ignore[misc]
    name = "broken"
    version = "0.0.1"
