"""The ``trialfinder`` command (and ``python -m trialfinder``).

Until :func:`trialfinder.cli.main` is running and catches Ctrl-C itself, an early handler
answers it the same way: one line, ``interrupted``, and exit code 130, never a traceback
from the middle of an import.
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


def run() -> NoReturn:
    """Entry point of the console script."""
    before = signal.signal(signal.SIGINT, _interrupted_early)
    from trialfinder.cli import main

    signal.signal(signal.SIGINT, before)
    sys.exit(main(own_process=True))


if __name__ == "__main__":
    run()
