"""Outputs first, state last: the order of a command's writes and of what it changes for good.

A command may be asked for several outputs (standard output, a feed, an export folder) and may
change lasting state (a watch run recorded, a search's pages handed to the study store, a sync's
run closed). The rule: state changes only once every output was written and flushed. When an
output fails, nothing advances and the command ends with one line; the next run starts from
where the last good one left.

- :func:`stage` writes a file to a hidden temporary file beside it (flushed and synced); it is
  renamed into place when the outputs are delivered, and removed if they are not. A name that
  is a folder or a symbolic link is refused (the rename would replace the link itself).
- :func:`staged_file` hands out the temporary file itself, for a file written piece by piece
  (an export that streams); :func:`staged_folder` does the same for what is written into a
  folder (Parquet exports).
- :func:`after_delivery` holds a change of state (a commit, and what undoes its preparation)
  until then.
- :func:`report` holds a line for people that says the command succeeded ("wrote ...") until
  then, so no success is claimed for an output that then fails.
- :func:`deliver` flushes standard output (an error there is the command's error), renames the
  staged files into place, runs the held commits, then prints the held lines. A command that
  must commit while it still holds a resource (the study store) calls it itself; the command
  line calls it once more when the command returns.

The command line runs every command inside :func:`delivering`. Outside one (a library call, the
dashboard) there is nothing to wait for: a staged file is renamed at once, a commit runs at
once and a report is logged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

from trialfinder.core.errors import DataFileError

__all__ = ["Delivery", "after_delivery", "check_parent", "deliver", "delivering", "report",
           "stage", "staged_file", "staged_folder"]

logger = logging.getLogger(__name__)

Writer = Callable[[BinaryIO], None]


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def tmp_path_for(path: Path) -> Path:
    """A hidden temporary name beside ``path`` (same folder, so the rename is atomic)."""
    return path.with_name(f".{path.name}.trialfinder-{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _check_target(path: Path) -> None:
    """Refuse a ``path`` the rename into place would not write as asked: a folder, or a
    symbolic link (the link itself would be replaced by the file, not written through: run as
    root, ``--output /dev/stdout`` replaced ``/dev/stdout`` with a file)."""
    if path.is_symlink():
        raise DataFileError(f"cannot write {path}: it is a symbolic link; give the name of "
                            "the file itself, or another name")
    if path.is_dir():
        raise DataFileError(f"cannot write {path}: it is a folder; give a file name")


def _write_tmp(path: Path, data: bytes | Writer) -> Path:
    """``data`` in a new temporary file beside ``path``, flushed and synced to disk."""
    _check_target(path)
    tmp = tmp_path_for(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                data(handle)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise DataFileError(f"cannot write {path}: {_os_reason(exc)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def _place(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise DataFileError(f"cannot write {path}: {_os_reason(exc)}") from None


@dataclass
class Delivery:
    """What one command waits to do until its outputs are delivered."""

    staged: list[tuple[Path, Path]] = field(default_factory=list)  # (temporary, final)
    commits: list[tuple[Callable[[], None], Callable[[], None] | None]] = field(
        default_factory=list)
    reports: list[str] = field(default_factory=list)

    def deliver(self) -> None:
        """Flush standard output, rename the staged files into place, run the held commits
        and print the held lines, in this order. Anything that fails raises, and what was
        not done yet is undone by :meth:`discard`."""
        if sys.stdout is not None:
            sys.stdout.flush()
        while self.staged:
            tmp, path = self.staged[0]
            _place(tmp, path)
            self.staged.pop(0)
        while self.commits:
            commit, _ = self.commits.pop(0)
            commit()
        lines, self.reports = self.reports, []
        for line in lines:
            print(line, file=sys.stderr)

    def discard(self) -> None:
        """Undo what waits: staged files removed, held commits dropped (their ``discard``
        run), held lines forgotten. Never raises."""
        for tmp, _ in self.staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self.staged.clear()
        commits, self.commits = self.commits, []
        for _, undo in commits:
            if undo is None:
                continue
            try:
                undo()
            except Exception as exc:  # an undo must not hide the error being reported
                logger.debug("could not undo a held change: %s", exc)
        self.reports.clear()


_ACTIVE: ContextVar[Delivery | None] = ContextVar("trialfinder_delivery", default=None)


@contextlib.contextmanager
def delivering() -> Iterator[Delivery]:
    """Hold staged files, commits and reports for one command; whatever was not delivered
    when the block ends (an error, Ctrl-C) is discarded."""
    delivery = Delivery()
    token = _ACTIVE.set(delivery)
    try:
        yield delivery
    finally:
        delivery.discard()
        _ACTIVE.reset(token)


def stage(*files: tuple[Path, bytes | Writer]) -> None:
    """Write each ``(path, data)`` (bytes, or a function writing into a binary file): every
    one to a temporary file now, then all renamed into place on delivery (at once outside
    :func:`delivering`). A write that fails raises :class:`DataFileError` and leaves no
    temporary file, and none of the files is renamed."""
    written: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            written.append((_write_tmp(Path(path), data), Path(path)))
    except BaseException:
        for tmp, _ in written:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    active = _ACTIVE.get()
    if active is not None:
        active.staged.extend(written)
        return
    try:
        for tmp, path in written:
            _place(tmp, path)
    finally:
        for tmp, _ in written:
            with contextlib.suppress(OSError):
                tmp.unlink()


def after_delivery(commit: Callable[[], None],
                   discard: Callable[[], None] | None = None) -> None:
    """Run ``commit`` once the outputs are delivered (at once outside :func:`delivering`);
    ``discard`` undoes its preparation when they are not."""
    active = _ACTIVE.get()
    if active is None:
        commit()
    else:
        active.commits.append((commit, discard))


def report(line: str) -> None:
    """A line for people saying what was done, printed on stderr once the outputs are
    delivered (logged outside :func:`delivering`)."""
    active = _ACTIVE.get()
    if active is None:
        logger.info("%s", line)
    else:
        active.reports.append(line)


def deliver() -> None:
    """Deliver the outputs of the command under way (see :meth:`Delivery.deliver`); outside
    :func:`delivering`, flush standard output."""
    active = _ACTIVE.get()
    if active is None:
        if sys.stdout is not None:
            sys.stdout.flush()
        return
    active.deliver()


class _Guarded:
    """A file being written whose failures name the file (one line, not a traceback)."""

    def __init__(self, handle: BinaryIO, path: Path) -> None:
        self.handle, self.path = handle, path

    def write(self, data: bytes | memoryview) -> int:
        try:
            return self.handle.write(data)
        except OSError as exc:
            raise DataFileError(f"cannot write {self.path}: {_os_reason(exc)}") from None

    def flush(self) -> None:
        self.handle.flush()

    def tell(self) -> int:
        return self.handle.tell()

    @property
    def closed(self) -> bool:
        return self.handle.closed


@contextlib.contextmanager
def staged_file(path: Path) -> Iterator[BinaryIO]:
    """A new hidden temporary file beside ``path``, open for writing in binary, for a file
    written piece by piece. When the block ends it is flushed, synced and staged as
    :func:`stage` stages a file (renamed into place on delivery, at once outside
    :func:`delivering`); when the block raises it is removed. A failed write raises
    :class:`DataFileError` naming ``path``."""
    path = Path(path)
    _check_target(path)
    tmp = tmp_path_for(path)
    try:
        handle = os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb")
    except OSError as exc:
        raise DataFileError(f"cannot write {path}: {_os_reason(exc)}") from None
    try:
        with handle:
            yield cast(BinaryIO, _Guarded(handle, path))
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise DataFileError(f"cannot write {path}: {_os_reason(exc)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    active = _ACTIVE.get()
    if active is not None:
        active.staged.append((tmp, path))
        return
    _place(tmp, path)


def check_parent(path: Path) -> None:
    """One line (:class:`DataFileError`) when the folder ``path`` goes into cannot take it: a
    file in the way, a folder missing, or one we cannot write into. An output (a file, an
    export's folder) is made, but never a folder above it: a typo in a path
    (``/nonexistent/x``) would otherwise make a tree of folders nobody meant."""
    parent = Path(path).parent
    if parent.is_dir():
        if not os.access(parent, os.W_OK):
            raise DataFileError(f"cannot write into the folder {parent}")
        return
    # the nearest part of the path that is there: a file in the way, or a folder missing
    there = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if there is not None and not there.is_dir():
        raise DataFileError(f"{there} is a file, not a folder" if there.is_file()
                            else f"{there} is not a folder")
    raise DataFileError(f"the folder {parent} does not exist: create it first, or check the "
                        "path")


@contextlib.contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """A hidden temporary folder inside ``folder`` (created when missing, in a folder that is
    there: :func:`check_parent`) to write into. What it holds is moved into ``folder`` on
    delivery (at once outside :func:`delivering`), an entry at a time (a folder replaces the one
    of the same name); when the writing fails or the outputs are not delivered, it is removed
    with everything in it (``folder`` too, when it was made for it and nothing else is in it)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DataFileError(f"cannot write into {folder}: it is a file, not a folder")
    made = not folder.exists()
    if made:
        check_parent(folder)
    try:
        folder.mkdir(exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".trialfinder-export-", dir=folder))
    except OSError as exc:
        raise DataFileError(f"cannot write into {folder}: {_os_reason(exc)}") from None

    def discard() -> None:
        shutil.rmtree(work, ignore_errors=True)
        if made:  # the folder made for it goes too, when nothing else is in it
            with contextlib.suppress(OSError):
                folder.rmdir()

    try:
        yield work
    except BaseException:
        discard()
        raise
    after_delivery(lambda: _move_all(work, folder), discard)


def _move_all(work: Path, folder: Path) -> None:
    try:
        for entry in sorted(work.iterdir()):
            target = folder / entry.name
            if entry.is_dir() and target.is_dir():
                old = folder / f".{entry.name}.trialfinder-old-{secrets.token_hex(4)}"
                os.rename(target, old)
                os.rename(entry, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(entry, target)
        work.rmdir()
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise DataFileError(f"cannot write into {folder}: {_os_reason(exc)}") from None
