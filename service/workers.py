"""The parse worker pool: CPU-bound work runs in separate processes.

Why not ``concurrent.futures.ProcessPoolExecutor``: it cannot stop one task. A parse that
hangs or overruns its wall time must cost that request alone, so each worker here is a process
of its own with a pipe; an overrunning worker is killed and replaced while the others go on.
A worker that dies (a crash in a C extension, the memory limit) is replaced the same way.
Workers are recycled after ``max_tasks`` jobs so that memory stays flat over thousands of
requests.

The event loop never blocks: each job is handed to a thread that writes to the worker's pipe
and waits on it with a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import queue
import resource
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from telnorm.parsers.errors import LimitExceeded, ParseCrashed, ParseTimeout, TelnormError

_CONTEXT = multiprocessing.get_context("spawn")


class PoolBusy(Exception):
    """Every worker is busy and the queue of waiting jobs is full (the service answers 503
    with Retry-After): not the caller's input, so not a TelnormError."""


def _out_of_memory() -> tuple[str, Any]:
    return (
        "error",
        LimitExceeded(
            "Reading the file needed more memory than one parse may use. The file is too "
            "large or built to exhaust memory."
        ),
    )


def _call(function: Callable[..., Any], args: Any, kwargs: Any) -> tuple[str, Any] | None:
    """The job's outcome; None when it ran out of memory. Returning from the handler drops
    the traceback, and with it the frames that hold the memory the parse had taken, so that
    the answer can be written at all."""
    try:
        return ("ok", function(*args, **kwargs))
    except TelnormError as exc:
        return ("error", exc)
    except MemoryError:
        return None
    except RecursionError:
        return ("error", LimitExceeded("The file is nested too deeply to read."))
    except Exception:
        return ("bug", traceback.format_exc())


def _worker_main(conn: Connection, memory_limit: int | None, log_level: str | None = None) -> None:
    # Tesseract (OCR of scanned PDFs) would start a thread per core in every worker: one
    # thread each keeps parallel workers from fighting over the cores.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if log_level:  # a worker's log lines (and library warnings) are JSON like the service's
        from telnorm.service.observability import configure_logging

        configure_logging(log_level)
    if memory_limit:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        function, args, kwargs = job
        outcome = _call(function, args, kwargs)
        del job, function, args, kwargs
        if outcome is None:
            gc.collect()
            outcome = _out_of_memory()
        try:
            conn.send(outcome)
        except MemoryError:  # the answer itself was too large to write
            outcome = None
            gc.collect()
            conn.send(_out_of_memory())


class _WorkerDied(Exception):
    """The worker's pipe closed before it answered: the process is gone."""


@dataclass(eq=False)  # identity hash: workers live in a set
class _Worker:
    process: BaseProcess
    conn: Connection
    jobs: int = 0

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError, BrokenPipeError):
                self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """A fixed number of parse worker processes."""

    def __init__(
        self,
        size: int,
        timeout: float,
        max_tasks: int = 200,
        memory_limit: int | None = None,
        max_queue: int | None = None,
        log_level: str | None = None,
    ) -> None:
        self.log_level = log_level
        self.size = size
        #: Jobs that may wait for a slot (None: no bound); ``queued`` is how many wait now.
        self.max_queue = max_queue
        self.queued = 0
        self.timeout = timeout
        self.max_tasks = max_tasks
        self.memory_limit = memory_limit
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._slots = asyncio.Semaphore(size)
        self.replaced = 0

    def _spawn(self) -> _Worker:
        parent, child = _CONTEXT.Pipe(duplex=True)
        process = _CONTEXT.Process(
            target=_worker_main, args=(child, self.memory_limit, self.log_level), daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        return worker

    def start(self) -> None:
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()

    def _retire(self, worker: _Worker, kill: bool) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop(kill=kill)
        self.replaced += 1

    def _take(self) -> _Worker:
        """An idle worker that is alive: one killed while idle (the OOM killer, a signal)
        is replaced here, before it is handed a job."""
        worker = self._idle.get()
        if not worker.process.is_alive():
            self._retire(worker, kill=True)
            worker = self._spawn()
        return worker

    def _attempt(
        self,
        function: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        timeout: float,
    ) -> tuple[str, Any]:
        """One run of the job on one worker; _WorkerDied when the worker died without an
        answer (the worker is replaced either way)."""
        worker = self._take()
        outcome: tuple[str, Any] | None = None
        try:
            worker.conn.send((function, args, kwargs))
            if not worker.conn.poll(timeout):
                self._retire(worker, kill=True)
                worker = self._spawn()
                raise ParseTimeout(
                    f"Reading the file took longer than {timeout:g} seconds, the most one "
                    "parse may take; it was stopped."
                )
            outcome = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._retire(worker, kill=True)
            worker = self._spawn()
            raise _WorkerDied from None
        finally:
            if outcome is not None:
                worker.jobs += 1
                if worker.jobs >= self.max_tasks:
                    self._retire(worker, kill=False)
                    worker = self._spawn()
            self._idle.put(worker)
        return outcome

    def run_blocking(
        self,
        function: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        timeout: float | None = None,
    ) -> Any:
        """Run a job and wait for it in this thread (the CLI's batches use this directly)."""
        limit = timeout or self.timeout
        try:
            outcome = self._attempt(function, args, kwargs, limit)
        except _WorkerDied:
            # A worker that dies without an answer may have been killed from outside (out
            # of memory for another reason, a signal) before or while it ran this job: the
            # job gets one more try on a fresh worker. A file that kills that one too is
            # answered parse-crashed.
            try:
                outcome = self._attempt(function, args, kwargs, limit)
            except _WorkerDied:
                raise ParseCrashed(
                    "Reading the file stopped the parser unexpectedly: the file may be "
                    "damaged or built to crash it. If this repeats with a file you trust, "
                    "report it."
                ) from None
        status, value = outcome
        if status == "ok":
            return value
        if status == "error":
            raise value
        raise RuntimeError(f"parse worker failed:\n{value}")

    async def run(
        self, function: Callable[..., Any], *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> Any:
        """Run ``function(*args, **kwargs)`` in a worker; TelnormError is re-raised here.

        Raises PoolBusy at once when every worker is busy and ``max_queue`` jobs already wait.
        """
        if self.max_queue is not None and self._slots.locked() and self.queued >= self.max_queue:
            raise PoolBusy(f"{self.queued} jobs are waiting for a worker")
        self.queued += 1
        try:
            await self._slots.acquire()
        finally:
            self.queued -= 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                None, self.run_blocking, function, args, kwargs, timeout or self.timeout
            )
        finally:
            self._slots.release()
