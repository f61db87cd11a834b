"""The worker pool: an overrunning or crashing parse costs that request alone."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from parsers.errors import ParseCrashed, ParseTimeout
from service.workers import WorkerPool


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
    assert pool.replaced == before + 1
    assert isinstance(_run(pool, _pid), int)


def test_workers_are_recycled_after_max_tasks(pool: WorkerPool) -> None:
    pids = {_run(pool, _pid) for _ in range(8)}
    # two workers, recycled every three jobs: more than two processes served eight jobs
    assert len(pids) > 2


def _interval() -> tuple[int, float, float]:
    started = time.time()
    time.sleep(0.5)
    return os.getpid(), started, time.time()


def test_two_jobs_run_at_once(pool: WorkerPool) -> None:
    async def both() -> list[tuple[int, float, float]]:
        return list(await asyncio.gather(pool.run(_interval), pool.run(_interval)))

    (pid_a, start_a, end_a), (pid_b, start_b, end_b) = asyncio.run(both())
    assert pid_a != pid_b
    assert start_a < end_b and start_b < end_a  # the two intervals overlap
