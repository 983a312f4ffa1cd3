"""The cache folder: private to its user, or not used at all (the rule the data folder and
its subfolders follow too: :func:`not_private`, :func:`foreign`).

trialfinder keeps two things in its cache folder: the HTTP cache (``http_cache.sqlite`` and
SQLite's ``-wal``/``-shm`` companions) and the saved tables (``tables/``, see
:mod:`trialfinder.cache.tablecache`). Before either is read or written the folder goes through
:func:`prepare_cache_dir`:

- a missing folder is created readable by its user only (0700); files we write are 0600;
- a folder that another user owns, or that group or others can write to, is refused: anyone who
  can write there could plant answers that we would show as real data;
- a path that is not a folder, or a folder we cannot write to (read-only, full permissions
  denied), is unusable.

Each of these raises :class:`~trialfinder.core.errors.CacheError` with one line that names the
folder
and the reason. Searches catch it, warn once and go on without the cache; ``trialfinder cache
--clear`` stops on it. No ``OSError`` from the cache folder leaves this module raw.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from trialfinder.core.errors import CacheError

__all__ = [
    "FILE_MODE",
    "FOLDER_MODE",
    "HTTP_CACHE_FILES",
    "check_cache_dir",
    "foreign",
    "not_private",
    "os_reason",
    "prepare_cache_dir",
    "private_folder",
]

logger = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
# Every file name the HTTP cache may leave in the folder (transport moves an unreadable
# database aside as ``http_cache.corrupt``).
HTTP_CACHE_FILES = (
    "http_cache.sqlite",
    "http_cache.sqlite-wal",
    "http_cache.sqlite-shm",
    "http_cache.sqlite-journal",
    "http_cache.corrupt",
)


def private_folder(folder: Path) -> None:
    """``folder`` and any of its parents that are missing, each made readable by its owner
    only (``FOLDER_MODE``); folders that exist are left as they are."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for part in reversed(missing):
        part.mkdir(mode=FOLDER_MODE, exist_ok=True)


def not_private(info: os.stat_result) -> str | None:
    """Why a folder (its ``stat``) is not private to this user, in words that name the fix,
    or ``None`` when it is: the one rule for the cache folder, the data folder and every
    folder in them. Anyone who can write to a folder can plant files that we would read back
    as our own data (POSIX only: elsewhere the system's own rules apply)."""
    if os.name != "posix":
        return None
    if info.st_uid != os.getuid():
        return f"it belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o022:
        return (f"other users can write to it (mode {stat.S_IMODE(info.st_mode):o}; "
                "'chmod 700' makes it private)")
    return None


def foreign(info: os.stat_result) -> str | None:
    """Why a file in one of our folders (its ``lstat``) must not be read, or ``None``: a
    symbolic link (it may lead out of the folder), or a file of another user (only they or
    root could have put it there)."""
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link"
    if os.name == "posix" and info.st_uid != os.getuid():
        return f"it belongs to another user (uid {info.st_uid})"
    return None


def os_reason(exc: OSError) -> str:
    """The short text of an ``OSError`` (``Permission denied``), without errno noise."""
    return exc.strerror or type(exc).__name__


def prepare_cache_dir(path: str | os.PathLike[str]) -> Path:
    """The cache folder ``path``, created 0700 when missing and checked as
    :func:`check_cache_dir` does; raises :class:`CacheError` when it cannot be used."""
    folder = Path(path).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    except FileExistsError:  # a file (or a dangling link) stands where the folder should be
        raise CacheError(f"the cache folder {folder} is not a folder; not using the cache") \
            from None
    except OSError as exc:
        raise CacheError(
            f"cannot create the cache folder {folder}: {os_reason(exc)}; not using the cache"
        ) from None
    return check_cache_dir(folder)


def check_cache_dir(path: str | os.PathLike[str]) -> Path:
    """``path`` if it is a folder this user owns, that nobody else can write to and that we can
    write to; else :class:`CacheError` (also when it does not exist)."""
    folder = Path(path).expanduser()
    try:
        info = folder.stat()
    except OSError as exc:
        raise CacheError(
            f"cannot use the cache folder {folder}: {os_reason(exc)}; not using the cache"
        ) from None
    if not stat.S_ISDIR(info.st_mode):
        raise CacheError(f"the cache folder {folder} is not a folder; not using the cache")
    problem = not_private(info)
    if problem is not None:
        raise CacheError(f"refusing the cache folder {folder}: {problem}; not using the cache")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CacheError(f"the cache folder {folder} is read-only; not using the cache")
    logger.debug("cache folder %s is private and writable", folder)
    return folder
