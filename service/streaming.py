"""Large answers go from the worker to the client through a file, never whole through memory.

A worker writes the job's bytes (a canonical document, an export, a report) to a file in the
request's temporary folder and sends back only its size; the route streams the file in
chunks. Before this, the main process held every answer whole, once per client: six clients
that never read a 200 MB answer kept 1.2 GB alive. Now the main process holds one chunk per
client plus what uvicorn buffers before it pauses writing (its flow control waits for a slow
client to drain), so its memory no longer grows with the size of the answers.

The file is opened before the response is returned: the request's folder may be removed
when the route's dependencies close, and an open file lives on until it is closed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from anyio import to_thread
from starlette.responses import StreamingResponse

from telnorm.service.workers import WorkerPool

CHUNK = 1 << 20


@dataclass(frozen=True)
class Spooled:
    """A job's answer on disk, and the rest of its result (for an export: media type and
    file name; None when the job returned bytes)."""

    path: Path
    size: int
    meta: Any = None


def spool_call(
    path: Path,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Spooled:
    """Run in the worker: the job, its answer written to ``path``."""
    result = function(*args, **kwargs)
    if isinstance(result, bytes):
        with path.open("wb") as out:
            out.write(result)
        return Spooled(path, len(result))
    # an export (Exported): written piece by piece; what is left without its body crosses
    # the pipe
    size = 0
    with path.open("wb") as out:
        for piece in result.chunks():
            out.write(piece)
            size += len(piece)
    return Spooled(path, size, dataclasses.replace(result, body=b""))


async def run_spooled(
    pool: WorkerPool,
    folder: Path,
    function: Callable[..., Any],
    *args: Any,
    **kwargs: Any,
) -> Spooled:
    """Run ``function`` in a worker, its answer spooled to a new file in ``folder``."""
    path = folder / f"answer-{len(list(folder.iterdir()))}"
    result: Spooled = await pool.run(spool_call, path, function, args, kwargs)
    return result


async def _chunks(handle: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := await to_thread.run_sync(handle.read, CHUNK):
            yield chunk
    finally:
        handle.close()


def file_response(
    spooled: Spooled, media_type: str, headers: dict[str, str] | None = None
) -> StreamingResponse:
    """The spooled answer, streamed a chunk at a time, with its length."""
    handle = spooled.path.open("rb")
    response = StreamingResponse(_chunks(handle), media_type=media_type, headers=headers)
    response.headers["content-length"] = str(spooled.size)
    return response


__all__ = ["CHUNK", "Spooled", "file_response", "run_spooled", "spool_call"]
