"""Memory settings for a process that runs one search and ends: the ``trialfinder`` command.

A library must not change how its host process allocates memory, so these are applied only by
the command line's own entry points (``trialfinder``, ``python -m trialfinder``,
``python -m trialfinder.cli``) and only for commands that make one search (``search``,
``match``). Commands that run long (``sync``, ``watch run``) keep the default: the heap is
handed back after each page, so their memory stays flat however many pages come.

- The heap keeps what a page freed for the next page (:func:`api.heap.keep_freed_heap`).
- Answers are read 1 MB at a time instead of 64 kB (:data:`api.transport.ONE_SEARCH_CHUNK`).
- pyarrow allocates from the same heap (its system pool) instead of its own mimalloc arenas,
  so the tables and the freed pages share one reused heap. For 10,000 studies this took the
  command's peak from about 240 MB to 220 MB and its time down by a tenth
  (benchmarks/results/csv.md).
- Once the search's modules are loaded (:func:`settle_before_search`), everything alive is
  moved out of the cyclic garbage collector's sight (``gc.freeze``): the tens of thousands of
  containers pandas and the rest make at import are never garbage, yet each full collection
  walked them all, and so did the collection at exit. New objects are collected as before.
  This took about a twentieth off a 10,000-study search.
- With a cache, the search's tables are saved in a thread of their own while the command writes
  its output (:func:`service.save_tables_behind`); the process waits for it before it ends.
  About 0.15 s off a cached 10,000-study search to a file.
"""

from __future__ import annotations

import gc
import importlib
import logging

from trialfinder.api.heap import keep_freed_heap

__all__ = ["ONE_SEARCH_COMMANDS", "settle_before_search", "tune_for_one_search"]

logger = logging.getLogger(__name__)

#: The commands that make one search and end.
ONE_SEARCH_COMMANDS = frozenset({"search", "match"})


_tuned = False
#: What a search needs loaded before the rest is frozen.
_SEARCH_MODULES = ("trialfinder.service", "trialfinder.tables.export")


def tune_for_one_search() -> list[str]:
    """Apply the settings this platform has; the names of those applied."""
    global _tuned
    _tuned = True
    # the transport loads requests: imported here, so `--help` and `presets` stay quick
    from trialfinder.api.transport import ONE_SEARCH_CHUNK, use_read_chunk

    applied = ["heap kept"] if keep_freed_heap() else []
    use_read_chunk(ONE_SEARCH_CHUNK)
    applied.append("1 MB reads")
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
    except ImportError:
        return applied
    pa.set_memory_pool(pa.system_memory_pool())
    applied.append("pyarrow on the system heap")
    logger.debug("memory settings for one search: %s", ", ".join(applied))
    return applied


def settle_before_search() -> bool:
    """Right before the search of a tuned process: load what it needs, then freeze every
    object alive for the collector (see the module docstring). Whether it froze (not in a
    process left untuned: a test, a notebook, the dashboard)."""
    if not _tuned:
        return False
    for name in _SEARCH_MODULES:
        importlib.import_module(name)
    from trialfinder.service import save_tables_behind

    save_tables_behind()
    gc.freeze()
    logger.debug("%d objects frozen for the garbage collector", gc.get_freeze_count())
    return True
