"""telnorm: Dutch municipal election result files in, one canonical JSON document out.

The import root. The code lives in the top-level folders ``parsers/`` (the format layer and
the public plugin API) and ``service/`` (HTTP service, CLI, validation, export); packaging maps
them to ``telnorm.parsers`` and ``telnorm.service`` (``[tool.setuptools.package-dir]`` in
pyproject.toml), so an install adds one top-level name, ``telnorm``, and nothing that could
collide with another project's ``parsers`` or ``service``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("telnorm")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
