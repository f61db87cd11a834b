"""The rule catalogue against its data-file cases, and the catalogue's completeness."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from telnorm.service.validation import BY_CODE, RULES, validate
from telnorm.service.validation.reference import reference_from_json
from tests.validation.casedata import (
    CASES,
    Case,
    apply_patch,
    base_document,
    denull,
    load_cases,
)

ROOT = Path(__file__).resolve().parents[2]
DESIGN = ROOT.parent / "shared" / "design" / "validation.md"
DOCS = ROOT / "docs" / "validation"
CODE = re.compile(r"^\|\s*([A-Z]\.\d{3})\s*\|", re.M)

ALL_CASES = load_cases()

_FIELDS = {
    "pointer": lambda f: f["location"]["pointer"],
    "unit": lambda f: f["location"]["reporting_unit"],
    "affiliation": lambda f: f["location"]["affiliation"],
    "candidate": lambda f: f["location"]["candidate"],
    "source": lambda f: f["location"]["source"],
    "expected": lambda f: f["expected"],
    "actual": lambda f: f["actual"],
    "difference": lambda f: f["difference"],
}


def run_case(case: Case) -> dict[str, Any]:
    base = base_document()
    document = apply_patch(base, case.data.get("patch", []))
    reference = None
    if "reference" in case.data:
        reference = reference_from_json(denull(case.data["reference"]), "case reference")
    elif "reference_patch" in case.data:
        reference = reference_from_json(apply_patch(base, case.data["reference_patch"]))
    candidate_list = None
    if "candidate_list" in case.data:
        candidate_list = {aff: (None, ids) for aff, ids in case.data["candidate_list"].items()}
    return validate(
        document,
        reference=reference,
        candidate_list=candidate_list,
        plausibility=bool(case.data.get("plausibility", False)),
    )


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_rule_case(case: Case) -> None:
    assert case.code in BY_CODE, f"{case.code}.toml names no rule"
    report = run_case(case)
    found = [f for f in report["findings"] if f["code"] == case.code]
    expected = [denull(e) for e in case.data["expect"]]
    projected = [{key: _FIELDS[key](f) for key in e} for f, e in zip(found, expected, strict=False)]
    assert len(found) == len(expected), (
        f"expected {len(expected)} {case.code} finding(s), got {len(found)}: "
        + "; ".join(f["message"] for f in found)
    )
    assert projected == expected
    for finding in found:
        assert finding["severity"] == BY_CODE[case.code].severity.value
        assert finding["message"]
    for key, value in denull(case.data.get("summary", {})).items():
        assert report["summary"][key] == value, key
    assert report["valid"] == (report["summary"]["errors"] == 0)


def test_base_document_is_clean() -> None:
    report = validate(base_document(), plausibility=True)
    assert report["findings"] == []
    assert report["valid"] is True


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_every_rule_has_cases_and_examples(rule: Any) -> None:
    cases = [c for c in ALL_CASES if c.code == rule.code]
    assert any(c.data["expect"] for c in cases), f"{rule.code}: no failing case in {CASES}"
    assert any(not c.data["expect"] for c in cases), f"{rule.code}: no passing case"
    examples = rule.examples()
    assert examples.get("fails"), f"{rule.code}: docstring lacks a 'Fails:' example"
    assert examples.get("passes"), f"{rule.code}: docstring lacks a 'Passes:' example"
    assert rule.title and rule.family
    described = rule.describe()
    assert described["bad_example"] and described["good_example"]


def test_every_case_file_names_a_rule() -> None:
    stems = {p.stem for p in CASES.iterdir() if not p.name.startswith("_")}
    assert stems <= set(BY_CODE), stems - set(BY_CODE)


def test_every_design_code_has_a_rule() -> None:
    if not DESIGN.exists():
        pytest.skip("design note not available")
    codes = set(CODE.findall(DESIGN.read_text(encoding="utf-8")))
    assert codes, "no codes parsed from the design note"
    assert codes <= set(BY_CODE), sorted(codes - set(BY_CODE))


def test_every_rule_is_documented() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))
    documented = set(CODE.findall(text))
    assert set(BY_CODE) <= documented, sorted(set(BY_CODE) - documented)
    assert documented <= set(BY_CODE), sorted(documented - set(BY_CODE))
