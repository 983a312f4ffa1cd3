"""A process that runs one search and ends: the ``trialfinder`` command's ``search`` and
``match``, run by the command line's own entry points (``trialfinder``, ``python -m trialfinder``,
``python -m trialfinder.cli.main``).

A library must not change how its host process allocates memory, so the command asks for this
itself: :func:`tune_for_one_search` applies what belongs to the whole process, and the command's
settings carry the run profile :data:`~trialfinder.core.config.ONE_SEARCH` for the rest (1 MB
reads, no trim after each page, saved tables written behind the output). Commands that run long
(``sync``, ``watch run``) keep the default profile: the heap is handed back after each page, so
their memory stays flat however many pages come; their process too has one heap for every
thread (:func:`tune_for_a_long_run`): the fetching thread's arena of its own held some 20 MB
more at the peak of a 5,000-study sync of real multi-centre trials, at the same CPU.

- The heap keeps what a page freed for the next page (:func:`http.heap.keep_freed_heap`), and
  every thread shares that one heap (:func:`http.heap.one_arena`): the thread that fetches the
  next page no longer keeps an arena of its own.
- numpy's linear algebra library (OpenBLAS) starts one thread per core when numpy is loaded,
  and they spin waiting for work a search never gives them: it is asked for one thread
  (``OPENBLAS_NUM_THREADS=1``, unless the user set it). That took about 0.05 s of CPU off every
  command run on this 2-core machine (benchmarks/results/analyst.md).
- pyarrow allocates from the same heap (its system pool) instead of its own mimalloc arenas,
  so the tables and the freed pages share one reused heap. For 10,000 studies this took the
  command's peak from about 240 MB to 220 MB and its time down by a tenth
  (benchmarks/results/csv.md). Arrow's own C++ code (the Parquet writer, the compute
  kernels) takes its default pool, not the one pyarrow hands to Python, so it is chosen before
  pyarrow loads (``ARROW_DEFAULT_MEMORY_POOL=system``, unless the user set it,
  :func:`arrow_on_the_system_heap`): with mimalloc's arena beside the heap the saved tables'
  and the Parquet file's writers kept about 15 MB more (benchmarks/results/analyst.md).
- pyarrow's S3 filesystem is marked absent before pyarrow loads (:func:`no_s3_filesystem`):
  ``pyarrow.parquet`` loads ``pyarrow.fs``, which loads it when it can, and its library (the
  AWS SDK's share of Arrow) stayed about 7 MB resident in every search, which never reads a
  bucket. ``pyarrow.fs`` is made for builds without it: ``S3FileSystem`` is then missing, as
  there.
- Once the search's modules are loaded (:func:`settle_before_search`), everything alive is
  moved out of the cyclic garbage collector's sight (``gc.freeze``): the tens of thousands of
  containers pandas and the rest make at import are never garbage, yet each full collection
  walked them all, and so did the collection at exit. This took about a twentieth off a
  10,000-study search.
- The collector is off from the start (:func:`tune_for_one_search`) and stays off: a search
  makes next to no cyclic garbage (about 2,000 small objects in a 10,000-study search, most of
  them made by the imports, none per page), yet each collection walked every object the
  imports had made so far, and then every page's objects again as they were parsed and read
  into the tables. Freed objects go at once, by reference counting, as before. The imports
  took about 0.07 s less CPU, the search about a hundredth less (benchmarks/results/analyst.md).
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys

from trialfinder.core.config import ONE_SEARCH, RunProfile
from trialfinder.http.heap import keep_freed_heap, one_arena

__all__ = ["LONG_RUN_COMMANDS", "ONE_SEARCH_COMMANDS", "arrow_on_the_system_heap",
           "no_s3_filesystem", "one_blas_thread", "settle_before_search", "tune_for_a_long_run",
           "tune_for_one_search"]

logger = logging.getLogger(__name__)

#: The commands that make one search and end.
ONE_SEARCH_COMMANDS = frozenset({"search", "match"})
#: The commands that store page after page (``sync``, ``watch run``).
LONG_RUN_COMMANDS = frozenset({"sync", "watch"})

#: What a search needs loaded before the rest is frozen.
_SEARCH_MODULES = ("trialfinder.service.searching", "trialfinder.tables.export")


def tune_for_one_search() -> list[str]:
    """Apply what belongs to the whole process (this platform's share of it); the names of
    those applied."""
    applied = ["heap kept"] if keep_freed_heap() else []
    if one_arena():
        applied.append("one heap for every thread")
    if ONE_SEARCH.collector_off:
        gc.disable()  # already while the search's modules load (see the module docstring)
        applied.append("collector off")
    if one_blas_thread():
        applied.append("one BLAS thread")
    if arrow_on_the_system_heap():
        applied.append("Arrow's default pool on the system heap")
    if no_s3_filesystem():
        applied.append("no S3 filesystem")
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
    except ImportError:
        return applied
    pa.set_memory_pool(pa.system_memory_pool())
    applied.append("pyarrow on the system heap")
    logger.debug("memory settings for one search: %s", ", ".join(applied))
    return applied


def tune_for_a_long_run() -> list[str]:
    """What a long run's process takes of :func:`tune_for_one_search`: one heap for every
    thread (the heap is still handed back after each page); the names of those applied."""
    applied = ["one heap for every thread"] if one_arena() else []
    logger.debug("memory settings for a long run: %s", ", ".join(applied) or "none")
    return applied


def one_blas_thread() -> bool:
    """Ask numpy's OpenBLAS for one thread, when numpy is not loaded yet (it reads the setting
    once, as it loads) and the user did not choose; whether it was asked."""
    if "numpy" in sys.modules or "OPENBLAS_NUM_THREADS" in os.environ:
        return False
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    return True


def arrow_on_the_system_heap() -> bool:
    """Ask Arrow's C++ code for the system allocator as its default pool, when pyarrow is not
    loaded yet (it reads the setting as it loads) and the user did not choose; whether it was
    asked."""
    if "pyarrow" in sys.modules or "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return False
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    return True


def no_s3_filesystem() -> bool:
    """Mark pyarrow's S3 filesystem absent for this process, when pyarrow is not loaded yet
    (see the module docstring); whether it was."""
    if "pyarrow" in sys.modules or _S3FS in sys.modules:
        return False
    sys.modules[_S3FS] = None  # type: ignore[assignment]  # an import of it raises ImportError
    return True


_S3FS = "pyarrow._s3fs"


def settle_before_search(profile: RunProfile) -> bool:
    """Right before the search: when ``profile`` says so, load what the search needs, then
    freeze every object alive for the collector (see the module docstring). Whether it froze
    (never in a test, a notebook or the dashboard, whose profile is the default)."""
    if not profile.freeze_after_imports:
        return False
    for name in _SEARCH_MODULES:
        importlib.import_module(name)
    gc.freeze()
    logger.debug("%d objects frozen for the garbage collector", gc.get_freeze_count())
    if profile.collector_off:
        gc.disable()  # the pauses around each page then leave it off (core.gcpause)
    return True
