"""The worker pool: an overrunning or crashing parse costs that request alone."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from telnorm.parsers.errors import ParseCrashed, ParseTimeout
from telnorm.service.workers import WorkerPool


def _pid() -> int:
    return os.getpid()


def _crash() -> None:
    os._exit(3)


@pytest.fixture(scope="module")
def pool() -> WorkerPool:
    pool = WorkerPool(size=2, timeout=10, max_tasks=3)
    pool.start()
    yield pool  # type: ignore[misc]
    pool.close()


def _run(pool: WorkerPool, function: object, *args: object, timeout: float | None = None) -> object:
    return asyncio.run(pool.run(function, *args, timeout=timeout))  # type: ignore[arg-type]


def test_runs_in_other_processes(pool: WorkerPool) -> None:
    assert _run(pool, _pid) != os.getpid()


def test_overrun_is_stopped_and_worker_replaced(pool: WorkerPool) -> None:
    before = pool.replaced
    started = time.monotonic()
    with pytest.raises(ParseTimeout):
        _run(pool, time.sleep, 30, timeout=0.5)
    assert time.monotonic() - started < 10
    assert pool.replaced == before + 1
    assert isinstance(_run(pool, _pid), int)  # the pool still answers


def test_crash_is_a_problem_and_worker_replaced(pool: WorkerPool) -> None:
    before = pool.replaced
    with pytest.raises(ParseCrashed):
        _run(pool, _crash)
    # the job is tried once more on a fresh worker (the first may have been killed from
    # outside), which it crashes too
    assert pool.replaced == before + 2
    assert isinstance(_run(pool, _pid), int)


def test_workers_are_recycled_after_max_tasks(pool: WorkerPool) -> None:
    pids = {_run(pool, _pid) for _ in range(8)}
    # two workers, recycled every three jobs: more than two processes served eight jobs
    assert len(pids) > 2


def _meet(folder: str, me: str, other: str) -> bool:
    """Announce this job, then wait for the other one: only concurrent jobs can meet."""
    Path(folder, me).touch()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if Path(folder, other).exists():
            return True
        time.sleep(0.01)
    return False


def test_two_jobs_run_at_once(pool: WorkerPool, tmp_path: Path) -> None:
    async def both() -> list[bool]:
        folder = str(tmp_path)
        return list(
            await asyncio.gather(
                pool.run(_meet, folder, "a", "b"), pool.run(_meet, folder, "b", "a")
            )
        )

    assert asyncio.run(both()) == [True, True]
