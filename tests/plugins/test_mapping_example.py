"""The mapping-only contribution example passes its own test, and its mapping equals the
one the guide builds (so the guide and the example cannot drift apart)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from tests.plugins.install import EXAMPLES, ROOT

MAPPING_EXAMPLE = EXAMPLES / "telnorm-mapping-example"


def test_the_mapping_example_passes_its_test() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--rootdir", str(MAPPING_EXAMPLE), str(MAPPING_EXAMPLE)],
        check=False, capture_output=True, text=True, cwd=MAPPING_EXAMPLE, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_the_guide_builds_the_example_mapping() -> None:
    guide = (ROOT / "docs" / "mappings-guide.md").read_text(encoding="utf-8")
    block = re.search(r"```toml file=bergveen-2026.toml\n(.*?)```", guide, re.S)
    assert block is not None
    example = (MAPPING_EXAMPLE / "bergveen-2026.toml").read_text(encoding="utf-8")
    assert tomllib.loads(block.group(1)) == tomllib.loads(example)
    export = re.search(r"```text file=bergveen_2026.csv\n(.*?)```", guide, re.S)
    assert export is not None
    assert export.group(1) == (MAPPING_EXAMPLE / "bergveen_2026.csv").read_text()
