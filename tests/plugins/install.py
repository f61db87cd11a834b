"""Installing the example plugins into the test environment.

The example plugin is installed into the current venv (``make setup`` does it; when it is
missing, :func:`ensure_example_installed` does it here, under a lock so that two xdist
workers do not run pip at once). The broken plugin is never installed into the venv (every
process would then list a failure): :func:`install_to` puts it in a private folder that a test
adds to ``sys.path`` for the time it needs it.
"""

from __future__ import annotations

import fcntl
import importlib
import importlib.metadata
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXAMPLE = EXAMPLES / "telnorm-plugin-example"
BROKEN = EXAMPLES / "telnorm-plugin-broken"


def _can_build_offline() -> bool:
    """setuptools builds wheels without network when it is >= 70.1 or ``wheel`` is there."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    major, minor = (int(p) for p in version.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def pip_install(*args: str) -> None:
    isolation = ["--no-build-isolation"] if _can_build_offline() else []
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *isolation, *args]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    importlib.invalidate_caches()


def is_installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def ensure_example_installed() -> None:
    """The example plugin, installed (editable) into this venv, importable in this process."""
    lock = Path(tempfile.gettempdir()) / "telnorm-example-plugin-install.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not is_installed("telnorm-plugin-example"):
            pip_install("-e", str(EXAMPLE))
    if importlib.util.find_spec("telnorm_telstaat") is None:
        # An editable install takes effect through a .pth file, which only a new interpreter
        # reads (the worker processes will); this process needs the folder itself.
        sys.path.append(str(EXAMPLE / "src"))


def install_to(project: Path, target: Path) -> None:
    """``pip install --target``: the distribution lands in ``target``, not in the venv."""
    pip_install("--target", str(target), str(project))
