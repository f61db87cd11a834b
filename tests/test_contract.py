"""The canonical contract and the public plugin API stay what the docs say."""

from __future__ import annotations

from pathlib import Path

import orjson

from telnorm import parsers
from telnorm.parsers.canonical import clean_unit_name, json_schema, normalise_postcode, unit_number
from tests.conftest import ROOT, SCHEMA_PATH

DOCUMENTED_API = {
    "API_VERSION", "FORMAT_VERSION", "HEAD_BYTES", "BinaryInput", "CandidateVotes",
    "CanonicalDocument", "ContextFileError", "Detection", "Document", "EmptyInput",
    "InputTooLarge", "InvalidValue", "LimitExceeded", "Limits", "MalformedInput",
    "MalformedXML", "Note", "NotACount", "NotEML", "ParseContext", "ParseTimeout", "Parser",
    "ReportingUnit", "RequestError", "Selection", "Source", "StructureError", "TelnormError",
    "UnknownParser", "UnsafeXML", "UnsupportedFormat", "VoteGroup", "clean_unit_name",
    "json_schema", "new_vote_group", "normalise_postcode", "safe_iterparse", "unit_number",
}  # fmt: skip


def test_committed_schema_equals_the_model() -> None:
    """Regenerate with: python scripts/write_schema.py"""
    assert orjson.loads(SCHEMA_PATH.read_bytes()) == json_schema()


def test_public_api_is_exactly_the_documented_names() -> None:
    assert set(parsers.__all__) == DOCUMENTED_API
    for name in parsers.__all__:
        assert getattr(parsers, name) is not None
    guide = (ROOT / "docs" / "plugins.md").read_text()
    missing = [name for name in DOCUMENTED_API if f"`{name}`" not in guide]
    assert not missing, f"not documented in docs/plugins.md: {missing}"


def test_unit_name_cleaning() -> None:
    assert clean_unit_name("Stembureau Stembureau Holterberg (postcode: 7451 AA)") == (
        "Stembureau Holterberg",
        "7451 AA",
    )
    assert clean_unit_name('"De Waarschuwing"') == ("De Waarschuwing", None)
    assert clean_unit_name("Gemeentehuis (postcode: 6658ag)") == ("Gemeentehuis", "6658 AG")
    assert clean_unit_name("Briefstembureau") == ("Briefstembureau", None)
    assert normalise_postcode("1234 ab") == "1234 AB"
    assert normalise_postcode("12345") is None
    assert unit_number("0518::SB12") == 12
    assert unit_number("HSB3::0518") is None


def test_docs_page_of_the_contract_exists() -> None:
    page = (ROOT / "docs" / "canonical-v1.md").read_text()
    for field in json_schema()["properties"]:
        assert f"`{field}`" in page, field


def test_schema_file_is_in_the_package() -> None:
    assert SCHEMA_PATH.is_file()
    assert (Path(parsers.__file__).resolve().parent / "schema" / SCHEMA_PATH.name) == SCHEMA_PATH


def test_public_api_is_imported_as_telnorm_parsers() -> None:
    """The plugin API has one import name; the guides, the examples and the kit use it."""
    assert parsers.__name__ == "telnorm.parsers"
    import re

    old = re.compile(r"^\s*(?:from|import) (?:parsers|service)\b|`(?:parsers|service)\.\w", re.M)
    pages = [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *(path for path in (ROOT / "examples").rglob("*") if path.suffix in {".md", ".py"}),
        *(ROOT / "parsers" / "testing").glob("*.py"),
    ]
    stale = [str(page.relative_to(ROOT)) for page in pages if old.search(page.read_text())]
    assert not stale, f"say telnorm.parsers / telnorm.service in: {stale}"
