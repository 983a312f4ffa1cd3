"""The ``trialfinder`` command (and ``python -m trialfinder``).

Until :func:`trialfinder.cli.main.main` is running and catches Ctrl-C and SIGTERM itself, early
handlers answer them the same way: one line, ``interrupted`` (exit code 130) or ``terminated``
(143), never a traceback from the middle of an import.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import NoReturn


def _interrupted_early(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"interrupted\n")
    os._exit(130)


def _terminated_early(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"terminated\n")
    os._exit(143)


def run() -> NoReturn:
    """Entry point of the console script."""
    before = signal.signal(signal.SIGINT, _interrupted_early)
    signal.signal(signal.SIGTERM, _terminated_early)
    from trialfinder.cli.main import main

    signal.signal(signal.SIGINT, before)
    sys.exit(main(own_process=True))


if __name__ == "__main__":
    run()
