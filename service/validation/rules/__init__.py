"""The rule catalogue: one small class per rule, grouped per family.

:data:`RULES` is the registry (instances in catalogue order); ``GET /rules`` and
``telnorm validate`` read it, and a meta-test keeps it equal to the codes of
``docs/validation`` and the design note.
"""

from __future__ import annotations

from telnorm.service.validation.model import FAMILIES, Rule
from telnorm.service.validation.rules import (
    aggregation,
    arithmetic,
    formulas,
    plausibility,
    reconciliation,
    structure,
)

_MODULES = (arithmetic, aggregation, structure, formulas, reconciliation, plausibility)

#: Every rule, once, in catalogue order (family, then code).
RULES: tuple[Rule, ...] = tuple(
    sorted(
        (getattr(module, name)() for module in _MODULES for name in module.__all__),
        key=lambda rule: (list(FAMILIES).index(rule.family), rule.code),
    )
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

if len(BY_CODE) != len(RULES):  # pragma: no cover - a programming error, caught at import
    raise RuntimeError("two rules share a code")


def catalogue() -> list[dict[str, object]]:
    """What ``GET /rules`` answers: every rule with its examples."""
    return [rule.describe() for rule in RULES]


__all__ = ["BY_CODE", "RULES", "catalogue"]
