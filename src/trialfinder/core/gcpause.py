"""Pause Python's cyclic garbage collector around one CPU-bound step that builds many objects.

Parsing a page of 1,000 studies makes hundreds of thousands of small objects and none of them
form cycles, yet each burst of allocations sets off collections that walk every object alive,
again and again (see benchmarks/bench_gc.py: a 10,000-study search took about half the time
with the pause, more in a process holding other data, as a dashboard server does).

The collector is one per process: there is no pause for one thread only. So the pause wraps
only single calls that run on the CPU for at most a few seconds (``orjson.loads`` of one page,
``normalize``), never a network wait, and it is always undone. Pauses from several threads
nest: the collector comes back when the last one ends, and only if it was on before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
