"""Pause Python's cyclic garbage collector while building large JSON-derived structures.

Parsing a page of 1,000 studies makes hundreds of thousands of small objects and none of them
form cycles, yet each burst of allocations sets off collections that walk every object alive,
again and again; on a 10,000-study search that costs more than the parsing itself. The pause is
global, so it is kept short and always undone (nesting is fine).
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
