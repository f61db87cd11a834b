"""The files a command names: folders become the files inside them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path


def walk(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given; folders become the files inside them (recursively, no hidden ones)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if child.is_file() and not any(p.startswith(".") for p in relative.parts):
                    yield child
        else:
            yield path


__all__ = ["walk"]
