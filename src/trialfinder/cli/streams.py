"""How every command meets its standard streams and ends: one place, not one per command.

- Standard output is wrapped so that a write or flush that fails is remembered: the command
  fails at delivery (:mod:`trialfinder.core.delivery`) even when the error was raised where nobody
  could report it. Output closed before the start (``>&-``) is a stand-in whose writes fail
  ("standard output is closed"); its descriptor is held on ``/dev/null``, opened for reading,
  so no file the command opens can take its place.
- Standard error flushes standard output before each line, so a line for people never claims
  a success that the output then fails to carry.
- A stream whose encoding cannot carry the text (``LC_ALL=C``) writes ``\\xe9`` escapes instead
  of failing.
- The command line's arguments are read as the UTF-8 its terminal sent (:func:`command_line`),
  whatever the locale says, and a file name the file system cannot take is one line
  (:func:`check_file_names`).
- The end of every command is one line and an exit code (:func:`failure`): 1 for a failure,
  2 for input that is not usable, 130 for Ctrl-C, 143 for SIGTERM (handled like Ctrl-C, so
  the same clean-up runs); a broken pipe (``| head``) ends quietly with 0. A Ctrl-C that
  Python swallowed in a callback is sent again (:func:`keep_interrupts`).
"""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TextIO, cast

from trialfinder.core.errors import InvalidQueryError, TrialFinderError
from trialfinder.core.terminal import CleanText, clean

__all__ = ["Terminated", "check_file_names", "command_line", "failure", "keep_interrupts",
           "on_sigterm", "standard_streams"]

logger = logging.getLogger(__name__)

#: Exit codes of a command stopped by a signal, as shells report them.
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be, so the same clean-up runs."""


_terminated = False


def on_sigterm(signum: int, frame: FrameType | None) -> None:
    """The command's SIGTERM handler (its own process only): the first one ends the command
    as Ctrl-C does; another one during the clean-up ends the process at once."""
    global _terminated
    if _terminated:
        os.write(2, b"terminated\n")
        os._exit(EXIT_TERMINATED)
    _terminated = True
    raise Terminated


class _Output(CleanText):
    """Standard output that remembers its first failure (see the module docstring)."""

    def __init__(self, inner: TextIO) -> None:
        super().__init__(inner)
        self.failure: OSError | None = None

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OSError as exc:
            self.failure = self.failure or exc
            raise

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as exc:
            self.failure = self.failure or exc
            raise
        if self.failure is not None:
            raise self.failure


class _Closed(io.RawIOBase):
    """A closed standard output: every write fails."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def _closed_output() -> TextIO:
    return io.TextIOWrapper(io.BufferedWriter(_Closed()), encoding="utf-8", write_through=True)


class _Errors(CleanText):
    """Standard error that flushes standard output before each line."""

    def __init__(self, inner: TextIO, output: _Output) -> None:
        super().__init__(inner)
        self.output = output

    def write(self, text: str) -> int:
        self.output.flush()
        return super().write(text)


def _hold_descriptor(fd: int) -> None:
    """Keep a closed descriptor taken (by ``/dev/null``, read-only: writes there fail), so no
    file opened later gets its number and receives what was meant for the screen."""
    try:
        os.fstat(fd)
    except OSError:
        held = os.open(os.devnull, os.O_RDONLY)
        if held != fd:
            os.dup2(held, fd)
            os.close(held)


def _fully_written(stream: TextIO | None) -> TextIO | None:
    """A buffered stream in place of one whose bytes go straight to the descriptor
    (``PYTHONUNBUFFERED``, ``python -u``): a write to a pipe or a filling disk may take only
    part of the bytes, and what writes to such a stream does not write the rest, silently.
    A buffered writer writes the rest (and meets the error). Lines still go out as they come.
    ``None`` when the stream is fine as it is."""
    raw = getattr(stream, "buffer", None)
    if stream is None or not isinstance(raw, io.RawIOBase):
        return None
    try:
        fd = stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    own = io.FileIO(fd, "w", closefd=False)  # closing it leaves the descriptor open
    return io.TextIOWrapper(io.BufferedWriter(own), encoding=stream.encoding,
                            errors=stream.errors, line_buffering=True)


def _lenient(stream: TextIO | None) -> tuple[TextIO, str] | None:
    """Make a stream that cannot encode every character write escapes instead of failing;
    returns what to restore."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    errors = getattr(stream, "errors", None)
    if stream is None or encoding == "utf8" or errors in ("backslashreplace", "replace") \
            or not hasattr(stream, "reconfigure"):
        return None
    try:
        stream.reconfigure(errors="backslashreplace")
    except (ValueError, OSError, io.UnsupportedOperation):
        return None
    return stream, errors or "strict"


@contextlib.contextmanager
def standard_streams(*, own_process: bool) -> Iterator[TextIO | None]:
    """Wrap the standard streams for one command; yields the raw standard error (``None``
    when it is closed) for the command's last line."""
    out, err = sys.stdout, sys.stderr
    if own_process:
        for fd in (1, 2):
            _hold_descriptor(fd)
    relaxed = [r for r in (_lenient(out), _lenient(err)) if r is not None]
    buffered = _fully_written(out)
    output = _Output(buffered or out or _closed_output())
    sys.stdout = cast(TextIO, output)
    # a closed standard error: lines for people go nowhere (never into standard output)
    sink = None if err is not None else open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    sys.stderr = cast(TextIO, _Errors(cast(TextIO, err or sink), output))
    try:
        yield err
    finally:
        sys.stdout, sys.stderr = out, err
        if sink is not None:
            sink.close()
        if buffered is not None:
            with contextlib.suppress(OSError, ValueError):
                buffered.close()  # written already, or failed and reported
        for stream, errors in relaxed:
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors=errors)  # type: ignore[attr-defined]


def command_line(argv: Sequence[str] | None) -> list[str]:
    """The arguments (``sys.argv[1:]`` when ``argv`` is None) as the text the terminal sent.

    Under a locale whose encoding is not UTF-8 (``LC_ALL=C`` without Python's UTF-8 mode),
    Python hands each byte it cannot decode over as a surrogate escape ("Sjögren" arrives as
    ``Sj\udcc3\udcb6gren``), which nothing further on can use. Such an argument is read back
    from its bytes as UTF-8, once, here; one whose bytes are not UTF-8 is refused in one line.
    """
    out = []
    for arg in sys.argv[1:] if argv is None else argv:
        if arg.isascii() or not any("\ud800" <= ch <= "\udfff" for ch in arg):
            out.append(arg)
            continue
        try:
            out.append(os.fsencode(arg).decode("utf-8"))
        except (UnicodeEncodeError, UnicodeDecodeError):
            raise InvalidQueryError(f"the argument {arg!a} is not UTF-8 text") from None
    return out


def check_file_names(values: Sequence[object]) -> None:
    """Refuse in one line a file or folder name that the file system's encoding cannot
    write (a name with "é" under ``LC_ALL=C``), before anything is fetched or written."""
    for value in values:
        if not isinstance(value, Path):
            continue
        try:
            os.fsencode(value)
        except UnicodeEncodeError:
            raise InvalidQueryError(
                f"the file name {str(value)!r} cannot be written in this system's file name "
                f"encoding ({sys.getfilesystemencoding()}); use a UTF-8 locale (such as "
                "LC_ALL=C.UTF-8) or a name in plain ASCII") from None


def _say(err: TextIO | None, line: str) -> None:
    if err is None:
        return
    with contextlib.suppress(OSError, ValueError):
        err.write(clean(" ".join(line.split())) + "\n")
        err.flush()


def _quiet_stdout() -> None:
    """After a broken pipe: what is left in the buffer goes nowhere (no second error when
    Python flushes standard output at exit)."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)


#: What DuckDB raises (a ``RuntimeError``) from a statement it was running when Ctrl-C came.
DUCKDB_INTERRUPTED = "Query interrupted"


def failure(exc: BaseException, err: TextIO | None, *, own_process: bool) -> int:
    """Print the one line that ends a failed command; returns its exit code."""
    if isinstance(exc, RuntimeError) and str(exc) == DUCKDB_INTERRUPTED:
        exc = KeyboardInterrupt()  # Ctrl-C (or SIGTERM) came while DuckDB ran a statement
    if isinstance(exc, KeyboardInterrupt):
        if isinstance(exc, Terminated) or _terminated:
            _say(err, "terminated")
            return EXIT_TERMINATED
        _say(err, "interrupted")
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        if own_process:
            _quiet_stdout()
        return 0
    if isinstance(exc, InvalidQueryError):
        _say(err, f"trialfinder: error: {exc}")
        return 2
    if isinstance(exc, TrialFinderError):
        _say(err, f"trialfinder: error: {exc}")
        return 1
    if isinstance(exc, OSError):
        if exc.filename:
            _say(err, f"trialfinder: error: cannot use {exc.filename}: {exc.strerror or exc}")
            return 1
        if own_process:
            _quiet_stdout()
        _say(err, f"trialfinder: error: cannot write the output: {exc.strerror or exc}")
        return 1
    if isinstance(exc, MemoryError):
        _say(err, "trialfinder: error: out of memory")
        return 1
    logger.debug("unexpected error", exc_info=exc)
    _say(err, f"trialfinder: error: unexpected {type(exc).__name__}: {exc} (a bug in "
              "trialfinder; please report it)")
    return 1


def install_sigterm() -> None:
    """SIGTERM ends the command as Ctrl-C does (the command's own process only)."""
    with contextlib.suppress(ValueError, OSError):  # not the main thread: leave it
        signal.signal(signal.SIGTERM, on_sigterm)


#: How long the Ctrl-C that Python swallowed waits before it is sent again: past the hook that
#: saw it (an exception raised inside the hook itself would be swallowed too).
_AGAIN_AFTER = 0.05


def _interrupt_again() -> None:
    time.sleep(_AGAIN_AFTER)
    os.kill(os.getpid(), signal.SIGINT)  # SIGTERM's too: failure() then says "terminated"


def _rescue_interrupt(unraisable: Any) -> None:
    """``sys.unraisablehook`` of the command's own process: a Ctrl-C (or SIGTERM) that came
    while Python ran a weak reference's callback or a ``__del__`` is swallowed by Python (it
    prints "Exception ignored in ..." and goes on: a sync ran to its end and exited 0). It is
    sent again, from a thread, to reach the main thread where it stops the command."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        threading.Thread(target=_interrupt_again, name="trialfinder-interrupt",
                         daemon=True).start()
        return
    sys.__unraisablehook__(unraisable)


def keep_interrupts() -> None:
    """Ctrl-C is never lost in a callback (:func:`_rescue_interrupt`); the command's own
    process only (a library must not change its host's hooks)."""
    sys.unraisablehook = _rescue_interrupt
