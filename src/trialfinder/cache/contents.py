"""What the cache folder holds, and clearing it: only files trialfinder wrote ever go.

A cache folder may be one the user pointed us at (``TRIALFINDER_CACHE_DIR=~/thesis``), so files
are recognised, never assumed: the HTTP cache by its exact names (:data:`HTTP_CACHE_FILES`) in
the folder itself, saved tables by name and manifest in ``tables/`` (see
:meth:`TableCache.recognised`). Everything else is counted and left alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from trialfinder.cache.tablecache import TableCache
from trialfinder.core.errors import CacheError
from trialfinder.core.folders import HTTP_CACHE_FILES, check_cache_dir, os_reason

__all__ = ["CacheContents", "cache_contents", "clear_cache"]

TABLES_FOLDER = "tables"


@dataclass(frozen=True)
class CacheContents:
    folder: Path
    http_files: tuple[Path, ...]
    http_bytes: int
    saved_searches: int
    table_files: tuple[Path, ...]
    table_bytes: int
    other_files: int  # files trialfinder did not write (or cannot tell it did)
    problem: str | None  # why searches would not use this folder, if they would not


def _size(path: Path) -> int:
    try:
        info = path.lstat()
    except OSError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


# The request budget shared by processes (see trialfinder.http.pacing.state_file_for).
_PACING_FILE = re.compile(r"pacing-[0-9a-f]{16}\.state")


def _pacing_files(folder: Path) -> tuple[Path, ...]:
    try:
        return tuple(sorted(p for p in folder.glob("pacing-*.state")
                            if _PACING_FILE.fullmatch(p.name) and p.is_file()))
    except OSError:
        return ()


def cache_contents(folder: Path) -> CacheContents:
    """What ``folder`` holds, read without changing anything."""
    problem = None
    try:
        check_cache_dir(folder)
    except CacheError as exc:
        problem = str(exc)
    http = tuple(p for name in HTTP_CACHE_FILES if (p := folder / name).is_file())
    http += _pacing_files(folder)
    store = TableCache(folder / TABLES_FOLDER)
    tables = tuple(store.recognised()) if store.folder.is_dir() else ()
    mine = {*http, *tables}
    try:
        everything = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    except OSError as exc:
        raise CacheError(f"cannot list the cache folder {folder}: {os_reason(exc)}") from None
    return CacheContents(
        folder=folder,
        http_files=http,
        http_bytes=sum(map(_size, http)),
        saved_searches=len(store.entries()) if tables else 0,
        table_files=tables,
        table_bytes=sum(map(_size, tables)),
        other_files=sum(1 for p in everything if p not in mine),
        problem=problem,
    )


def clear_cache(folder: Path) -> tuple[int, int, int]:
    """Remove what trialfinder wrote in ``folder``; returns (files removed, bytes removed,
    other files left). A folder searches would refuse is refused here too (:class:`CacheError`)."""
    check_cache_dir(folder)
    before = cache_contents(folder)
    files = nbytes = 0
    for path in before.http_files:
        size = _size(path)
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise CacheError(f"cannot remove {path}: {os_reason(exc)}") from None
        files, nbytes = files + 1, nbytes + size
    cleared = TableCache(folder / TABLES_FOLDER).clear()
    if cleared.files < len(before.table_files):
        raise CacheError(f"could not remove every saved table in {folder / TABLES_FOLDER}; "
                         "check its permissions")
    files, nbytes = files + cleared.files, nbytes + cleared.nbytes
    with contextlib.suppress(OSError):
        os.rmdir(folder / TABLES_FOLDER)  # only when empty: nothing foreign is in it
    return files, nbytes, before.other_files
