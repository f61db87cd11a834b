"""Jobs the worker-pool tests run in worker processes (module-level: they pickle by name)."""

from __future__ import annotations

import os
from pathlib import Path


def die_first_time(marker: str) -> str:
    """Die like a process the OOM killer took, the first time only."""
    path = Path(marker)
    if not path.exists():
        path.touch()
        os._exit(137)
    return "second try"
