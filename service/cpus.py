"""How many CPUs this process may really use: the container's quota, not the host's count.

In a container ``os.cpu_count()`` is the host's (64 on a large node) while the cgroup may
allow two CPUs; a worker per host CPU then means dozens of processes fighting over two CPUs'
time, each with its own memory. The quota is read from cgroup v2 (``/sys/fs/cgroup/cpu.max``:
``"200000 100000"`` is two CPUs, ``"max 100000"`` no quota) or cgroup v1
(``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``), and bounded by the CPUs this process may
run on (``sched_getaffinity``: cpusets, ``taskset``).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _read(path: Path) -> str | None:
    try:
        return path.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def cgroup_cpu_quota(root: Path | None = None) -> float | None:
    """CPUs allowed by the cgroup quota (may be fractional), or None without a quota."""
    root = CGROUP_ROOT if root is None else root
    text = _read(root / "cpu.max")
    if text is not None:
        parts = text.split()
        if len(parts) == 2 and parts[0] != "max":
            try:
                quota, period = int(parts[0]), int(parts[1])
            except ValueError:
                return None
            return quota / period if quota > 0 and period > 0 else None
        return None
    for folder in (root / "cpu", root / "cpu,cpuacct", root):
        quota_text = _read(folder / "cpu.cfs_quota_us")
        period_text = _read(folder / "cpu.cfs_period_us")
        if quota_text is None or period_text is None:
            continue
        try:
            quota, period = int(quota_text), int(period_text)
        except ValueError:
            return None
        return quota / period if quota > 0 and period > 0 else None
    return None


def available_cpus(root: Path | None = None) -> int:
    """Whole CPUs this process may use: affinity, then the cgroup quota rounded up."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        count = os.cpu_count() or 1
    quota = cgroup_cpu_quota(CGROUP_ROOT if root is None else root)
    if quota is not None:
        count = min(count, max(1, math.ceil(quota)))
    return max(1, count)


def default_workers(root: Path | None = None, most: int = 4) -> int:
    """The default number of parse workers: one per usable CPU, at most ``most``."""
    return max(1, min(most, available_cpus(root)))


__all__ = ["available_cpus", "cgroup_cpu_quota", "default_workers"]
