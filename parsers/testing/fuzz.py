"""Mutated and random inputs: a parser must answer them with a TelnormError or a valid document.

A mutation is a list of :data:`Op` tuples ``(kind, a, b, payload)`` applied to a sample's bytes.
The same ops come either from a seeded :class:`random.Random` (:func:`seeded_cases`, used by
``check_parser`` and the CLI) or from Hypothesis (:func:`hypothesis_ops`, used by
:class:`~telnorm.parsers.testing.ParserContract` when Hypothesis is installed), so both exercise the
same mutations.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

#: ``(kind, a, b, payload)``: ``a`` and ``b`` are positions taken modulo the data's length.
Op = tuple[int, int, int, bytes]

#: Replacements for a run of digits: values a count reader must refuse or handle.
_NUMBERS = (b"-1", b"1.5", b"1e9", b"99999999999999999999999", b"", b"NaN", b"0x10", b"\xff")

#: Bytes that break encodings and grammars.
_NASTY = (b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r", b'"', b";", b"<", b"&", b"]]>", b"\x80")

KINDS = 8


def _digit_runs(data: bytes) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(rb"\d+", data[: 1 << 20])]


#: A digit run that is a count stands between delimiters (``<``/``>``, ``;``, ``,``, tab,
#: quote, space, line end), not inside a date (``2026-03-18``), a time, an id (``SB3``,
#: ``0668::SB1``) or an attribute such as ``Id="2"``.
_COUNT = re.compile(rb'(?<=[>;,\t "\r\n])(?<!Id=")(?<!Id=\')\d+(?=[<;,\t "\r\n])')


def count_runs(data: bytes) -> list[tuple[int, int]]:
    """Where the counts of a file are (see :data:`_COUNT`), in order."""
    return [m.span() for m in _COUNT.finditer(data[: 1 << 20])]


def negate_count(data: bytes, which: int) -> bytes | None:
    """The file with one count made negative (``12`` becomes ``-12``); None without counts."""
    runs = count_runs(data)
    if not runs:
        return None
    start, _ = runs[which % len(runs)]
    return data[:start] + b"-" + data[start:]


def number_cases(samples: list[bytes], per_sample: int = 12) -> Iterator[tuple[str, bytes]]:
    """Every sample with one count at a time (up to ``per_sample`` spread over the file) made
    negative and replaced by each value of :data:`_NUMBERS`: the inputs a count reader most
    often gets wrong, tried before any random mutation."""
    for index, data in enumerate(samples):
        runs = count_runs(data)
        step = max(1, len(runs) // per_sample)
        for start, end in runs[::step][:per_sample]:
            yield (
                f"count at byte {start} of sample {index} made negative",
                (data[:start] + b"-" + data[start:]),
            )
            for value in _NUMBERS:
                yield (
                    f"count at byte {start} of sample {index} replaced by {value!r}",
                    (data[:start] + value + data[end:]),
                )


def apply_op(data: bytes, op: Op) -> bytes:
    """One mutation. Kinds: truncate, flip bytes, delete a slice, duplicate a slice, insert
    bytes, replace a number, swap two lines, insert a nasty byte sequence."""
    kind, a, b, payload = op
    size = len(data)
    kind %= KINDS
    if size == 0:
        return payload
    i, j = sorted((a % size, b % size))
    if kind == 0:  # truncate
        return data[:i]
    if kind == 1:  # flip up to 8 bytes
        out = bytearray(data)
        for k, value in enumerate(payload[:8] or b"\x01"):
            out[(i + k * 997) % size] ^= value or 1
        return bytes(out)
    if kind == 2:  # delete a slice
        return data[:i] + data[j:]
    if kind == 3:  # duplicate a slice
        return data[:j] + data[i:j] + data[j:]
    if kind == 4:  # insert bytes
        return data[:i] + payload + data[i:]
    if kind == 5:  # replace a number
        runs = _digit_runs(data)
        if not runs:
            return data[:i] + payload + data[i:]
        start, end = runs[a % len(runs)]
        return data[:start] + _NUMBERS[b % len(_NUMBERS)] + data[end:]
    if kind == 6:  # swap two lines
        lines = data.split(b"\n")
        if len(lines) < 2:
            return data[::-1]
        x, y = a % len(lines), b % len(lines)
        lines[x], lines[y] = lines[y], lines[x]
        return b"\n".join(lines)
    # kind 7: a nasty byte sequence
    return data[:i] + _NASTY[b % len(_NASTY)] + data[i:]


def mutate(data: bytes, ops: list[Op]) -> bytes:
    for op in ops:
        data = apply_op(data, op)
    return data


def _random_op(rng: random.Random) -> Op:
    return (
        rng.randrange(KINDS),
        rng.randrange(1 << 30),
        rng.randrange(1 << 30),
        rng.randbytes(rng.randrange(0, 33)),
    )


def seeded_cases(samples: list[bytes], count: int, seed: int = 0) -> Iterator[tuple[str, bytes]]:
    """``count`` inputs: mutations of the samples (1-3 ops each) and, one in eight, random
    bytes that start with a sample's first line (so detection-like checks in ``parse`` pass
    and the parser reads on into noise). Deterministic for a seed."""
    rng = random.Random(seed)
    for number in range(count):
        if not samples or number % 8 == 7:
            prefix = b""
            if samples:
                first = rng.choice(samples)
                prefix = first.split(b"\n", 1)[0][:200] + b"\n"
            data = prefix + rng.randbytes(rng.randrange(0, 2048))
            yield f"random #{number} (seed {seed})", data
            continue
        index = rng.randrange(len(samples))
        ops = [_random_op(rng) for _ in range(rng.randrange(1, 4))]
        yield f"mutation #{number} of sample {index} (seed {seed})", mutate(samples[index], ops)


def hypothesis_ops() -> Any:
    """A Hypothesis strategy of op lists (needs ``hypothesis``)."""
    from hypothesis import strategies as st

    op = st.tuples(
        st.integers(0, KINDS - 1),
        st.integers(0, 1 << 30),
        st.integers(0, 1 << 30),
        st.binary(max_size=32),
    )
    return st.lists(op, min_size=1, max_size=4)


__all__ = [
    "Op",
    "apply_op",
    "count_runs",
    "hypothesis_ops",
    "mutate",
    "negate_count",
    "number_cases",
    "seeded_cases",
]
