"""Packaging: one import root (``telnorm``), and the data a plain install needs is packaged.

The slow test builds a wheel of the repository once (from a copy of the packaged folders,
so the checkout gets no ``build/`` or ``*.egg-info``), installs it non-editable into a fresh
venv outside the checkout and runs the installed code from there, with no ``TELNORM_``
environment variable. The fresh venv borrows the dev venv's third-party packages through a
``.pth`` line (a path entry only: the dev venv's editable-install hooks are not run, so the
checkout's ``parsers``/``service`` folders stay out of reach) instead of downloading them.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "tabular"
#: The top-level folders that install as ``telnorm.<name>`` (pyproject package-dir).
PACKAGE_FOLDERS = {"telnorm": "telnorm", "parsers": "telnorm.parsers", "service": "telnorm.service"}
PACKAGE_FOLDERS["mappings"] = "telnorm.mappings"
#: What a wheel is built from: the package folders and the project metadata.
BUILD_INPUTS = ("pyproject.toml", "README.md", *PACKAGE_FOLDERS)


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _folder_packages() -> set[str]:
    """Every folder holding an ``__init__.py``, as the dotted name it installs under."""
    found: set[str] = set()
    for folder, dotted in PACKAGE_FOLDERS.items():
        base = ROOT / folder
        for init in base.rglob("__init__.py"):
            relative = init.parent.relative_to(base)
            if folder == "telnorm" and relative.parts and relative.parts[0] in PACKAGE_FOLDERS:
                continue  # telnorm/parsers etc. are links to the top-level folders
            found.add(".".join((dotted, *relative.parts)))
    return found


def test_packages_list_equals_the_folders_with_an_init() -> None:
    setuptools = _pyproject()["tool"]["setuptools"]  # type: ignore[index]
    assert set(setuptools["packages"]) == _folder_packages()  # type: ignore[index]
    assert setuptools["package-dir"] == {  # type: ignore[index]
        dotted: folder for folder, dotted in PACKAGE_FOLDERS.items()
    }


def test_mapping_files_are_package_data() -> None:
    package_data = _pyproject()["tool"]["setuptools"]["package-data"]  # type: ignore[index]
    assert "*.toml" in package_data["telnorm.mappings"]  # type: ignore[index]
    from telnorm.parsers.resources import aliases_text, mapping_files

    assert aliases_text() is not None
    assert [name for name, _ in mapping_files()] == sorted(
        path.name for path in (ROOT / "mappings").glob("*.toml") if path.name != "aliases.toml"
    )


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv outside the checkout with telnorm installed from a wheel: (venv, env)."""
    requires = _pyproject()["build-system"]["requires"]  # type: ignore[index]
    needed = next(r for r in requires if r.startswith("setuptools>="))  # type: ignore[attr-defined]
    have = importlib.metadata.version("setuptools")
    if int(have.split(".")[0]) < int(needed.split(">=")[1].split(".")[0]):
        pytest.skip(f"the dev venv has setuptools {have}, the build needs {needed}: make setup")
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    for name in BUILD_INPUTS:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(
                origin,
                source / name,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELNORM_", "PYTHON"))}
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(work / "dist"), str(source)],
        work,
        env,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = next((work / "dist").glob("telnorm-*.whl"))
    fresh = work / "venv"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    # pip of the dev venv installs into the fresh one (--python), with no dependency lookup
    done = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", str(wheel)],
        work,
        env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # Only now borrow the dev venv's dependencies (pip above never saw them).
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work, env
    ).stdout.strip()
    Path(purelib, "telnorm-test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return fresh, env


def test_plain_install_imports_as_telnorm_only(installed: tuple[Path, dict[str, str]]) -> None:
    fresh, env = installed
    python = str(fresh / "bin" / "python")
    where = _run(
        [python, "-c", "import telnorm.parsers, telnorm.service.pipeline; "
         "print(telnorm.parsers.__file__)"],
        fresh,
        env,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(fresh)
    for name in ("parsers", "service", "mappings"):
        refused = _run([python, "-c", f"import {name}"], fresh, env)
        assert refused.returncode != 0
        assert "ModuleNotFoundError" in refused.stderr


def test_plain_install_normalises_the_readme_sample(installed: tuple[Path, dict[str, str]]) -> None:
    """The README's spreadsheet sample: 'GL/PvdA' resolves through the packaged alias table,
    the mapping export through the packaged mapping, with no environment variable."""
    fresh, env = installed
    telnorm = str(fresh / "bin" / "telnorm")
    candidates = str(SAMPLES / "lindehoven.230b.eml.xml")
    done = _run(
        [telnorm, "normalise", str(SAMPLES / "a_lindehoven_names.xlsx"),
         "--candidate-list", candidates],
        fresh,
        env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [a["id"] for a in document["affiliations"]] == ["1", "2", "3"]
    assert any("mappings/aliases.toml" in note["message"] for note in document["notes"])
    assert document["source"]["format"]["id"].endswith("family-a")

    done = _run([telnorm, "normalise", str(SAMPLES / "lindehoven_mapping_export.csv")], fresh, env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["source"]["mapping"]["id"] == "lindehoven-2026"
