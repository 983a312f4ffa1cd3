"""The data folder (the study store and the folders beside it): private to its user, or not
used, by the cache folder's rules (:func:`~trialfinder.core.folders.not_private`,
:func:`~trialfinder.core.folders.foreign`).

Whatever is in the data folder, `store info`, `sql`, watches and the page show as registry
data, so nobody else may be able to put anything there:

- the data folder must be a folder of this user that nobody else can write to, or the store
  is refused with one line that names the folder and the fix (``chmod 700``);
- the store file and DuckDB's write-ahead log beside it must not be symbolic links or another
  user's files (a planted log would be replayed into the store), and the store file must be a
  DuckDB database (never a named pipe, which DuckDB would wait on forever, nor a SQLite file,
  which DuckDB would fetch an extension to read);
- a folder inside it (the spool's ``studies.duckdb.incoming/`` and its ``rejected/``) follows
  the data folder's rule and must not be a symbolic link; one that breaks it is not used;
- a file inside those that is a symbolic link or another user's is left alone, and named.

Each check returns one line for people (``None`` when all is well); the callers decide what
it costs: the store is not opened, a search's pages are not kept, a file is not added.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from trialfinder.core.folders import FOLDER_MODE, foreign, not_private

__all__ = [
    "folder_problem",
    "open_own_file",
    "own_files",
    "store_problem",
    "subfolder_problem",
    "warn_once",
]

logger = logging.getLogger(__name__)

_WARNED: set[str] = set()


def warn_once(line: str) -> None:
    """Log ``line`` as a warning, once per process (a folder is checked on every open)."""
    if line not in _WARNED:
        _WARNED.add(line)
        logger.warning("%s", line)


def folder_problem(folder: Path) -> str | None:
    """Why the data folder ``folder`` (which exists) must not be used, or ``None``."""
    try:
        info = folder.stat()  # the data folder itself may be a link the user made
    except OSError as exc:
        return f"cannot use the data folder {folder}: {exc.strerror or exc}"
    if not stat.S_ISDIR(info.st_mode):
        return (f"the data folder {folder} is not a folder (set TRIALFINDER_DATA_DIR or "
                "--store to another place)")
    problem = not_private(info)
    return None if problem is None else f"refusing the data folder {folder}: {problem}"


def store_problem(path: Path) -> str | None:
    """Why the study store at ``path`` must not be opened, or ``None``: its folder (see
    :func:`folder_problem`), then the store file and its write-ahead log."""
    problem = folder_problem(path.parent)
    if problem is not None:
        return problem
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            info = file.lstat()
        except FileNotFoundError:
            continue
        except OSError as exc:
            return f"cannot use the study store {file}: {exc.strerror or exc}"
        problem = foreign(info)
        if problem is not None:
            return (f"refusing the study store file {file}: {problem}; move it aside (the "
                    "store's files must be this user's own, in the data folder itself)")
        if file == path:
            problem = _not_a_database(path, info)
            if problem is not None:
                return (f"{path} is not a study store: {problem}; move it aside or name "
                        "another store (--store FILE)")
    return None


#: The bytes every DuckDB database file has after its first 8 (a checksum).
_DUCKDB_MAGIC = b"DUCK"


def _not_a_database(path: Path, info: os.stat_result) -> str | None:
    """Why the existing file ``path`` (its ``lstat``: ``info``) cannot be a DuckDB database,
    or ``None``. Looked at before DuckDB opens it: DuckDB waits forever on a named pipe, and
    takes a SQLite file for a database of its own, fetching an extension to read it."""
    if not stat.S_ISREG(info.st_mode):
        return "it is a folder" if stat.S_ISDIR(info.st_mode) else "it is not a regular file"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            head = os.read(fd, 16)
        finally:
            os.close(fd)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    if head[8:12] == _DUCKDB_MAGIC:
        return None
    if not head:
        return "the file is empty"
    if head.startswith(b"SQLite format"):
        return "it is a SQLite database, not a DuckDB one"
    return "it is not a DuckDB database file"


def subfolder_problem(folder: Path, *, create: bool = False) -> str | None:
    """Why ``folder``, inside the data folder, must not be used, or ``None``. A missing folder
    is fine (``create``: it is made, readable by this user only)."""
    try:
        info = folder.lstat()
    except (FileNotFoundError, NotADirectoryError):  # (the data folder's own fault is told
        if create:                                   # where the store is opened)
            try:
                folder.mkdir(mode=FOLDER_MODE)
            except FileExistsError:  # made meanwhile: look again
                return subfolder_problem(folder)
            except OSError as exc:
                return f"cannot create {folder}: {exc.strerror or exc}"
        return None
    except OSError as exc:
        return f"cannot use {folder}: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode):
        return f"refusing {folder}: it is a symbolic link (it may lead out of the data folder)"
    if not stat.S_ISDIR(info.st_mode):
        return f"refusing {folder}: it is not a folder"
    problem = not_private(info)
    return None if problem is None else f"refusing {folder}: {problem}"


def own_files(folder: Path, suffix: str) -> list[Path]:
    """The files of ``folder`` whose names end in ``suffix`` that are this user's own regular
    files; each other one (a symbolic link, another user's file, a folder...) is left alone
    and named in a warning. Nothing when the folder cannot be read."""
    files = []
    try:
        for entry in os.scandir(folder):
            if not entry.name.endswith(suffix):
                continue
            info = entry.stat(follow_symlinks=False)
            why = foreign(info) if not stat.S_ISDIR(info.st_mode) else "it is a folder"
            if why is None and stat.S_ISREG(info.st_mode):
                files.append(Path(entry.path))
            else:
                warn_once(f"ignoring {entry.path}: {why or 'it is not a regular file'}")
    except OSError:
        return []
    return files


def open_own_file(path: Path) -> int:
    """A descriptor for reading ``path``: never through a symbolic link (``O_NOFOLLOW``), and
    only a regular file of this user (checked on the open file, so it cannot be swapped
    between the look and the read); else ``PermissionError`` saying why."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        problem = foreign(info) if stat.S_ISREG(info.st_mode) else "it is not a regular file"
        if problem is not None:
            raise PermissionError(problem)
    except BaseException:
        os.close(fd)
        raise
    return fd
