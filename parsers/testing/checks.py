"""The contract checks, as plain functions: used by :class:`~telnorm.parsers.testing.ParserContract`
(one pytest test per check and sample), by :func:`check_parser` (one :class:`Verdict`) and by
``telnorm plugins check``.

Every parse here goes through telnorm's own pipeline (:func:`telnorm.service.pipeline.normalise`)
with
a registry that holds only the parser under test, so what is checked is exactly the document
telnorm would return: the parser's output plus the ``source`` provenance the pipeline adds.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson

from telnorm.parsers.api import API_VERSION, HEAD_BYTES, Detection, Parser
from telnorm.parsers.canonical import Document
from telnorm.parsers.conventions import MIN_CONFIDENCE
from telnorm.parsers.errors import InvalidValue, MalformedXML, StructureError, TelnormError
from telnorm.parsers.packed_selections import json_default
from telnorm.parsers.registry import Registry
from telnorm.parsers.testing.arithmetic import arithmetic_problems
from telnorm.parsers.testing.fuzz import mutate, negate_count, number_cases, seeded_cases
from telnorm.parsers.testing.isolation import cross_process_problems, fingerprint
from telnorm.parsers.testing.samples import (
    ForeignSample,
    Sample,
    as_samples,
    default_foreign_samples,
)
from telnorm.parsers.testing.schema import canonical_errors

#: A parser must score its own samples at least this high, and other formats below it: the
#: service's own threshold for trusting a parser
#: (:data:`telnorm.parsers.conventions.MIN_CONFIDENCE`).
THRESHOLD = MIN_CONFIDENCE

#: Errors about one value or one part of a file: these must say where (a damaged container
#: that cannot be opened at all, a plain MalformedInput, has no place to point at).
LOCATED_ERRORS: tuple[type[TelnormError], ...] = (InvalidValue, StructureError, MalformedXML)

#: Fuzzing reads at most this many of the smallest samples, and only samples up to this size.
FUZZ_SAMPLES = 3
FUZZ_MAX_BYTES = 256 * 1024

Status = Literal["pass", "fail", "skip"]
SampleLike = Sample | str | Path


# --- running a parser as telnorm does ------------------------------------------------------


def instance(parser: type[Parser] | Parser) -> Parser:
    return parser() if isinstance(parser, type) else parser


def normalise_with(
    parser: Parser,
    path: str | Path,
    options: Mapping[str, Any] | None = None,
    filename: str | None = None,
    *,
    locations: bool = False,
) -> Document:
    """The canonical document telnorm makes of ``path`` with this parser (``format=`` its name),
    with the source-location map when ``locations`` is true."""
    from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise

    path = Path(path)
    return normalise(
        InputFile(path, filename or path.name),
        options=NormaliseOptions(
            format=parser.name, locations=locations, parser_options=dict(options or {})
        ),
        # Trusted like a built-in: the kit wants the parser's own output and exceptions, which
        # the host would turn into a plugin-error problem for a third-party parser.
        registry=Registry((parser,), (), builtins=frozenset({parser.name})),
    )


def normalise_bytes(
    parser: Parser, data: bytes, filename: str, options: Mapping[str, Any] | None = None
) -> Document:
    with tempfile.TemporaryDirectory(prefix="telnorm-kit-") as folder:
        path = Path(folder) / filename
        path.write_bytes(data)
        return normalise_with(parser, path, options, filename)


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _describe(error: BaseException) -> str:
    if isinstance(error, TelnormError):
        where = f" at {error.location}" if error.location else " (no location)"
        return f"{type(error).__name__} [{error.code}]{where}: {error.message}"
    return f"{type(error).__name__}: {error}"


def _bug(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"raised {type(error).__name__}, not a TelnormError{where}: {error}"


# --- per-item checks: each returns the problems found (empty: passed) ---------------------


def class_problems(parser_cls: type[Parser] | Parser) -> list[str]:
    """The class is a Parser with a usable name, version and a compatible api_version."""
    cls = parser_cls if isinstance(parser_cls, type) else type(parser_cls)
    problems: list[str] = []
    if not issubclass(cls, Parser):
        return [f"{cls.__qualname__} is not a subclass of parsers.Parser"]
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name or name != name.strip().lower() or " " in name:
        problems.append(f"name must be a non-empty lower-case word, got {name!r}")
    version = getattr(cls, "version", None)
    if not isinstance(version, str) or not version:
        problems.append(f"version must be a non-empty string, got {version!r}")
    api = str(getattr(cls, "api_version", ""))
    if api.split(".", 1)[0] != API_VERSION.split(".", 1)[0]:
        problems.append(
            f"api_version {api!r}: this telnorm implements API {API_VERSION}; "
            "telnorm refuses plugins of another major version"
        )
    abstract = sorted(getattr(cls, "__abstractmethods__", ()))
    if abstract:
        problems.append("does not implement " + ", ".join(abstract))
        return problems
    try:
        cls()
    except Exception as exc:
        problems.append("cannot be instantiated without arguments: " + _describe(exc))
    return problems


def detection_of(parser: Parser, head: bytes, filename: str | None) -> Detection | str:
    """The parser's Detection, or why it is not one (detect must never raise)."""
    try:
        detection = parser.detect(head, filename)
    except Exception as exc:
        return f"detect() raised {_describe(exc)}; it must never raise"
    if not isinstance(detection, Detection):
        return f"detect() returned {type(detection).__name__}, not a Detection"
    return detection


def own_sample_problems(parser: Parser, sample: Sample) -> list[str]:
    detection = detection_of(parser, _head(sample.path), sample.path.name)
    if isinstance(detection, str):
        return [f"{sample.id}: {detection}"]
    if detection.confidence < THRESHOLD:
        evidence = "; ".join(detection.evidence) or "no evidence given"
        return [f"{sample.id}: scored {detection.confidence:.2f}, below {THRESHOLD} ({evidence})"]
    return []


def foreign_sample_problems(parser: Parser, foreign: ForeignSample) -> list[str]:
    detection = detection_of(parser, foreign.head, foreign.filename)
    if isinstance(detection, str):
        return [f"{foreign.id}: {detection}"]
    if detection.confidence >= THRESHOLD:
        evidence = "; ".join(detection.evidence) or "no evidence given"
        return [
            f"{foreign.id} ({foreign.kind}) scored {detection.confidence:.2f}, "
            f"at or above {THRESHOLD}: this parser would take other formats' files ({evidence})"
        ]
    return []


def applicable_foreign(
    parser: Parser, foreign: Iterable[ForeignSample], claims: Iterable[str] = ()
) -> list[ForeignSample]:
    """The foreign samples that apply: not those this parser (or its claimed kinds) reads."""
    claimed = set(claims)
    return [f for f in foreign if parser.name not in f.claimed_by and f.kind not in claimed]


def schema_problems(parser: Parser, sample: Sample) -> list[str]:
    try:
        document = normalise_with(parser, sample.path, sample.options)
    except TelnormError as exc:
        return [f"{sample.id}: the parser refused its own sample: {_describe(exc)}"]
    except Exception as exc:
        return [f"{sample.id}: {_bug(exc)}"]
    return [f"{sample.id}: {line}" for line in canonical_errors(document)]


def adds_up_problems(parser: Parser, sample: Sample) -> list[str]:
    """telnorm's arithmetic and aggregation rules on the sample's output (see
    :mod:`.arithmetic`)."""
    try:
        document = normalise_with(parser, sample.path, sample.options)
    except Exception:
        return []  # reported by the schema check
    return arithmetic_problems(sample.id, document, sample.expect_findings)


def determinism_problems(parser: Parser, sample: Sample) -> list[str]:
    outputs: list[bytes] = []
    for _ in range(2):
        try:
            # the same instance twice: catches state carried from one parse to the next
            document = normalise_with(parser, sample.path, sample.options)
        except Exception as exc:
            return [f"{sample.id}: cannot be parsed: {_describe(exc)}"]
        outputs.append(orjson.dumps(document, default=json_default))
    first, second = outputs
    if first == second:
        return cross_process_problems(parser, sample.id, sample.path, sample.options)
    at = next((i for i, (x, y) in enumerate(zip(first, second, strict=False)) if x != y), None)
    at = min(len(first), len(second)) if at is None else at
    return [
        f"{sample.id}: two parses of the same bytes differ from byte {at}: "
        f"{first[max(0, at - 40) : at + 40]!r} vs {second[max(0, at - 40) : at + 40]!r}"
    ]


def error_sample_problems(parser: Parser, sample: Sample) -> list[str]:
    """A known-bad file: must raise a TelnormError that says where the problem is."""
    try:
        normalise_with(parser, sample.path, sample.options)
    except TelnormError as exc:
        if not exc.location:
            return [f"{sample.id}: {_describe(exc)}; an error about the content needs a location"]
        return []
    except Exception as exc:
        return [f"{sample.id}: {_bug(exc)}"]
    return [f"{sample.id}: was accepted, but it is listed as an error sample"]


def damaged_input_problems(parser: Parser, sample: Sample) -> list[str]:
    """Damaged copies of a sample (cut short, a count made negative, a line dropped): an error
    about a value or a part of the file (:data:`LOCATED_ERRORS`) must carry a location."""
    data = sample.path.read_bytes()
    variants = {
        "cut at 1/2": data[: len(data) // 2],
        "cut at 9/10": data[: len(data) * 9 // 10],
        "a count made negative": negate_count(data, len(data) // 2)
        or mutate(data, [(5, 3, 0, b"")]),
        "a number made a fraction": mutate(data, [(5, 7, 1, b"")]),
        "the 4th line dropped": b"\n".join(
            line for i, line in enumerate(data.split(b"\n")) if i != 3
        ),
    }
    problems: list[str] = []
    for label, variant in variants.items():
        try:
            normalise_bytes(parser, variant, sample.path.name, sample.options)
        except TelnormError as exc:
            if isinstance(exc, LOCATED_ERRORS) and not exc.location:
                problems.append(f"{sample.id}, {label}: {_describe(exc)}")
        except Exception as exc:
            problems.append(f"{sample.id}, {label}: {_bug(exc)}")
    return problems


def fuzz_case_problems(
    parser: Parser, label: str, data: bytes, filename: str, options: Mapping[str, Any]
) -> list[str]:
    """One mutated input: detect must not raise; parse raises a TelnormError or returns a
    document that passes the schema."""
    detection = detection_of(parser, data[:HEAD_BYTES], filename)
    if isinstance(detection, str):
        return [f"{label}: {detection}; input starts {data[:60]!r}"]
    try:
        document = normalise_bytes(parser, data, filename, options)
    except TelnormError:
        return []
    except RecursionError:
        return [f"{label}: RecursionError (nesting must be limited); input starts {data[:60]!r}"]
    except Exception as exc:
        return [f"{label}: {_bug(exc)}; input starts {data[:60]!r}"]
    errors = canonical_errors(document, limit=3)
    if errors:
        return [f"{label}: accepted, but the output fails the schema: {'; '.join(errors)}"]
    return []


def fuzz_samples(samples: Sequence[Sample]) -> list[Sample]:
    """The samples fuzzing mutates: the smallest few, none over FUZZ_MAX_BYTES."""
    small = [s for s in samples if s.path.stat().st_size <= FUZZ_MAX_BYTES]
    return sorted(small, key=lambda s: (s.path.stat().st_size, s.id))[:FUZZ_SAMPLES]


#: Fuzzing stops after this many seconds (whatever is left of ``count`` is not run).
FUZZ_SECONDS = 60.0


def failure_folder() -> Path:
    """Where failing fuzz inputs are saved (``TELNORM_KIT_FAILURES``, default
    ``.telnorm-kit/failures`` in the working directory) for a regression test."""
    return Path(os.environ.get("TELNORM_KIT_FAILURES") or Path.cwd() / ".telnorm-kit" / "failures")


def _save(parser: Parser, data: bytes, filename: str) -> Path | None:
    folder = failure_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{parser.name}-{fingerprint(data)}{Path(filename).suffix}"
        target.write_bytes(data)
    except OSError:
        return None
    return target


def fuzz_problems(
    parser: Parser,
    samples: Sequence[Sample],
    count: int = 200,
    seed: int = 0,
    seconds: float = FUZZ_SECONDS,
) -> list[str]:
    """Every count of the samples made negative and replaced by bad values (systematically,
    first), then ``count`` seeded random mutations, within ``seconds``. Each failing input is
    saved (:func:`failure_folder`) and named in the problem."""
    chosen = fuzz_samples(samples)
    datas = [s.path.read_bytes() for s in chosen]
    filename = chosen[0].path.name if chosen else "input.bin"
    options = chosen[0].options if chosen else {}
    problems: list[str] = []
    deadline = time.monotonic() + seconds
    cases = itertools.chain(number_cases(datas), seeded_cases(datas, count, seed))
    for label, data in cases:
        found = fuzz_case_problems(parser, label, data, filename, options)
        if found:
            saved = _save(parser, data, filename)
            problems += [f"{p} (input saved to {saved})" if saved else p for p in found]
        if len(problems) >= 5 or time.monotonic() > deadline:
            break
    return problems


# --- the verdict -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """One check: passed, failed (with the problems) or skipped (with the reason)."""

    check: str
    status: Status
    detail: str
    problems: tuple[str, ...] = ()

    @classmethod
    def of(cls, check: str, problems: Sequence[str], passed: str) -> CheckResult:
        if problems:
            return cls(check, "fail", f"{len(problems)} problem(s)", tuple(problems))
        return cls(check, "pass", passed)


@dataclass(frozen=True)
class Verdict:
    """The outcome of every contract check for one parser."""

    parser: str
    version: str
    results: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return all(result.status != "fail" for result in self.results)

    @property
    def failed(self) -> list[CheckResult]:
        return [result for result in self.results if result.status == "fail"]

    def render(self) -> str:
        """The readable verdict ``telnorm plugins check`` prints."""
        lines = [f"contract check of parser {self.parser!r} (version {self.version})"]
        for result in self.results:
            lines.append(f"  {result.status.upper():<4}  {result.check}: {result.detail}")
            lines.extend(f"          - {problem}" for problem in result.problems[:10])
            if len(result.problems) > 10:
                lines.append(f"          - ... and {len(result.problems) - 10} more")
        passed = sum(result.status == "pass" for result in self.results)
        skipped = sum(result.status == "skip" for result in self.results)
        summary = f"{passed} passed, {len(self.failed)} failed, {skipped} skipped"
        lines.append(("PASS" if self.ok else "FAIL") + f": {summary}")
        return "\n".join(lines)


CHECKS = (
    "parser class",
    "detects its own samples",
    "scores other formats low",
    "output passes the canonical schema",
    "output is deterministic",
    "errors carry a location",
    "damaged and random input raise only TelnormError",
    "output adds up",
)


def check_parser(
    parser_cls: type[Parser] | Parser,
    samples: Iterable[SampleLike],
    *,
    error_samples: Iterable[SampleLike] = (),
    foreign_samples: Iterable[ForeignSample] | None = None,
    claims: Iterable[str] = (),
    fuzz_examples: int = 200,
    seed: int = 0,
) -> Verdict:
    """Run every contract check on a parser class and its sample files."""
    own = as_samples(samples)
    errors = as_samples(error_samples)
    class_issues = class_problems(parser_cls)
    name = str(getattr(parser_cls, "name", "?"))
    version = str(getattr(parser_cls, "version", "?"))
    results = [
        CheckResult.of(CHECKS[0], class_issues, f"name {name!r}, version {version}, api_version ok")
    ]
    try:
        parser = instance(parser_cls)
    except Exception:
        results += [CheckResult(check, "skip", "the class is unusable") for check in CHECKS[1:]]
        return Verdict(name, version, tuple(results))
    if not own:
        results.append(CheckResult(CHECKS[1], "fail", "no samples given: a plugin needs some"))
    else:
        problems = [p for s in own for p in own_sample_problems(parser, s)]
        results.append(CheckResult.of(CHECKS[1], problems, f"{len(own)} sample(s) >= {THRESHOLD}"))
    foreign = applicable_foreign(
        parser, default_foreign_samples() if foreign_samples is None else foreign_samples, claims
    )
    problems = [p for f in foreign for p in foreign_sample_problems(parser, f)]
    results.append(CheckResult.of(CHECKS[2], problems, f"{len(foreign)} foreign file(s) < 0.5"))
    if not own:
        results += [CheckResult(check, "skip", "no samples") for check in CHECKS[3:]]
        return Verdict(name, version, tuple(results))
    problems = [p for s in own for p in schema_problems(parser, s)]
    results.append(CheckResult.of(CHECKS[3], problems, f"{len(own)} document(s) valid"))
    problems = [p for s in own for p in determinism_problems(parser, s)]
    results.append(CheckResult.of(CHECKS[4], problems, "two parses give identical bytes"))
    problems = [p for s in errors for p in error_sample_problems(parser, s)]
    problems += [p for s in fuzz_samples(own) for p in damaged_input_problems(parser, s)]
    results.append(
        CheckResult.of(
            CHECKS[5],
            problems,
            f"{len(errors)} error sample(s) and damaged copies of the samples",
        )
    )
    problems = fuzz_problems(parser, own, fuzz_examples, seed)
    results.append(
        CheckResult.of(
            CHECKS[6], problems, f"counts made bad, then {fuzz_examples} mutations (seed {seed})"
        )
    )
    problems = [p for s in own for p in adds_up_problems(parser, s)]
    results.append(CheckResult.of(CHECKS[7], problems, "no arithmetic or aggregation error"))
    return Verdict(name, version, tuple(results))


__all__ = [
    "CHECKS",
    "LOCATED_ERRORS",
    "THRESHOLD",
    "CheckResult",
    "Verdict",
    "adds_up_problems",
    "applicable_foreign",
    "check_parser",
    "class_problems",
    "damaged_input_problems",
    "determinism_problems",
    "error_sample_problems",
    "foreign_sample_problems",
    "fuzz_case_problems",
    "fuzz_problems",
    "fuzz_samples",
    "normalise_bytes",
    "normalise_with",
    "own_sample_problems",
    "schema_problems",
]
