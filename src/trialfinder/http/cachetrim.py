"""The HTTP cache kept under a size: the answers that expire first go first.

requests-cache never deletes an answer by itself: one that expired stays until the same request
is made again (so that, with ``stale_if_error``, an API that cannot be reached is answered from
it, with a note of its age). Every search with other words adds its pages for good, and one
export of the whole registry adds about 2.5 GB. So, as a cached session is made
(:func:`trialfinder.http.session.make_session`), a cache file larger than
``Settings.cache_max_mb`` loses its answers in the order they expire (those expired longest
ago first) until they hold three quarters of it; the answers of the search about to run are
stored after that.

A file made by trialfinder since this module exists has SQLite's incremental vacuum on, and
gives the freed space back to the disk at once; an older file keeps it and fills it again
before it grows. A cache that cannot be trimmed now (another program holds it, a read-only
disk) costs one log line, never the search.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import Final

__all__ = ["KEEP_SHARE", "trim_cache"]

logger = logging.getLogger(__name__)

#: A trimmed cache holds at most this share of its largest size, so that it is not trimmed
#: again by the next search's pages.
KEEP_SHARE: Final = 0.75
#: Answers deleted per statement.
_CHUNK: Final = 500


def _file_bytes(path: Path) -> int:
    total = 0
    for extra in ("", "-wal"):
        with contextlib.suppress(OSError):
            total += os.stat(f"{path}{extra}").st_size
    return total


def trim_cache(path: Path, max_mb: float) -> int:
    """Delete the answers of the cache file at ``path`` that expire first until they hold at
    most :data:`KEEP_SHARE` of ``max_mb``, when the file is larger than ``max_mb``. Returns
    how many were deleted (0 when nothing was to do, or the file could not be trimmed now)."""
    limit = max_mb * 1e6
    if _file_bytes(path) <= limit:
        return 0
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=2.0,
                                                isolation_level=None)) as con:
            return _trim(con, path, limit)
    except sqlite3.Error as exc:
        logger.info("the cache file %s was not trimmed now: %s", path, exc)
        return 0


def _trim(con: sqlite3.Connection, path: Path, limit: float) -> int:
    rows = con.execute("SELECT rowid, length(value) FROM responses "
                       "ORDER BY expires IS NULL, expires, rowid").fetchall()
    held = sum(size or 0 for _, size in rows)
    target = limit * KEEP_SHARE
    doomed: list[int] = []
    for rowid, size in rows:
        if held <= target:
            break
        doomed.append(rowid)
        held -= size or 0
    if not doomed:
        return 0  # the answers fit: the file holds free pages SQLite fills first
    con.execute("BEGIN IMMEDIATE")
    try:
        for start in range(0, len(doomed), _CHUNK):
            part = doomed[start:start + _CHUNK]
            con.execute(f"DELETE FROM responses WHERE rowid IN ({','.join('?' * len(part))})",
                        part)
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            con.execute("ROLLBACK")
        raise
    if con.execute("PRAGMA auto_vacuum").fetchone() == (2,):  # incremental: give space back
        con.executescript("PRAGMA incremental_vacuum;")  # execute() frees only one page
    with contextlib.suppress(sqlite3.Error):
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    logger.info("the cache file %s was over %.0f MB: %d answers that expire first deleted, "
                "%.0f MB of answers kept", path, limit / 1e6, len(doomed), held / 1e6)
    return len(doomed)
