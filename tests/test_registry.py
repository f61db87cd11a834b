"""Plugin discovery: built-ins through the entry-point group; broken plugins are skipped."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import Any

import pytest

from telnorm.parsers import registry as registry_module
from telnorm.parsers.api import Detection, ParseContext, Parser, Source
from telnorm.parsers.detection import rank
from telnorm.parsers.registry import discover


class _OldPlugin(Parser):
    name = "old"
    version = "0.1"
    api_version = "0.9"

    def detect(self, head: bytes, filename: str | None) -> Detection:
        return Detection.no()

    def parse(self, source: Source, context: ParseContext) -> dict[str, Any]:
        return {}


class _Crashy(Parser):
    name = "crashy"
    version = "0.1"

    def detect(self, head: bytes, filename: str | None) -> Detection:
        raise RuntimeError("boom")

    def parse(self, source: Source, context: ParseContext) -> dict[str, Any]:
        return {}


def test_builtins_come_from_the_entry_point_group() -> None:
    found = discover()
    assert "eml" in found.names
    assert found.failures == ()


def test_broken_plugins_are_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    real = registry_module.entry_points

    def fake(group: str) -> list[EntryPoint]:
        extra = [
            EntryPoint("missing", "no_such_module:Parser", group),
            EntryPoint("notaparser", "builtins:dict", group),
            EntryPoint("old", f"{__name__}:_OldPlugin", group),
        ]
        return [*real(group=group), *extra]

    monkeypatch.setattr(registry_module, "entry_points", fake)
    found = discover()
    assert "eml" in found.names
    failures = {f.entry_point: f.error for f in found.failures}
    assert "ModuleNotFoundError" in failures["missing"]
    assert "not a subclass" in failures["notaparser"]
    assert "major versions must match" in failures["old"]


def test_a_detect_that_raises_scores_zero() -> None:
    found = discover(extra=(_Crashy,))
    ranked = rank(found, b"<EML/>", "x.xml")
    crashy = next(c for c in ranked if c.parser.name == "crashy")
    assert crashy.detection.confidence == 0
    assert "RuntimeError" in crashy.detection.evidence[0]
