"""Pausing CPython's cyclic garbage collector while a large table is read.

A table of 20,000 rows becomes millions of small containers (rows, unit values, the
document's selection dicts and lists). CPython's generational collector traverses the whole
heap each time it has grown by a quarter, so a parse that only builds (and creates no
reference cycles worth collecting) spent about half its time there. The readers therefore run
with the collector paused; reference counting still frees everything as usual, and the
collector resumes, with its normal thresholds, when the last paused parse in the process ends.

Thread-safe and nestable: parses in several threads of one process keep it paused until the
last one ends, and a collector that was already disabled by the application stays disabled.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_paused_by_us = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _depth, _paused_by_us
    with _lock:
        if _depth == 0:
            _paused_by_us = gc.isenabled()
            if _paused_by_us:
                gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _paused_by_us:
                _paused_by_us = False
                # Everything allocated while paused would sit in the youngest generation, and
                # the first collection after enable() would traverse all of it. Moving it to the
                # oldest generation first (freeze + unfreeze splices lists, no traversal) leaves
                # it to the next full collection, as if it had been collected all along.
                # Only when nothing is frozen already: unfreeze() would release an
                # application's own gc.freeze() (made before forking workers, say).
                if gc.get_freeze_count() == 0:
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()
