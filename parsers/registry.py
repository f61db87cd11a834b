"""Discovery of parser plugins through the ``telnorm.parsers`` entry-point group.

Built-in parsers are registered in telnorm's own ``pyproject.toml`` through that same group,
so they are found exactly as a third-party plugin is. A plugin that fails to import, is not a
:class:`~telnorm.parsers.api.Parser`, or was built for another major API version is recorded with
the
reason and skipped: one broken plugin never takes the service down.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from telnorm.parsers.api import API_VERSION, Parser

ENTRY_POINT_GROUP = "telnorm.parsers"


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be used, and why."""

    entry_point: str
    target: str
    distribution: str | None
    error: str

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.entry_point,
            "target": self.target,
            "distribution": self.distribution,
            "status": "failed",
            "error": self.error,
        }


@dataclass(frozen=True)
class Registry:
    parsers: tuple[Parser, ...]
    failures: tuple[PluginFailure, ...]

    def get(self, name: str) -> Parser | None:
        for parser in self.parsers:
            if parser.name == name:
                return parser
        return None

    @property
    def names(self) -> list[str]:
        return [parser.name for parser in self.parsers]


def _major(version: str) -> str:
    return str(version).split(".", 1)[0]


def _load(entry_point: EntryPoint) -> Parser:
    loaded = entry_point.load()
    if not (isinstance(loaded, type) and issubclass(loaded, Parser)):
        raise TypeError(f"{entry_point.value} is not a subclass of parsers.Parser")
    api = getattr(loaded, "api_version", None)
    if api is None or _major(api) != _major(API_VERSION):
        raise TypeError(
            f"built for parser API {api}, but this telnorm implements API {API_VERSION} "
            f"(major versions must match)"
        )
    return loaded()


def discover(extra: tuple[type[Parser], ...] = ()) -> Registry:
    """Load every registered parser now (uncached; see :func:`default_registry`)."""
    parsers: list[Parser] = []
    failures: list[PluginFailure] = []
    seen: set[str] = set()
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = entry_point.dist.name if entry_point.dist else None
        try:
            parser = _load(entry_point)
            if parser.name in seen:
                raise ValueError(f"another parser is already registered as {parser.name!r}")
        except Exception as exc:  # a broken plugin must not take the service down
            failures.append(
                PluginFailure(
                    entry_point.name, entry_point.value, dist, f"{type(exc).__name__}: {exc}"
                )
            )
            continue
        seen.add(parser.name)
        parsers.append(parser)
    for cls in extra:
        if cls.name not in seen:
            parsers.append(cls())
            seen.add(cls.name)
    return Registry(tuple(parsers), tuple(failures))


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The registry of this process, discovered once."""
    return discover()
