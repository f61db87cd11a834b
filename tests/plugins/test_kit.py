"""The contract kit itself: it passes a good parser and catches each kind of bad one."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from telnorm.parsers import (
    FORMAT_VERSION,
    Detection,
    Document,
    InvalidValue,
    MalformedInput,
    ParseContext,
    Parser,
    Source,
)
from telnorm.parsers.testing import (
    CHECKS,
    ForeignSample,
    Sample,
    assert_canonical,
    builtin_foreign_samples,
    canonical_errors,
    check_parser,
)
from telnorm.parsers.testing.checks import determinism_problems
from telnorm.parsers.testing.fuzz import KINDS, apply_op, negate_count, seeded_cases
from telnorm.service.cli import cli
from tests.plugins.install import ROOT

GOOD_SAMPLE = b"KITFORMAT 1\nunit 1 Raadhuis\nlist 1 Kitpartij 12\n"


def _document(units: int, votes: int) -> Document:
    group: dict[str, Any] = {
        "cast": None,
        "total_counted": votes,
        "rejected_votes": {},
        "uncounted_votes": {},
        "selections": [{"affiliation_id": "1", "valid_votes": votes, "candidates": []}],
    }
    return {
        "format_version": FORMAT_VERSION,
        "document": {"eml_id": None, "level": "municipality", "created": None,
                     "transaction_id": None},
        "election": {"id": "GR2026_Kit", "name": None, "category": "GR", "subcategory": None,
                     "date": None, "domain": None},
        "contest": {"id": "geen", "name": None},
        "managing_authority": {"id": "9999", "name": "Kitdorp"},
        "affiliations": [{"id": "1", "name": "Kitpartij", "candidates": []}],
        "total_votes": dict(group),
        "reporting_unit_votes": [
            {"id": f"9999::SB{n}", "number": n, "name": "Raadhuis", "postal_code": None,
             "kind": "polling_station", **group}
            for n in range(1, units + 1)
        ],
        "notes": [],
    }  # fmt: skip


class Good(Parser):
    """Reads KITFORMAT: refuses anything it cannot read with a located MalformedInput."""

    name = "kitformat"
    version = "1.0"

    def detect(self, head: bytes, filename: str | None) -> Detection:
        if head.startswith(b"KITFORMAT 1\n"):
            return Detection(0.9, ("KITFORMAT header",))
        return Detection.no()

    def parse(self, source: Source, context: ParseContext) -> Document:
        lines = source.read_bytes().split(b"\n")
        if lines[0] != b"KITFORMAT 1":
            raise MalformedInput("no header", location={"line": 1})
        for number, line in enumerate(lines[1:], start=2):
            if line and not line.startswith((b"unit ", b"list ")):
                raise MalformedInput("bad line", location={"line": number})
        last = lines[2].rsplit(b" ", 1)[-1] if len(lines) > 2 else b""
        if not last.isdigit() or len(last) > 9:
            raise MalformedInput("bad count", location={"line": 3})
        return _document(1, int(last))


class ClaimsEverything(Good):
    def detect(self, head: bytes, filename: str | None) -> Detection:
        return Detection(0.6, ("anything goes",))


class MissesFields(Good):
    def parse(self, source: Source, context: ParseContext) -> Document:
        document = super().parse(source, context)
        del document["contest"]
        return document


class Counter(Good):
    calls: ClassVar[int] = 0

    def parse(self, source: Source, context: ParseContext) -> Document:
        Counter.calls += 1
        return _document(1 + Counter.calls % 2, 12)


class Crashes(Good):
    """ValueError on a bad count instead of a TelnormError."""

    def parse(self, source: Source, context: ParseContext) -> Document:
        text = source.read_bytes()
        if text != GOOD_SAMPLE:
            raise ValueError("unexpected input")
        return super().parse(source, context)


class Unlocated(Good):
    """Says what is wrong with a value, but not where."""

    def parse(self, source: Source, context: ParseContext) -> Document:
        try:
            return super().parse(source, context)
        except MalformedInput as exc:
            raise InvalidValue(exc.message) from None


class DetectRaises(Good):
    def detect(self, head: bytes, filename: str | None) -> Detection:
        if not head:
            raise IndexError("empty head")
        return super().detect(head, filename)


class FutureApi(Good):
    api_version = "2.0"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "kit.txt"
    path.write_bytes(GOOD_SAMPLE)
    return path


def _verdict(parser: type[Parser], sample: Path, **kwargs: Any) -> dict[str, Any]:
    verdict = check_parser(parser, [sample], fuzz_examples=60, **kwargs)
    return {result.check: result for result in verdict.results} | {"ok": verdict.ok}


def test_a_good_parser_passes(sample: Path) -> None:
    verdict = check_parser(Good, [sample], fuzz_examples=60)
    assert verdict.ok, verdict.render()
    assert [r.status for r in verdict.results] == ["pass"] * len(CHECKS)
    assert verdict.render().endswith("PASS: 8 passed, 0 failed, 0 skipped")


@pytest.mark.parametrize(
    ("parser", "check", "expected"),
    [
        (ClaimsEverything, "scores other formats low", "png (binary) scored 0.60"),
        (MissesFields, "output passes the canonical schema", "'contest' is a required property"),
        (Counter, "output is deterministic", "two parses of the same bytes differ"),
        (Crashes, "damaged and random input raise only TelnormError", "raised ValueError"),
        (Unlocated, "errors carry a location", "(no location)"),
        (DetectRaises, "scores other formats low", "detect() raised IndexError"),
        (FutureApi, "parser class", "api_version '2.0'"),
    ],
)
def test_each_kind_of_bad_parser_fails_its_check(
    sample: Path, parser: type[Parser], check: str, expected: str
) -> None:
    verdict = _verdict(parser, sample)
    assert not verdict["ok"]
    assert verdict[check].status == "fail"
    assert any(expected in problem for problem in verdict[check].problems), verdict[check]


def test_own_samples_must_be_detected(tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_bytes(b"NOT KIT\n")
    verdict = _verdict(Good, other)
    assert verdict["detects its own samples"].status == "fail"
    assert "other.txt: scored 0.00, below 0.5" in verdict["detects its own samples"].problems[0]
    empty = check_parser(Good, [], fuzz_examples=5)
    assert not empty.ok
    assert empty.results[1].detail.startswith("no samples given")


def test_error_samples_must_be_refused_with_a_location(sample: Path, tmp_path: Path) -> None:
    accepted = _verdict(Good, sample, error_samples=[sample])
    assert "listed as an error sample" in accepted["errors carry a location"].problems[0]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"KITFORMAT 1\nunit 1\noops\n")
    assert _verdict(Good, sample, error_samples=[Sample(bad)])["ok"]
    assert not _verdict(Unlocated, sample, error_samples=[Sample(bad)])["ok"]


def test_foreign_samples_claimed_by_the_parser_are_skipped(sample: Path) -> None:
    mine = ForeignSample("mine", "kit", GOOD_SAMPLE, "x.txt", frozenset({"kitformat"}))
    theirs = ForeignSample("theirs", "kit", GOOD_SAMPLE, "x.txt")
    assert _verdict(Good, sample, foreign_samples=[mine])["ok"]
    assert not _verdict(Good, sample, foreign_samples=[theirs])["ok"]
    assert _verdict(Good, sample, foreign_samples=[theirs], claims={"kit"})["ok"]


def test_builtin_foreign_samples_cover_every_kind() -> None:
    kinds = {sample.kind for sample in builtin_foreign_samples()}
    assert kinds >= {"eml", "csv", "zip", "binary", "text", "empty"}


def test_mutations_are_deterministic_and_change_the_input() -> None:
    samples = [GOOD_SAMPLE * 5]
    first = list(seeded_cases(samples, 40, seed=3))
    assert first == list(seeded_cases(samples, 40, seed=3))
    assert sum(data != samples[0] for _, data in first) >= 35
    rng = random.Random(0)
    for kind in range(KINDS):
        op = (kind, rng.randrange(1000), rng.randrange(1000), b"xyz")
        assert isinstance(apply_op(samples[0], op), bytes)
    assert apply_op(b"", (0, 1, 2, b"seed")) == b"seed"


def test_assert_canonical_reports_pointers() -> None:
    document = _document(1, 5)
    assert canonical_errors(document)[0].startswith("/: 'source' is a required property")
    document["reporting_unit_votes"][0]["total_counted"] = -1
    with pytest.raises(AssertionError, match="/reporting_unit_votes/0/total_counted"):
        assert_canonical(document)


def test_parser_contract_runs_in_a_plugin_test_suite(tmp_path: Path) -> None:
    """A plugin's suite: a good parser passes every test, a bad one fails the right ones."""
    (tmp_path / "kit.txt").write_bytes(GOOD_SAMPLE)
    (tmp_path / "test_plugin.py").write_text(
        textwrap.dedent(
            """
            from pathlib import Path
            from telnorm.parsers.testing import ParserContract
            from tests.plugins.test_kit import Good, MissesFields

            SAMPLE = Path(__file__).parent / "kit.txt"

            class TestGood(ParserContract):
                parser = Good
                samples = [SAMPLE]
                fuzz_examples = 30

            class TestMissesFields(ParserContract):
                parser = MissesFields
                samples = [SAMPLE]
                fuzz_examples = 30
            """
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "-rf", str(tmp_path / "test_plugin.py"), "--rootdir", str(tmp_path)],
        check=False, capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 1, out
    failed = {line.split("::")[-1].split(" ")[0] for line in out.splitlines()
              if line.startswith("FAILED")}  # fmt: skip
    # the schema check fails on the sample itself and on every mutation the parser accepts
    assert failed == {
        "test_output_passes_schema[kit.txt]",
        "test_bad_counts_raise_only_telnorm_errors",
        "test_mutated_input_raises_only_telnorm_errors",
    }, out
    assert "TestMissesFields" in out
    assert "'contest' is a required property" in out
    assert " passed" in out


class SetOrdered(Good):
    """Orders its stations by a set of their ids: stable inside one process, not across."""

    def parse(self, source: Source, context: ParseContext) -> Document:
        document = _document(6, 12)
        units = {u["id"]: u for u in document["reporting_unit_votes"]}
        document["reporting_unit_votes"] = [units[i] for i in set(units)]
        return document


class NegativeCrash(Good):
    """Reads a signed number, then trips over a negative count (a ValueError, not a
    TelnormError): the bug systematic count fuzzing exists to find."""

    def parse(self, source: Source, context: ParseContext) -> Document:
        lines = source.read_bytes().split(b"\n")
        if lines[0] != b"KITFORMAT 1" or len(lines) < 3:
            raise MalformedInput("no header", location={"line": 1})
        last = lines[2].rsplit(b" ", 1)[-1]
        if not last.lstrip(b"-").isdigit() or len(last) > 9:
            raise MalformedInput("bad count", location={"line": 3})
        votes = int(last)
        if votes < 0:
            raise ValueError(f"math domain error: {votes}")
        return _document(1, votes)


def test_set_ordered_output_fails_across_processes(tmp_path: Path) -> None:
    sample = tmp_path / "kit.txt"
    sample.write_bytes(GOOD_SAMPLE)
    problems = determinism_problems(SetOrdered(), Sample(sample))
    assert problems and "differs between processes" in problems[0]
    assert determinism_problems(Good(), Sample(sample)) == []


def test_default_fuzzing_finds_a_crash_on_a_negative_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = tmp_path / "kit.txt"
    sample.write_bytes(GOOD_SAMPLE)
    monkeypatch.setenv("TELNORM_KIT_FAILURES", str(tmp_path / "failures"))
    verdict = check_parser(NegativeCrash, [sample])
    failed = {r.check: r for r in verdict.results if r.status == "fail"}
    assert set(failed) == {"damaged and random input raise only TelnormError"}
    problem = failed["damaged and random input raise only TelnormError"].problems[0]
    assert "made negative" in problem and "ValueError" in problem
    saved = sorted((tmp_path / "failures").iterdir())
    assert saved and saved[0].read_bytes().endswith(b"-12\n")


def test_a_count_made_negative_is_a_count_not_a_date() -> None:
    data = b"Datum;2026-03-18\nSB1;Raadhuis;1234 AB\nlijst 1;120;4\n"
    damaged = negate_count(data, len(data) // 2)
    assert damaged is not None and b"2026-03-18" in damaged and b"1234 AB" in damaged
    assert damaged.count(b"-") == data.count(b"-") + 1
    assert b";-120;" in damaged or b";-4\n" in damaged


def test_a_file_with_two_parsers_checks_each(tmp_path: Path) -> None:
    plugin = tmp_path / "twee.py"
    plugin.write_text(
        textwrap.dedent(
            """
            from tests.plugins.test_kit import Good, MissesFields

            class First(Good):
                name = "eerste"

            class Second(MissesFields):
                name = "tweede"
            """
        )
    )
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "kit.txt").write_bytes(GOOD_SAMPLE)
    result = CliRunner().invoke(cli, ["plugins", "check", str(plugin), "--fuzz", "5"])
    assert result.exit_code == 1
    assert "contract check of parser 'eerste'" in result.output
    assert "contract check of parser 'tweede'" in result.output
