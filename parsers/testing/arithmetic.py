"""The arithmetic check: telnorm's own validation rules on every sample's output.

A parser that derives a wrong total, drops a list from a unit or adds a candidate twice
produces a document that passes the schema but does not add up. Errors of the arithmetic (F)
and aggregation (A) families fail the check unless the sample declares them
(``Sample(path, expect_findings=("F.201",))``, for a sample whose own numbers are wrong on
purpose). A finding about a value the document does not state (a format without E, say)
is not counted: absent is not wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: The rule families whose errors mean the output does not add up.
FAMILIES = ("arithmetic", "aggregation")


def _stated(document: dict[str, Any], pointer: str) -> bool:
    """Whether the value a finding points at is in the document (not absent, not null)."""
    node: Any = document
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return False
    return node is not None


def arithmetic_problems(
    sample_id: str, document: dict[str, Any], expected: Iterable[str] = ()
) -> list[str]:
    from telnorm.service.validation import BY_CODE, validate

    allowed = set(expected)
    problems = []
    for finding in validate(document)["findings"]:
        rule = BY_CODE.get(finding["code"])
        if finding["severity"] != "error" or rule is None or rule.family not in FAMILIES:
            continue
        if finding["code"] in allowed:
            continue
        if not _stated(document, finding["location"]["pointer"]):
            continue  # a statistic the format does not state: absent, which is not wrong
        problems.append(f"{sample_id}: {finding['code']} {finding['message']}")
    return problems


__all__ = ["FAMILIES", "arithmetic_problems"]
