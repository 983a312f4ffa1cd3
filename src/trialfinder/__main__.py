"""The ``trialfinder`` command (and ``python -m trialfinder``).

Until :func:`trialfinder.cli.main.main` is running and catches Ctrl-C and SIGTERM itself, early
handlers answer them the same way: one line, ``interrupted`` (exit code 130) or ``terminated``
(143), never a traceback from the middle of an import (:mod:`trialfinder._early`, which the
package's ``__init__`` also calls while it loads, before this module).
"""

from __future__ import annotations

import signal
import sys
from typing import NoReturn

from trialfinder._early import interrupted_early, terminated_early


def run() -> NoReturn:
    """Entry point of the console script."""
    before = signal.signal(signal.SIGINT, interrupted_early)
    signal.signal(signal.SIGTERM, terminated_early)
    from trialfinder.cli.main import main

    signal.signal(signal.SIGINT, before)
    sys.exit(main(own_process=True))


if __name__ == "__main__":
    run()
