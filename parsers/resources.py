"""Data files a plain install needs, read through :mod:`importlib.resources`.

The mapping files (``mappings/*.toml``, with the list-name alias table ``aliases.toml``) are
package data of ``telnorm.mappings``, so a non-editable ``pip install`` reads them from the
installed package (even from a zip) with no environment variable. A deployment may point at its
own folder instead: the service setting ``mappings_dir`` (``TELNORM_MAPPINGS_DIR``), which the
pipeline hands to parsers as ``ParseContext.mappings_dir``. Parsers never read the environment.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

#: The package holding the built-in mapping files.
MAPPINGS_PACKAGE = "telnorm.mappings"
#: The list-name alias table inside the mappings folder; every other ``*.toml`` is a mapping.
ALIASES_FILE = "aliases.toml"


def mappings_folder(directory: Path | None = None) -> Traversable:
    """The configured mappings folder, else the packaged one."""
    if directory is not None:
        return directory
    return files(MAPPINGS_PACKAGE)


def mapping_files(directory: Path | None = None) -> list[tuple[str, str]]:
    """``(file name, TOML text)`` of every mapping file, sorted by name (aliases excluded)."""
    folder = mappings_folder(directory)
    if not folder.is_dir():
        return []
    found = [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml") and entry.name != ALIASES_FILE and entry.is_file()
    ]
    return sorted(found)


def aliases_text(directory: Path | None = None) -> str | None:
    """The alias table's TOML text, or None when the folder has none."""
    entry = mappings_folder(directory).joinpath(ALIASES_FILE)
    return entry.read_text(encoding="utf-8") if entry.is_file() else None
