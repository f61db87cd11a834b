"""Summarise many files in parallel for the command line (the service uses its own pool).

Files go to a process pool by path; each worker normalises one file at a time and returns
its small summary, so memory is bounded by the largest file (per worker), not the sum. A
worker that dies (a crash in a C library, the memory limit) marks the file it may have been
reading as crashed; the files it had not finished are read again by a fresh pool.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import ParseCrashed
from telnorm.service.pipeline import InputFile
from telnorm.service.problems import problem_document
from telnorm.service.reconcile.inputs import Item
from telnorm.service.reconcile.summary import FileSummary, summarise_file


def _init_worker(memory_limit: int | None) -> None:
    if memory_limit:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _job(item: Item, limits: Limits) -> FileSummary:
    return summarise_file(InputFile(item.path, item.filename), limits, item.label)


def _crashed(item: Item) -> FileSummary:
    error = ParseCrashed(
        "Reading the file stopped the worker process (a crash or the memory limit); the "
        "file may be damaged or built to crash the parser."
    )
    return FileSummary(file=item.label, problem=problem_document(error))


def summarise_all(
    items: list[Item],
    limits: Limits,
    jobs: int,
    memory_limit: int | None = None,
    advance: Callable[[int], None] | None = None,
) -> list[FileSummary]:
    """Summaries in the order of ``items``."""
    results: dict[int, FileSummary] = {}
    if jobs <= 1:
        for index, item in enumerate(items):
            results[index] = _job(item, limits)
            if advance:
                advance(1)
        return [results[i] for i in range(len(items))]
    pending = list(range(len(items)))
    # fork: workers start in milliseconds and share the imported parsers
    context = multiprocessing.get_context("fork")
    while pending:
        retry: list[int] = []
        blamed = False
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(pending)),
            mp_context=context,
            initializer=_init_worker,
            initargs=(memory_limit,),
        ) as pool:
            futures: dict[Future[FileSummary], int] = {
                pool.submit(_job, items[i], limits): i for i in pending
            }
            for future in as_completed(futures):
                index = futures[future]
                try:
                    results[index] = future.result()
                except BrokenProcessPool:
                    if blamed:
                        retry.append(index)
                        continue
                    blamed = True
                    results[index] = _crashed(items[index])
                if advance:
                    advance(1)
        pending = sorted(retry)
    return [results[i] for i in range(len(items))]
