"""Fixtures for a plugin's tests: ``pytest_plugins = ["telnorm.parsers.testing.pytest_plugin"]``.

* ``assert_canonical``: the schema check telnorm's own tests use (a function fixture).
* ``telnorm_normalise``: ``telnorm_normalise(parser, path, **options)`` -> the document telnorm
  would return for that file with that parser.
* ``telnorm_foreign_samples``: the files of other formats (generated, plus the corpus).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from telnorm.parsers.api import Parser
from telnorm.parsers.canonical import Document
from telnorm.parsers.testing.checks import instance, normalise_with
from telnorm.parsers.testing.samples import ForeignSample, default_foreign_samples
from telnorm.parsers.testing.schema import assert_canonical as _assert_canonical


@pytest.fixture(name="assert_canonical")
def assert_canonical_fixture() -> Callable[[Any], None]:
    return _assert_canonical


@pytest.fixture
def telnorm_normalise() -> Callable[..., Document]:
    def run(parser: type[Parser] | Parser, path: str | Path, **options: Any) -> Document:
        return normalise_with(instance(parser), Path(path), options)

    return run


@pytest.fixture(scope="session")
def telnorm_foreign_samples() -> list[ForeignSample]:
    return default_foreign_samples()
