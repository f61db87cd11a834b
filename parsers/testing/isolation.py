"""Determinism across processes: the same bytes parsed in fresh interpreters with different
``PYTHONHASHSEED`` values must give the same JSON.

Two parses in one process cannot see set-order bugs (a ``set`` of strings iterates in the
same order within one process); the service parses in many worker processes, so a parser
whose output follows set or hash order answers differently from one request to the next.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from telnorm.parsers.api import Parser

#: The hash seeds of the two fresh processes.
SEEDS = ("1", "2")

_CHILD = """
import hashlib, importlib, importlib.util, json, sys
import orjson
spec = json.loads(sys.argv[1])
try:
    module = importlib.import_module(spec["module"])
except ImportError:
    loader = importlib.util.spec_from_file_location(spec["module"], spec["file"])
    module = importlib.util.module_from_spec(loader)
    sys.modules[spec["module"]] = module
    loader.loader.exec_module(module)
cls = module
for part in spec["qualname"].split("."):
    cls = getattr(cls, part)
from telnorm.parsers.packed_selections import json_default
from telnorm.parsers.testing.checks import normalise_with
try:
    document = normalise_with(cls(), spec["path"], spec["options"])
except Exception as exc:
    print("error " + type(exc).__name__)
else:
    print("sha256 " + hashlib.sha256(orjson.dumps(document, default=json_default)).hexdigest())
"""


def importable(parser_cls: type[Parser]) -> dict[str, str] | None:
    """How a fresh process finds the class again (module, file, qualified name), or None."""
    if parser_cls.__module__ == "__main__" or "<locals>" in parser_cls.__qualname__:
        return None
    try:
        file = inspect.getfile(parser_cls)
    except (TypeError, OSError):
        return None
    return {"module": parser_cls.__module__, "file": file, "qualname": parser_cls.__qualname__}


def _digest(where: Mapping[str, str], path: Path, options: Mapping[str, Any], seed: str) -> str:
    spec = json.dumps({**where, "path": str(path), "options": dict(options)})
    env = dict(os.environ, PYTHONHASHSEED=seed)
    folder = str(Path(where["file"]).parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (folder, env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, spec],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return "crashed: " + (done.stderr.strip().splitlines() or ["no output"])[-1]
    return lines[-1]


def cross_process_problems(
    parser: Parser, sample_id: str, path: Path, options: Mapping[str, Any]
) -> list[str]:
    """The sample parsed under each of :data:`SEEDS`: the outputs must be identical."""
    where = importable(type(parser))
    if where is None:
        return []  # a class a fresh process cannot import (defined in a function)
    digests = {seed: _digest(where, path, options, seed) for seed in SEEDS}
    if len(set(digests.values())) == 1:
        return []
    shown = ", ".join(f"PYTHONHASHSEED={seed}: {value[:24]}" for seed, value in digests.items())
    return [
        f"{sample_id}: the output differs between processes ({shown}); it follows set or hash "
        "order somewhere (sort sets and dict keys built from sets before output)"
    ]


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


__all__ = ["SEEDS", "cross_process_problems", "fingerprint", "importable"]
