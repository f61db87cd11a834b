"""The host trusts no plugin: name collisions, wrong return types, invalid documents,
disabled parsers (issue: plugins at run time)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from telnorm.parsers.api import Detection, ParseContext, Parser, Source
from telnorm.parsers.detection import rank
from telnorm.parsers.errors import PluginError
from telnorm.parsers.registry import ENTRY_POINT_GROUP, Registry, default_registry, discover
from telnorm.service import plugin_host
from telnorm.service.cli import cli
from telnorm.service.main import create_app
from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise
from telnorm.service.problems import problem_document
from telnorm.service.settings import Settings, get_settings
from tests.conftest import SAMPLES

CSV = SAMPLES / "tabular" / "a_lindehoven_semicolon_cp1252.csv"


class _Thief(Parser):
    """Claims the built-in name ``eml``."""

    name = "eml"
    version = "6.6.6"

    def detect(self, head: bytes, filename: str | None) -> Detection:
        return Detection(1.0, ("always me",))

    def parse(self, source: Source, context: ParseContext) -> dict[str, Any]:
        return {}


class _FloatDetect(Parser):
    name = "floaty"
    version = "0.2"

    def detect(self, head: bytes, filename: str | None) -> Any:
        return 0.9

    def parse(self, source: Source, context: ParseContext) -> dict[str, Any]:
        return {}


class _Greedy(Parser):
    """Claims every file, then fails in the ways a plugin can."""

    name = "greedy"
    version = "1.2.3"
    mode = "raise"

    def detect(self, head: bytes, filename: str | None) -> Detection:
        return Detection(1.0, ("mine",))

    def parse(self, source: Source, context: ParseContext) -> Any:
        if self.mode == "raise":
            raise KeyError("kolom")
        if self.mode == "list":
            return [1, 2]
        return {"format_version": "1", "document": {"level": "gemeente"}}


@dataclass
class _Dist:
    name: str


class _Point:
    """An entry point of a given distribution (what importlib.metadata hands the registry)."""

    def __init__(self, name: str, cls: type[Parser], dist: str) -> None:
        self.name, self.value, self.dist = name, f"{cls.__module__}:{cls.__qualname__}", _Dist(dist)
        self.group = ENTRY_POINT_GROUP
        self._cls = cls

    def load(self) -> type[Parser]:
        return self._cls


def _installed(*extra: _Point) -> list[Any]:
    return [*entry_points(group=ENTRY_POINT_GROUP), *extra]


@pytest.mark.parametrize("first", [True, False], ids=["thief-first", "thief-last"])
def test_a_plugin_never_takes_a_builtin_name(first: bool) -> None:
    thief = _Point("aaa-eml", _Thief, "telnorm-thief")
    points = [thief, *_installed()] if first else _installed(thief)
    found = discover(points=points)
    assert found.get("eml") is not None and found.get("eml").version != "6.6.6"  # type: ignore[union-attr]
    assert [c.entry_point for c in found.collisions] == ["aaa-eml"]
    assert "built-in 'eml'" in found.collisions[0].error
    assert found.describe()["collisions"][0]["status"] == "collision"


def test_among_plugins_the_first_distribution_keeps_the_name() -> None:
    zeta = _Point("z", _FloatDetect, "zeta-plugin")
    alpha = _Point("a", _Greedy, "alpha-plugin")
    alpha_clone = _Point("b", _FloatDetect, "alpha-plugin")
    for order in ([zeta, alpha, alpha_clone], [alpha_clone, zeta, alpha]):
        found = discover(points=order)
        assert [p.name for p in found.parsers] == ["greedy", "floaty"]
        assert found.get("floaty") is not None
        assert [c.entry_point for c in found.collisions] == ["z"]


def test_disabled_parsers_are_left_out_and_listed() -> None:
    found = discover(disabled=["tabular", " "])
    assert "tabular" not in found.names and "eml" in found.names
    assert found.disabled == ("tabular",)


def test_a_detect_returning_a_float_costs_only_that_plugin() -> None:
    found = discover(extra=(_FloatDetect,))
    ranked = rank(found, CSV.read_bytes()[:65536], CSV.name)
    assert ranked[0].parser.name == "tabular"
    floaty = next(c for c in ranked if c.parser.name == "floaty")
    assert floaty.detection.confidence == 0
    assert "returned float" in found.broken["floaty"]
    listed = {p["name"]: p for p in found.describe()["parsers"]}
    assert listed["floaty"]["status"] == "broken" and listed["tabular"]["status"] == "ok"


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("raise", "KeyError"),
        ("list", "returned list"),
        ("invalid", "not canonical"),
    ],
)
def test_a_failing_parse_is_a_plugin_error_naming_the_plugin(mode: str, says: str) -> None:
    parser = _Greedy()
    parser.mode = mode
    registry = Registry((parser,), ())
    with pytest.raises(PluginError) as caught:
        normalise(InputFile(CSV, CSV.name), registry=registry)
    problem = problem_document(caught.value)
    assert problem["status"] == 502 and problem["type"] == "/problems/plugin-error"
    assert problem["plugin"] == "greedy" and problem["plugin_version"] == "1.2.3"
    assert says in problem["detail"]
    if mode == "invalid":
        assert problem["violations"] and all("pointer" in v for v in problem["violations"])
    assert "greedy" in registry.broken


def test_builtins_are_not_blamed_as_plugins() -> None:
    document = normalise(InputFile(CSV, CSV.name), options=NormaliseOptions(format="tabular"))
    assert document["source"]["parser"]["name"] == "tabular"


@pytest.fixture
def client_with(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def make(registry: Registry) -> TestClient:
        monkeypatch.setattr(plugin_host, "active_registry", lambda: registry)
        monkeypatch.setattr("telnorm.service.routes.meta.active_registry", lambda: registry)
        return TestClient(create_app(Settings(workers=1)))

    yield make


def test_get_parsers_marks_a_broken_detect_and_lists_collisions(client_with: Any) -> None:
    thief = _Point("aaa-eml", _Thief, "telnorm-thief")
    registry = discover(extra=(_FloatDetect,), points=_installed(thief))
    with client_with(registry) as client:
        body = client.get("/parsers").json()
    status = {p["name"]: p["status"] for p in body["parsers"]}
    assert status["floaty"] == "broken" and status["eml"] == "ok"
    assert [c["name"] for c in body["collisions"]] == ["aaa-eml"]
    assert body["disabled"] == []


def test_telnorm_parsers_and_disabled_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELNORM_DISABLED_PARSERS", "tabular,osv4-3")
    get_settings.cache_clear()
    default_registry.cache_clear()
    try:
        listed = CliRunner().invoke(cli, ["parsers"])
        assert listed.exit_code == 0, listed.output
        assert "tabular        DISABLED" in listed.output
        refused = CliRunner().invoke(cli, ["normalise", str(CSV), "--format", "tabular"])
        assert refused.exit_code != 0
        assert "No parser is called 'tabular'" in refused.output
    finally:
        monkeypatch.delenv("TELNORM_DISABLED_PARSERS")
        get_settings.cache_clear()
        default_registry.cache_clear()


def test_plugins_check_reports_a_name_collision(tmp_path: Path) -> None:
    plugin = tmp_path / "dief.py"
    plugin.write_text(
        "from tests.plugins.test_host import _Thief\n\nclass Stolen(_Thief):\n    pass\n"
    )
    result = CliRunner().invoke(cli, ["plugins", "check", str(plugin), "--fuzz", "1"])
    assert result.exit_code == 1
    assert "COLLISION: the parser name 'eml' is taken by a built-in parser" in result.output
