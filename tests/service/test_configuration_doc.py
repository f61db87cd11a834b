"""docs/configuration.md has one table row per setting, with its variable and default."""

from __future__ import annotations

import re
from typing import Any

from telnorm.service.settings import Settings
from tests.conftest import ROOT

DOC = ROOT / "docs" / "configuration.md"
ROW = re.compile(r"^\| `([a-z_]+)` \| `([A-Z_]+)` \| `([^`]*)` \| (.+) \|$")


def _default(name: str, field: Any) -> str | None:
    """The default as the table writes it; None where it depends on the machine."""
    if field.default_factory is not None:
        value = field.default_factory()
        if name == "workers":
            return None
        return "[]" if value == [] else repr(value)
    if field.default is None:
        return "unset"
    return '""' if field.default == "" else str(field.default)


def test_the_table_is_the_settings() -> None:
    rows = {
        match.group(1): match.groups()[1:]
        for line in DOC.read_text("utf-8").splitlines()
        if (match := ROW.match(line))
    }
    assert set(rows) == set(Settings.model_fields), "one row per setting, no more"
    for name, field in Settings.model_fields.items():
        variable, default, meaning = rows[name]
        assert variable == f"TELNORM_{name.upper()}"
        expected = _default(name, field)
        if expected is not None:
            assert default == expected, name
        else:
            assert "CPU" in default, name
        assert len(meaning) > 10, name
