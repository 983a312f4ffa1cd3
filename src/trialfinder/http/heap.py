"""Hand the heap memory a finished page freed back to the operating system.

Each page of 1,000 studies is parsed into hundreds of thousands of objects, turned into tables,
and freed. glibc's ``malloc`` keeps most of what is freed in its heap for reuse, scattered
between the chunks still in use, so the resident size of a long search climbs page by page
although the live data grows only by the tables. ``malloc_trim(0)`` returns every whole free
page of the heap to the system (Dask's workers do the same to keep their memory reading honest).

Only glibc has it: elsewhere (macOS, Windows, musl) :func:`trim` does nothing. It never raises.

A process that makes one search and ends (the command line) wants the opposite:
:func:`keep_freed_heap` lets glibc keep the small blocks a page freed for the next page, since
handing them back only to take them again costs a page fault for every 4 kB touched, a sixth of
a 10,000-study search's time on a virtual machine. Its peak is lower besides: the heap is
reused, not grown. A block of a megabyte or more (a page's body) gets a mapping of its own,
handed back when freed, so it leaves no hole in the heap for smaller blocks to split.
A search calls :func:`after_page` after each page: a trim, unless its run profile
(``Settings.profile``) keeps the heap. Such a process also keeps one heap for all its threads
(:func:`one_arena`): the thread that fetches the next page would otherwise get an arena of its
own, whose freed memory the thread that works on the page cannot reuse.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from collections.abc import Callable
from functools import cache

__all__ = ["after_page", "keep_freed_heap", "one_arena", "trim"]

logger = logging.getLogger(__name__)


#: glibc's ``mallopt`` parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
#: Blocks below this size come from the heap (reused once freed); larger ones (a page's body of
#: several MB, its CSV text) get mappings of their own, handed back when freed. Kept in the heap
#: (up to 32 MB, glibc's most, until this stop), such blocks left holes that the smaller blocks
#: of the next page split, so each new body grew the heap: 25 to 35 MB more at the peak of a
#: 10,000-study search of multi-centre trials, at the same CPU (benchmarks/results/analyst.md).
KEEP_MMAP_THRESHOLD = 1 * 2**20
#: The heap's free top is handed back only past this size.
KEEP_TRIM_THRESHOLD = 256 * 2**20



@cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    libc = _libc()
    try:
        function = libc.malloc_trim if libc is not None else None
    except AttributeError:  # not glibc
        function = None
    if function is None:
        logger.debug("no malloc_trim in this C library; freed heap stays with the process")
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function


def _mallopt() -> Callable[[int, int], int] | None:
    """glibc's ``mallopt`` (``None`` in another C library), read from the cached library
    each time (a test that takes glibc away clears only :func:`_libc`)."""
    libc = _libc()
    function = getattr(libc, "mallopt", None) if libc is not None else None
    if function is None:
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def trim() -> bool:
    """Return free heap pages to the system; whether anything was returned (False without
    glibc)."""
    function = _malloc_trim()
    return bool(function(0)) if function is not None else False


def keep_freed_heap() -> bool:
    """For the rest of this process, keep freed heap for reuse (see the module docstring):
    raise glibc's mmap and trim thresholds. Whether it applied (False without glibc). Meant
    for a process that ends after one search, whose run profile also stops the trim after each
    page (:data:`trialfinder.core.config.ONE_SEARCH`)."""
    mallopt = _mallopt()
    if mallopt is None:
        return False
    applied = bool(mallopt(_M_MMAP_THRESHOLD, KEEP_MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, KEEP_TRIM_THRESHOLD))
    if applied:
        logger.debug("freed heap is kept for reuse in this process")
    return applied


def one_arena() -> bool:
    """For the rest of this process, every thread allocates from the one main heap (glibc's
    ``M_ARENA_MAX`` set to 1; see the module docstring): the memory a page's body, its cache
    entry and its parsing took in the fetching thread is then reused for the next page's
    tables in the main thread, and the reverse. For 10,000 studies this took the command's
    peak down by about 13 MB at the same CPU (benchmarks/results/analyst.md). Whether it
    applied (False without glibc). Call it before any other thread starts."""
    mallopt = _mallopt()
    return bool(mallopt(_M_ARENA_MAX, 1)) if mallopt is not None else False


def after_page(trim_each_page: bool) -> bool:
    """Called by a search after each page: :func:`trim` when the run profile says so
    (``Settings.profile.trim_heap_each_page``)."""
    return trim() if trim_each_page else False
