"""Property tests per parser over mutated corpus and sample files.

Every outcome is either a document that passes the canonical JSON Schema or a
:class:`~telnorm.parsers.errors.TelnormError` (with a location for the errors that always know one);
any other exception fails. The corpus (``../shared/corpus``) is read in place and skipped when
absent. ``TELNORM_FUZZ_EXAMPLES`` raises the examples per test (default 100, keeping the whole
suite well under two minutes on CI).
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import (
    InvalidText,
    InvalidValue,
    MalformedXML,
    ParseCrashed,
    TelnormError,
)
from telnorm.parsers.testing.fuzz import hypothesis_ops, mutate
from telnorm.service.jobs import normalise_job
from telnorm.service.pipeline import InputFile, NormaliseOptions
from telnorm.service.problems import status_of
from telnorm.service.workers import WorkerPool
from tests.conftest import CORPUS, SAMPLES, assert_canonical

EXAMPLES = int(os.environ.get("TELNORM_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("TELNORM_FUZZ_EXAMPLES"),  # CI: the same cases every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Seeds larger than this are left out: mutating a 1.6 MB count teaches little more than a
#: 100 KB one and costs a second per example.
MAX_SEED_BYTES = 200_000
#: Limits small enough that a mutation that multiplies a file cannot take minutes.
LIMITS = Limits(max_rows=20_000, max_cells=400_000, max_xml_elements=400_000)
#: Each parse runs in a worker process with this address-space limit, as in the service: a
#: mutation that makes a parser take memory without bound fails its test (the worker dies:
#: ParseCrashed) instead of taking the machine's memory.
WORKER_MEMORY = 2 * 1024**3
#: Seed files left out of the mutations (none at present; .xls is in since damaged OLE2
#: containers are refused before python-calamine reads them).
SKIPPED_SUFFIXES: tuple[str, ...] = ()
#: Errors that always know where in the file they are.
LOCATED = (MalformedXML, InvalidValue, InvalidText)


def _files(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    if not folder.exists():
        return []
    found: set[Path] = set()
    for pattern in patterns:
        found.update(folder.glob(pattern))
    return sorted(
        p
        for p in found
        if p.is_file()
        and p.stat().st_size <= MAX_SEED_BYTES
        and p.suffix.lower() not in SKIPPED_SUFFIXES
    )


@cache
def seeds(parser: str) -> tuple[tuple[str, bytes], ...]:
    """``(filename, bytes)`` of the corpus and sample files a parser reads."""
    if parser == "eml":
        paths = _files(CORPUS / "eml", ("510b/*.xml", "510-other/*.xml", "draft-1.3/*.xml"))
        paths += _files(CORPUS / "eml", ("legacy-osv/*510*.xml",))
    elif parser == "osv4-3":
        paths = _files(CORPUS / "csv" / "osv4-3", ("*.csv",))
    elif parser == "databank":
        paths = _files(SAMPLES / "databank", ("*.csv", "errors/*.csv"))
    elif parser == "tabular":
        paths = _files(SAMPLES / "tabular", ("*.csv", "*.tsv", "*.xlsx", "*.ods", "*.xls"))
        paths += _files(CORPUS / "csv" / "third-party", ("*.csv",))
    else:
        raise ValueError(parser)
    return tuple((p.name, p.read_bytes()) for p in paths)


def _rezip(data: bytes, member_index: int, ops: list[Any]) -> bytes:
    """Mutate one member of a zip (xlsx, ods) and zip it again, so the mutation reaches the
    XML inside instead of only breaking the compression."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        infos = source.infolist()
        target = infos[member_index % len(infos)].filename
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for info in infos:
                content = source.read(info)
                if info.filename == target:
                    content = mutate(content, ops)
                archive.writestr(info.filename, content)
    return out.getvalue()


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(size=1, timeout=60, max_tasks=500, memory_limit=WORKER_MEMORY)
    workers.start()
    try:
        yield workers
    finally:
        workers.close()


def check(pool: WorkerPool, data: bytes, filename: str, format_name: str | None) -> None:
    """The property: a schema-valid document or a TelnormError; nothing else (a crash of the
    worker, or any other exception, which the pool raises as RuntimeError, fails)."""
    with tempfile.TemporaryDirectory(prefix="telnorm-fuzz-") as folder:
        path = Path(folder) / filename
        path.write_bytes(data)
        job = pool.run(
            normalise_job,
            InputFile(path, filename),
            {},
            NormaliseOptions(format=format_name),
            LIMITS,
        )
        try:
            body = asyncio.run(job)
        except ParseCrashed:
            pytest.fail(f"the parser crashed its worker on {filename} ({len(data)} bytes)")
        except TelnormError as error:
            assert error.message, f"{type(error).__name__} without a message"
            assert 400 <= status_of(error) < 500, f"{type(error).__name__}: {status_of(error)}"
            if isinstance(error, LOCATED):
                assert error.location, f"{type(error).__name__} without a location: {error}"
            return
    assert_canonical(orjson.loads(body))


def _need(parser: str) -> tuple[tuple[str, bytes], ...]:
    found = seeds(parser)
    if not found:
        pytest.skip(f"no seed files for {parser} (corpus absent?)")
    return found


@pytest.mark.parametrize("parser", ["eml", "osv4-3", "tabular", "databank"])
@pytest.mark.parametrize("detected", [False, True], ids=["format", "detected"])
@FUZZ
@given(pick=st.integers(min_value=0), ops=hypothesis_ops(), inner=st.booleans())
def test_mutated_seed(
    pool: WorkerPool, parser: str, detected: bool, pick: int, ops: Any, inner: bool
) -> None:
    files = _need(parser)
    filename, data = files[pick % len(files)]
    if inner and data.startswith(b"PK\x03\x04"):
        mutated = _rezip(data, pick, ops)
    else:
        mutated = mutate(data, ops)
    check(pool, mutated, filename, None if detected else parser)


@FUZZ
@given(pick=st.integers(min_value=0), ops=hypothesis_ops(), extra=st.booleans())
def test_mutated_zip_bundle(pool: WorkerPool, pick: int, ops: Any, extra: bool) -> None:
    """A zip bundle of a mutated seed (and, sometimes, the candidate list beside it)."""
    files = [*seeds("tabular"), *seeds("osv4-3"), *seeds("eml")]
    filename, data = files[pick % len(files)]
    members = {filename: mutate(data, ops)}
    if extra:
        members["kandidatenlijst.eml.xml"] = (
            SAMPLES / "tabular" / "lindehoven.230b.eml.xml"
        ).read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    check(pool, out.getvalue(), "bundle.zip", None)


@FUZZ
@given(data=st.binary(max_size=4096), filename=st.sampled_from(["x.csv", "x.xml", "x.xlsx", "x"]))
def test_random_bytes(pool: WorkerPool, data: bytes, filename: str) -> None:
    check(pool, data, filename, None)
