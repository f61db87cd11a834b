"""Discovery of parser plugins through the ``telnorm.parsers`` entry-point group.

Built-in parsers are registered in telnorm's own ``pyproject.toml`` through that same group,
so they are found exactly as a third-party plugin is. The host trusts no plugin:

* A plugin that fails to import, is not a :class:`~telnorm.parsers.api.Parser`, or was built
  for another major API version is recorded with the reason and skipped.
* A parser name is never taken twice. Built-ins come first and always keep their names;
  among third-party plugins the first in a fixed order (distribution name, then entry-point
  name) keeps it, whatever the installation order. Every later claimant is recorded as a
  collision (``GET /parsers``, ``telnorm parsers``, ``telnorm plugins check``, the log).
* A parser can be disabled by name (the service's ``TELNORM_DISABLED_PARSERS``).
* A parser that misbehaves at run time (a ``detect`` that raises or returns no
  :class:`~telnorm.parsers.api.Detection`) is marked broken in this process's registry; it
  costs only that parser.

One broken plugin never takes the service down.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from telnorm.parsers.api import API_VERSION, Parser

ENTRY_POINT_GROUP = "telnorm.parsers"
#: The distribution whose entry points are telnorm's own parsers.
BUILTIN_DISTRIBUTION = "telnorm"

log = logging.getLogger("telnorm.plugins")


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be used, and why (``kind``: ``failed`` or ``collision``)."""

    entry_point: str
    target: str
    distribution: str | None
    error: str
    kind: str = "failed"

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.entry_point,
            "target": self.target,
            "distribution": self.distribution,
            "status": self.kind,
            "error": self.error,
        }


@dataclass(frozen=True)
class Registry:
    parsers: tuple[Parser, ...]
    failures: tuple[PluginFailure, ...]
    collisions: tuple[PluginFailure, ...] = ()
    disabled: tuple[str, ...] = ()
    #: Names of the built-in parsers (telnorm's own distribution).
    builtins: frozenset[str] = frozenset()
    #: Parsers that misbehaved in this process: name -> what they did (first time only).
    broken: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def get(self, name: str) -> Parser | None:
        for parser in self.parsers:
            if parser.name == name:
                return parser
        return None

    @property
    def names(self) -> list[str]:
        return [parser.name for parser in self.parsers]

    def is_builtin(self, parser: Parser) -> bool:
        return parser.name in self.builtins and self.get(parser.name) is parser

    def mark_broken(self, parser: Parser, reason: str) -> None:
        """Record that ``parser`` misbehaved (logged once per parser and process)."""
        if parser.name not in self.broken:
            self.broken[parser.name] = reason
            log.warning("parser plugin %r (%s) is broken: %s", parser.name, parser.version, reason)

    def describe(self) -> dict[str, Any]:
        """What ``GET /parsers`` answers (without the API version)."""
        return {
            "parsers": [
                dict(
                    parser.describe(),
                    status="broken" if parser.name in self.broken else "ok",
                    builtin=parser.name in self.builtins,
                    **({"error": self.broken[parser.name]} if parser.name in self.broken else {}),
                )
                for parser in self.parsers
            ],
            "failed": [failure.describe() for failure in self.failures],
            "collisions": [collision.describe() for collision in self.collisions],
            "disabled": list(self.disabled),
        }


def _major(version: str) -> str:
    return str(version).split(".", 1)[0]


def _load(entry_point: EntryPoint) -> Parser:
    loaded = entry_point.load()
    if not (isinstance(loaded, type) and issubclass(loaded, Parser)):
        raise TypeError(f"{entry_point.value} is not a subclass of telnorm.parsers.Parser")
    api = getattr(loaded, "api_version", None)
    if api is None or _major(api) != _major(API_VERSION):
        raise TypeError(
            f"built for parser API {api}, but this telnorm implements API {API_VERSION} "
            f"(major versions must match)"
        )
    parser = loaded()
    if not isinstance(getattr(parser, "name", None), str) or not parser.name:
        raise TypeError(f"{entry_point.value} has no parser name (the 'name' attribute)")
    return parser


def _distribution(entry_point: EntryPoint) -> str | None:
    dist = getattr(entry_point, "dist", None)
    return dist.name if dist is not None else None


def _order(entry_point: EntryPoint) -> tuple[int, str, str]:
    """Built-ins first, then third parties by distribution and entry-point name: the same
    order on every machine, whatever was installed first."""
    dist = _distribution(entry_point) or ""
    return (0 if dist == BUILTIN_DISTRIBUTION else 1, dist.lower(), entry_point.name)


def discover(
    extra: tuple[type[Parser], ...] = (),
    disabled: Iterable[str] = (),
    points: Iterable[EntryPoint] | None = None,
) -> Registry:
    """Load every registered parser now (uncached; see :func:`default_registry`).

    ``extra`` parser classes (tests, the contract kit) come after the entry points;
    ``disabled`` names are left out; ``points`` replaces the installed entry points (tests).
    """
    off = {name.strip() for name in disabled if name.strip()}
    parsers: list[Parser] = []
    failures: list[PluginFailure] = []
    collisions: list[PluginFailure] = []
    owner: dict[str, str] = {}
    builtins: set[str] = set()
    found = entry_points(group=ENTRY_POINT_GROUP) if points is None else points
    for entry_point in sorted(found, key=_order):
        dist = _distribution(entry_point)
        try:
            parser = _load(entry_point)
        except Exception as exc:  # a broken plugin must not take the service down
            failure = PluginFailure(
                entry_point.name, entry_point.value, dist, f"{type(exc).__name__}: {exc}"
            )
            log.warning("parser plugin %r failed to load: %s", entry_point.name, failure.error)
            failures.append(failure)
            continue
        if parser.name in owner:
            collision = PluginFailure(
                entry_point.name,
                entry_point.value,
                dist,
                f"registers the parser name {parser.name!r}, which {owner[parser.name]} "
                "already has; the first keeps it (built-ins always win)",
                kind="collision",
            )
            log.warning("parser plugin %r: %s", entry_point.name, collision.error)
            collisions.append(collision)
            continue
        owner[parser.name] = (
            f"telnorm's built-in {parser.name!r}"
            if dist == BUILTIN_DISTRIBUTION
            else f"{entry_point.value} ({dist or 'unknown distribution'})"
        )
        if dist == BUILTIN_DISTRIBUTION:
            builtins.add(parser.name)
        if parser.name in off:
            continue
        parsers.append(parser)
    for cls in extra:
        if cls.name not in owner and cls.name not in off:
            parsers.append(cls())
            owner[cls.name] = cls.__qualname__
    return Registry(
        tuple(parsers),
        tuple(failures),
        tuple(collisions),
        tuple(sorted(off)),
        frozenset(builtins),
    )


@lru_cache(maxsize=8)
def default_registry(disabled: tuple[str, ...] = ()) -> Registry:
    """The registry of this process, discovered once (per set of disabled names)."""
    return discover(disabled=disabled)
