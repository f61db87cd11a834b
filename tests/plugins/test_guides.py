"""The guides are tested: their files are written and their commands run, in order.

Fenced blocks are read by their info string:

* ```` ```LANG file=PATH ```` : written to PATH (relative to an empty folder);
* ```` ```python test ```` : run with this Python in that folder;
* ```` ```sh test ```` : run with bash in that folder (this venv's ``bin`` first on PATH);
* any other block is shown only (installing, publishing).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.plugins.install import ROOT

DOCS = ROOT / "docs"
GUIDES = ["plugins.md", "mappings-guide.md"]
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.S | re.M)


@dataclass(frozen=True)
class Block:
    line: int
    language: str
    file: str | None
    test: bool
    body: str


def blocks(markdown: str) -> list[Block]:
    found = []
    for match in _FENCE.finditer(markdown):
        words = match.group(1).split()
        language = words[0] if words else ""
        options = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        line = markdown.count("\n", 0, match.start()) + 1
        found.append(
            Block(line, language, options.get("file"), "test" in words[1:], match.group(2))
        )
    return found


def run_guide(path: Path, folder: Path) -> list[str]:
    """Write and run the guide's blocks in ``folder``; the outputs, one per command."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONPATH", None)
    outputs = []
    for block in blocks(path.read_text(encoding="utf-8")):
        if block.file:
            target = folder / block.file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.body, encoding="utf-8")
            continue
        if not block.test:
            continue
        if block.language == "python":
            command = [sys.executable, "-c", block.body]
        elif block.language in ("sh", "bash", "shell"):
            command = ["bash", "-euo", "pipefail", "-c", block.body]
        else:
            pytest.fail(f"{path.name}:{block.line}: cannot run a {block.language!r} block")
        done = subprocess.run(
            command,
            check=False,
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        output = done.stdout + done.stderr
        if done.returncode != 0:
            pytest.fail(
                f"{path.name}:{block.line}: the {block.language} block failed "
                f"(exit {done.returncode}):\n{block.body}\n--- output ---\n{output}"
            )
        outputs.append(output)
    return outputs


def test_block_parsing() -> None:
    text = "intro\n```toml file=a/b.toml\nx = 1\n```\n\n```sh test\necho hi\n```\n```sh\nno\n```\n"
    found = blocks(text)
    assert [(b.language, b.file, b.test, b.line) for b in found] == [
        ("toml", "a/b.toml", False, 2),
        ("sh", None, True, 6),
        ("sh", None, False, 9),
    ]
    assert found[0].body == "x = 1\n"


def test_a_failing_block_fails_the_guide(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text("```python test\nraise SystemExit(3)\n```\n")
    with pytest.raises(pytest.fail.Exception, match="exit 3"):
        run_guide(guide, tmp_path)


def test_plugin_guide(tmp_path: Path) -> None:
    outputs = run_guide(DOCS / "plugins.md", tmp_path)
    assert (tmp_path / "pyproject.toml").is_file()
    assert "normalised {'name': 'stemtabel'" in outputs[1]
    assert " passed" in outputs[2]
    assert outputs[3].rstrip().endswith("PASS: 8 passed, 0 failed, 0 skipped")
    assert "error samples: 1" in outputs[3]


def test_mapping_guide(tmp_path: Path) -> None:
    guide = DOCS / "mappings-guide.md"
    outputs = run_guide(guide, tmp_path)
    assert '# "Kiesger." = "?"' in outputs[0]  # the draft leaves the unknown label to fill in
    assert (tmp_path / "bergveen.draft.toml").read_text().startswith("# Draft mapping")
    assert "mapping passes: {'id': '9906', 'name': 'Bergveen'}" in outputs[2]
