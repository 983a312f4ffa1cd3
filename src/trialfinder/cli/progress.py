"""A small progress bar for long fetches, drawn on stderr only when it is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from trialfinder.core.terminal import unwrap
from trialfinder.core.wording import plural


class ProgressBar:
    """Callable as ``progress(fetched, total)``; draws ``Fetching  1,000 / 5,321 [####....]``."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = unwrap(stream or sys.stderr)  # its own \r and erase-line reach the screen
        self.width = width
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0
        self._drawn = False

    def __call__(self, fetched: int, total: int | None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and (total is None or fetched < total):
            return
        self._last = now
        if total:
            done = min(1.0, fetched / total)
            bar = "#" * int(done * self.width)
            text = f"\rFetching {fetched:,} / {total:,} studies [{bar:<{self.width}}]"
        else:
            text = f"\rFetching {plural(fetched, 'study')}"
        self.stream.write(text)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False
