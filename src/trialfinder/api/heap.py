"""Hand the heap memory a finished page freed back to the operating system.

Each page of 1,000 studies is parsed into hundreds of thousands of objects, turned into tables,
and freed. glibc's ``malloc`` keeps most of what is freed in its heap for reuse, scattered
between the chunks still in use, so the resident size of a long search climbs page by page
although the live data grows only by the tables. ``malloc_trim(0)`` returns every whole free
page of the heap to the system (Dask's workers do the same to keep their memory reading honest).

Only glibc has it: elsewhere (macOS, Windows, musl) :func:`trim` does nothing. It never raises.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from collections.abc import Callable
from functools import cache

__all__ = ["trim"]

logger = logging.getLogger(__name__)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        logger.debug("no malloc_trim in this C library; freed heap stays with the process")
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function


def trim() -> bool:
    """Return free heap pages to the system; whether anything was returned (False without
    glibc)."""
    function = _malloc_trim()
    return bool(function(0)) if function is not None else False
