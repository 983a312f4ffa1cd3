"""Ctrl-C and SIGTERM while the ``trialfinder`` command starts, before
:func:`trialfinder.cli.main.main` catches them itself: one line, ``interrupted`` (exit code
130) or ``terminated`` (143), never a traceback from the middle of an import.

The console script imports :mod:`trialfinder.__main__`, so the package's ``__init__`` (and its
``logging``, the slowest import before the command runs) loads first: :func:`guard` is called
at its top, and answers only when this process is the command (a program that imports the
library keeps Python's own handling). Only ``itertools``, ``os``, ``signal`` and ``sys`` are
imported here.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys

__all__ = ["guard", "interrupted_early", "is_the_command", "terminated_early", "unguard"]

#: The names the command's own script has (the console script, and pip's on Windows).
_SCRIPTS = ("trialfinder", "trialfinder.exe", "trialfinder-script.py")

Handlers = tuple[object, object]


def interrupted_early(signum: int, frame: object) -> None:
    os.write(2, b"interrupted\n")
    os._exit(130)


def terminated_early(signum: int, frame: object) -> None:
    os.write(2, b"terminated\n")
    os._exit(143)


def is_the_command() -> bool:
    """Whether this process is the ``trialfinder`` command: its console script (the script
    running as ``__main__``) or ``python -m trialfinder``."""
    script = getattr(sys.modules.get("__main__"), "__file__", None) or ""
    if os.path.basename(script) in _SCRIPTS:
        return True
    argv = sys.orig_argv
    return any(a == "-m" and b == "trialfinder" for a, b in itertools.pairwise(argv))


def guard() -> Handlers | None:
    """In the command (and its main thread), answer Ctrl-C and SIGTERM with one line from
    now on; the handlers there were before (for :func:`unguard`), or ``None`` when nothing was
    changed."""
    if not is_the_command():
        return None
    try:
        return (signal.signal(signal.SIGINT, interrupted_early),
                signal.signal(signal.SIGTERM, terminated_early))
    except ValueError:  # not the main thread: Python's handling stays
        return None


def unguard(before: Handlers | None) -> None:
    """Put back the handlers :func:`guard` replaced."""
    if before is not None:
        signal.signal(signal.SIGINT, before[0])  # type: ignore[arg-type]
        signal.signal(signal.SIGTERM, before[1])  # type: ignore[arg-type]
