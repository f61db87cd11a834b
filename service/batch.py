"""The CLI's worker for folder batches: one parse process, replaced when a file kills it.

``telnorm normalise FOLDER`` reads many files one after the other. In-process, a file that
makes a C library abort (a spreadsheet that asks for gigabytes) would end the whole command
with the files after it unread. Here each file runs in a worker of a one-process
:class:`~telnorm.service.workers.WorkerPool` with the service's limits (memory, wall time):
a crash is that file's ``parse-crashed`` failure in the summary, and the next file gets a
fresh worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from telnorm.service.settings import Settings
from telnorm.service.workers import WorkerPool


def batch_pool(settings: Settings) -> WorkerPool:
    pool = WorkerPool(
        size=1,
        timeout=settings.parse_timeout_seconds,
        max_tasks=settings.worker_max_tasks,
        memory_limit=settings.worker_memory_bytes,
    )
    pool.start()
    return pool


@contextmanager
def closing_pool(pool: WorkerPool | None) -> Iterator[WorkerPool | None]:
    try:
        yield pool
    finally:
        if pool is not None:
            pool.close()


__all__ = ["batch_pool", "closing_pool"]
