"""``validate(document, ...)``: run the catalogue over a canonical document, build the report."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from telnorm.parsers.canonical import Document
from telnorm.service.validation.model import Context, Finding, Locator, Severity
from telnorm.service.validation.reference import match_reference
from telnorm.service.validation.rules import RULES
from telnorm.service.validation.rules.reconciliation import R201

CandidateListArg = Mapping[str, tuple[str | None, list[str]]]


def run_rules(ctx: Context, rules: Iterable[Any] = RULES) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        if rule.applies(ctx):
            findings.extend(rule.check(ctx))
    findings.sort(key=Finding.sort_key)
    return findings


def validate(
    document: Document,
    reference: Document | None = None,
    candidate_list: CandidateListArg | None = None,
    plausibility: bool = False,
) -> dict[str, Any]:
    """The validation report of a canonical document (see ``docs/validation/index.md``).

    ``reference`` is a canonical-shaped document (see :mod:`.reference` for reading one from
    a file); ``candidate_list`` maps list ids to ``(name, [candidate ids])``.
    """
    matched = match_reference(document, reference) if reference is not None else None
    ctx = Context(document, matched, candidate_list, plausibility)
    findings = run_rules(ctx)
    locations = document.get("locations")
    locate = Locator(locations) if locations else None

    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    summary: dict[str, Any] = {
        "errors": counts[Severity.ERROR],
        "warnings": counts[Severity.WARNING],
        "info": counts[Severity.INFO],
        "reconciliation_difference": None,
        "reconciliation": None,
    }
    if matched is not None:
        list_diffs = [f.difference or 0 for f in findings if f.code == R201.code]
        difference = sum(list_diffs) if matched.group is not None else None
        summary["reconciliation_difference"] = difference
        summary["reconciliation"] = {
            "reference": matched.description,
            "unit": matched.unit_id,
            "matched_by": matched.matched_by,
            "lists_differing": len(list_diffs),
            "difference": difference,
            "absolute_difference": sum(abs(d) for d in list_diffs)
            if matched.group is not None
            else None,
        }
    election = document.get("election") or {}
    authority = document.get("managing_authority") or {}
    source = document.get("source") or {}
    return {
        "valid": counts[Severity.ERROR] == 0,
        "summary": summary,
        "findings": [finding.to_dict(locate) for finding in findings],
        "document": {
            "election": election.get("id"),
            "authority": authority.get("id"),
            "authority_name": authority.get("name"),
            "sha256": source.get("sha256"),
        },
    }


def attach_sources(report: dict[str, Any], locations: Mapping[str, Any] | None) -> None:
    """Fill each finding's ``location.source`` from a location map of the same document."""
    locate = Locator(locations) if locations else None
    for finding in report["findings"]:
        where = finding["location"]
        where["source"] = locate(where["pointer"]) if locate is not None else None


__all__ = ["attach_sources", "validate"]
