"""``ParserContract``: the contract checks as a pytest test class.

A plugin's test suite subclasses it and names its parser and samples::

    from telnorm.parsers.testing import ParserContract

    class TestMyParser(ParserContract):
        parser = MyParser
        samples = ["tests/samples/count.txt"]

pytest then runs one test per check and per sample (``test_detects_own_sample[count.txt]``,
...). The checks are the functions of :mod:`telnorm.parsers.testing.checks`, so a failure says the
same
as ``telnorm plugins check``. Mutation fuzzing uses Hypothesis when it is installed and a
seeded generator otherwise.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from telnorm.parsers.api import Parser
from telnorm.parsers.testing.checks import (
    adds_up_problems,
    applicable_foreign,
    class_problems,
    damaged_input_problems,
    determinism_problems,
    error_sample_problems,
    foreign_sample_problems,
    fuzz_case_problems,
    fuzz_problems,
    fuzz_samples,
    own_sample_problems,
    schema_problems,
)
from telnorm.parsers.testing.fuzz import hypothesis_ops, mutate
from telnorm.parsers.testing.samples import (
    ForeignSample,
    Sample,
    as_samples,
    default_foreign_samples,
)

HAVE_HYPOTHESIS = importlib.util.find_spec("hypothesis") is not None


def _fail_on(problems: Sequence[str]) -> None:
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


class ParserContract:
    """Base class of a parser's contract tests (not collected itself: no ``Test`` prefix)."""

    #: The parser class under test.
    parser: ClassVar[type[Parser]]
    #: Its own sample files (paths, or :class:`~telnorm.parsers.testing.Sample` with options).
    samples: ClassVar[Sequence[Sample | str | Path]] = ()
    #: Files it must refuse with a located TelnormError.
    error_samples: ClassVar[Sequence[Sample | str | Path]] = ()
    #: Files of other formats it must score below 0.5 (default: generated + corpus).
    foreign_samples: ClassVar[Sequence[ForeignSample] | None] = None
    #: Extra foreign files to add to the default ones.
    extra_foreign_samples: ClassVar[Sequence[ForeignSample]] = ()
    #: Kinds of foreign samples this parser rightly reads (e.g. ``{"csv"}`` for a CSV reader).
    claims: ClassVar[frozenset[str]] = frozenset()
    #: How many mutated inputs the robustness test tries.
    fuzz_examples: ClassVar[int] = 100
    fuzz_seed: ClassVar[int] = 0

    # --- parametrisation -------------------------------------------------------------------

    @classmethod
    def _own(cls) -> list[Sample]:
        return as_samples(cls.samples)

    @classmethod
    def _foreign(cls) -> list[ForeignSample]:
        base = default_foreign_samples() if cls.foreign_samples is None else cls.foreign_samples
        return applicable_foreign(cls.parser(), [*base, *cls.extra_foreign_samples], cls.claims)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        cls = type(self)
        values: dict[str, tuple[list[Any], list[str]]] = {}
        if "own_sample" in metafunc.fixturenames:
            own = cls._own()
            values["own_sample"] = (list(own), [s.id for s in own])
        if "foreign_sample" in metafunc.fixturenames:
            foreign = cls._foreign()
            values["foreign_sample"] = (list(foreign), [f.id for f in foreign])
        if "error_sample" in metafunc.fixturenames:
            errors = as_samples(cls.error_samples)
            values["error_sample"] = (list(errors), [s.id for s in errors])
        for name, (items, ids) in values.items():
            if items:
                metafunc.parametrize(name, items, ids=ids)
            else:
                metafunc.parametrize(
                    name, [pytest.param(None, marks=pytest.mark.skip(reason=f"no {name}s"))]
                )

    @pytest.fixture
    def instance(self) -> Parser:
        return type(self).parser()

    # --- the checks --------------------------------------------------------------------------

    def test_parser_class(self) -> None:
        _fail_on(class_problems(type(self).parser))

    def test_has_samples(self) -> None:
        assert type(self)._own(), "set `samples` to the parser's own sample files"
        missing = [str(s.path) for s in type(self)._own() if not s.path.is_file()]
        assert not missing, f"sample files not found: {missing}"

    def test_detects_own_sample(self, instance: Parser, own_sample: Sample) -> None:
        _fail_on(own_sample_problems(instance, own_sample))

    def test_scores_foreign_sample_low(
        self, instance: Parser, foreign_sample: ForeignSample
    ) -> None:
        _fail_on(foreign_sample_problems(instance, foreign_sample))

    def test_output_passes_schema(self, instance: Parser, own_sample: Sample) -> None:
        _fail_on(schema_problems(instance, own_sample))

    def test_output_is_deterministic(self, instance: Parser, own_sample: Sample) -> None:
        _fail_on(determinism_problems(instance, own_sample))

    def test_error_sample_raises_located_error(
        self, instance: Parser, error_sample: Sample
    ) -> None:
        _fail_on(error_sample_problems(instance, error_sample))

    def test_damaged_input_errors_carry_location(
        self, instance: Parser, own_sample: Sample
    ) -> None:
        if own_sample not in fuzz_samples(type(self)._own()):
            pytest.skip("damaged copies are made of the smallest samples only")
        _fail_on(damaged_input_problems(instance, own_sample))

    def test_output_adds_up(self, instance: Parser, own_sample: Sample) -> None:
        _fail_on(adds_up_problems(instance, own_sample))

    def test_bad_counts_raise_only_telnorm_errors(self, instance: Parser) -> None:
        """Every count of the small samples made negative or replaced by a bad value: the
        systematic part of fuzzing, before any random mutation."""
        chosen = fuzz_samples(type(self)._own())
        if not chosen:
            pytest.skip("no samples small enough to mutate")
        _fail_on(fuzz_problems(instance, chosen, 0))

    def test_mutated_input_raises_only_telnorm_errors(self, instance: Parser) -> None:
        chosen = fuzz_samples(type(self)._own())
        if not chosen:
            pytest.skip("no samples small enough to mutate")
        if not HAVE_HYPOTHESIS:
            _fail_on(
                fuzz_problems(instance, chosen, type(self).fuzz_examples, type(self).fuzz_seed)
            )
            return
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        datas = [s.path.read_bytes() for s in chosen]

        @settings(
            max_examples=type(self).fuzz_examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(index=st.integers(0, len(chosen) - 1), ops=hypothesis_ops())
        def run(index: int, ops: Any) -> None:
            sample = chosen[index]
            data = mutate(datas[index], ops)
            _fail_on(
                fuzz_case_problems(instance, f"ops {ops}", data, sample.path.name, sample.options)
            )

        run()

    def test_random_bytes_raise_only_telnorm_errors(self, instance: Parser) -> None:
        # No samples needed: pure noise, with and without the parser's first sample line.
        _fail_on(fuzz_problems(instance, [], max(8, type(self).fuzz_examples // 4), 1))


__all__ = ["HAVE_HYPOTHESIS", "ParserContract"]
