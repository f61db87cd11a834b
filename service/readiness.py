"""What ``/health/ready`` checks, and what the service checks before it starts.

Ready means a request can succeed: the worker pool answers a job, the mapping files load (in
a worker, where the parsers read them), the canonical schema compiles, and the configured
EML schema folder loads. A setting that can never work (an EML schema folder without the
count schema, a mappings folder that does not exist) stops the service at startup instead:
it would otherwise answer 500 on every export.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telnorm.service.export.schema_check import load_schema
from telnorm.service.jobs import list_mappings_job
from telnorm.service.settings import Settings
from telnorm.service.validation.strict import validator
from telnorm.service.workers import WorkerPool

#: How long a ready check waits for the pool before calling it not ready.
CHECK_SECONDS = 5.0


class NotConfigured(RuntimeError):
    """A setting that cannot work: the service refuses to start."""


def check_configuration(settings: Settings) -> None:
    """Raise NotConfigured naming the setting when a configured folder cannot be used."""
    if settings.mappings_dir is not None and not settings.mappings_dir.is_dir():
        raise NotConfigured(
            f"TELNORM_MAPPINGS_DIR={settings.mappings_dir} is not a folder: set it to the "
            "folder of mapping files (TOML), or unset it for the built-in ones."
        )
    if settings.eml_schema_dir is not None:
        try:
            load_schema(settings.eml_schema_dir)
        except Exception as exc:  # lxml raises several kinds; any of them means unusable
            raise NotConfigured(
                f"TELNORM_EML_SCHEMA_DIR={settings.eml_schema_dir} cannot be used to check "
                f"exported EML: {exc}. Point it at the EML_NL 1.2.2 XSD folder, or unset it."
            ) from exc


def _ping() -> str:
    return "pong"


async def _timed(check: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), CHECK_SECONDS)
    except TimeoutError:
        outcome: dict[str, Any] = {
            "status": "failed",
            "detail": f"no answer within {CHECK_SECONDS:g} s",
        }
    except Exception as exc:  # a readiness check reports every failure, it never raises
        outcome = {"status": "failed", "detail": f"{type(exc).__name__}: {exc}"}
    else:
        outcome = {"status": "ok"}
    outcome["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return outcome


async def readiness(pool: WorkerPool | None, settings: Settings) -> dict[str, dict[str, Any]]:
    """Each check's outcome, by name: ``{"status": "ok"|"failed", "detail"?, "ms"}``."""

    async def workers() -> None:
        if pool is None:
            raise RuntimeError("the worker pool is not running")
        if await pool.run(_ping, timeout=CHECK_SECONDS) != "pong":
            raise RuntimeError("a worker answered something else")

    async def mappings() -> None:
        if settings.mappings_dir is not None and not Path(settings.mappings_dir).is_dir():
            raise RuntimeError(f"{settings.mappings_dir} is not a folder")
        if pool is not None:
            await pool.run(list_mappings_job, settings.mappings_dir, timeout=CHECK_SECONDS)

    async def canonical_schema() -> None:
        await asyncio.to_thread(validator)

    async def eml_schema() -> None:
        if settings.eml_schema_dir is not None:
            await asyncio.to_thread(load_schema, settings.eml_schema_dir)

    names = ("workers", "mappings", "canonical_schema", "eml_schema")
    checks = (workers, mappings, canonical_schema, eml_schema)
    results = await asyncio.gather(*(_timed(check) for check in checks))
    return dict(zip(names, results, strict=True))
