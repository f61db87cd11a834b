"""Find a plugin's parser classes and sample files, by entry-point name or by path.

Used by ``telnorm plugins check``. Sample conventions: the files in every folder called
``samples`` (own samples) and ``errors`` (files the parser must refuse with a located error)
inside the plugin's folder, or the folders given explicitly.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import tomllib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from telnorm.parsers.api import Parser
from telnorm.parsers.registry import ENTRY_POINT_GROUP
from telnorm.parsers.testing.samples import Sample, samples_in

_SKIP_DIRS = {".venv", "venv", "node_modules", "build", "dist", "__pycache__"}


class PluginNotFound(Exception):
    """Neither an installed entry point nor a usable path."""


@dataclass
class Target:
    parser: type[Parser]
    origin: str
    root: Path | None
    samples: list[Sample] = field(default_factory=list)
    error_samples: list[Sample] = field(default_factory=list)


def _folders(root: Path, name: str) -> list[Path]:
    found = []
    for path in sorted(root.rglob(name)):
        relative = path.relative_to(root).parts
        if path.is_dir() and not any(p in _SKIP_DIRS or p.startswith(".") for p in relative):
            found.append(path)
    return found


def find_samples(root: Path) -> tuple[list[Sample], list[Sample]]:
    """Own samples (folders named ``samples``) and error samples (folders named ``errors``)."""
    own = [s for folder in _folders(root, "samples") for s in samples_in(folder)]
    errors = [s for folder in _folders(root, "errors") for s in samples_in(folder)]
    return own, errors


def _parsers_in(module: ModuleType) -> list[type[Parser]]:
    prefix = module.__name__
    found = []
    for _, value in inspect.getmembers(module, inspect.isclass):
        if (
            issubclass(value, Parser)
            and not inspect.isabstract(value)
            and (value.__module__ == prefix or value.__module__.startswith(prefix + "."))
        ):
            found.append(value)
    return found


def _import(target: str) -> type[Parser]:
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    loaded = module
    for part in attribute.split(".") if attribute else ():
        loaded = getattr(loaded, part)
    if not (isinstance(loaded, type) and issubclass(loaded, Parser)):
        raise PluginNotFound(f"{target} is not a subclass of parsers.Parser")
    return loaded


def _on_path(folder: Path) -> None:
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


def from_entry_point(name: str) -> Target:
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name != name:
            continue
        parser = _import(entry_point.value)
        dist = entry_point.dist
        origin = f"entry point {name!r} -> {entry_point.value}"
        if dist is not None:
            origin += f" ({dist.name} {dist.version})"
        module = sys.modules[parser.__module__]
        root = Path(module.__file__).parent if module.__file__ else None
        own, errors = find_samples(root) if root else ([], [])
        return Target(parser, origin, root, own, errors)
    names = sorted(e.name for e in entry_points(group=ENTRY_POINT_GROUP))
    raise PluginNotFound(
        f"no installed plugin registers {name!r} in the {ENTRY_POINT_GROUP!r} entry-point "
        f"group (installed: {', '.join(names) or 'none'}), and no such path exists"
    )


def from_path(path: Path) -> list[Target]:
    """A project folder (``pyproject.toml``), a package folder or a ``.py`` file."""
    path = path.resolve()
    if path.is_file() and path.suffix == ".py":
        spec = importlib.util.spec_from_file_location(f"telnorm_check_{path.stem}", path)
        if spec is None or spec.loader is None:
            raise PluginNotFound(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        classes = _parsers_in(module)
        root = path.parent
    elif (path / "pyproject.toml").is_file():
        project = tomllib.loads((path / "pyproject.toml").read_text())
        registered = project.get("project", {}).get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
        if not registered:
            raise PluginNotFound(
                f"{path / 'pyproject.toml'} registers nothing in "
                f'[project.entry-points."{ENTRY_POINT_GROUP}"]'
            )
        _on_path(path / "src" if (path / "src").is_dir() else path)
        classes = [_import(value) for _, value in sorted(registered.items())]
        root = path
    elif (path / "__init__.py").is_file():
        _on_path(path.parent)
        classes = _parsers_in(importlib.import_module(path.name))
        root = path
    else:
        raise PluginNotFound(
            f"{path} is not a plugin project (pyproject.toml), a package or a .py file"
        )
    if not classes:
        raise PluginNotFound(f"no parsers.Parser subclass found in {path}")
    own, errors = find_samples(root)
    return [
        Target(cls, f"{cls.__module__}.{cls.__qualname__} from {path}", root, own, errors)
        for cls in classes
    ]


def locate(spec: str) -> list[Target]:
    """By path when ``spec`` exists on disk, else by entry-point name."""
    path = Path(spec)
    if path.exists():
        return from_path(path)
    return [from_entry_point(spec)]


__all__ = ["PluginNotFound", "Target", "find_samples", "from_entry_point", "from_path", "locate"]
