"""Threads the library starts for a caller's work, and which caller each one works for.

A search fetches its pages in threads of its own (the next page while this one is read, the
first page while the client starts). What they log belongs to the caller that started the
search: a dashboard serving several people at once must show each person only the notes of
their own search ("ClinicalTrials.gov has not answered within 30 s..."). So every such thread
remembers its *origin*, the thread that started it (or that thread's own origin), and
:class:`FromOrigin` keeps the log records of one origin's work.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["FromOrigin", "origin", "start_daemon"]

_ORIGIN = "_trialfinder_origin"


def origin(thread: threading.Thread | None = None) -> int:
    """The ident of the thread whose work ``thread`` (default: the current one) does: the
    thread that started it through :func:`start_daemon`, followed back to the first."""
    thread = threading.current_thread() if thread is None else thread
    found = getattr(thread, _ORIGIN, None)
    return found if isinstance(found, int) else (thread.ident or 0)


def start_daemon(target: Callable[..., Any], name: str, *args: Any) -> threading.Thread:
    """Start ``target(*args)`` in a daemon thread named ``name`` that works for the current
    thread's origin (see :func:`origin`)."""
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    setattr(thread, _ORIGIN, origin())
    thread.start()
    return thread


class FromOrigin(logging.Filter):
    """Keeps the records logged by the thread ``ident`` or by threads working for it."""

    def __init__(self, ident: int) -> None:
        super().__init__()
        self.ident = ident

    def filter(self, record: logging.LogRecord) -> bool:
        # a handler's filters run in the thread that logs, so the current thread is the record's
        return origin() == self.ident
