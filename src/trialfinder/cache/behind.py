"""Saved tables written behind a command's output: :func:`put_behind` saves them in a thread
of its own while the command writes, and :func:`wait_for_saves` waits for every such thread
before the command ends, so a failure to save is still said among its notes."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trialfinder.cache.tablecache import TableCache
    from trialfinder.tables.frames import Tables

__all__ = ["put_behind", "wait_for_saves"]

_BEHIND: list[threading.Thread] = []
_BEHIND_LOCK = threading.Lock()


def put_behind(cache: TableCache, key: str, tables: Tables, info: Mapping[str, Any]) -> None:
    """``cache.put`` in a thread of its own (the caller writes its output meanwhile); its
    failure is logged as a warning."""
    thread = threading.Thread(target=cache.put, args=(key, tables, info),
                              name="trialfinder-save-tables")
    with _BEHIND_LOCK:
        _BEHIND.append(thread)
    thread.start()


def wait_for_saves() -> None:
    """Wait for the saved tables being written behind."""
    while True:
        with _BEHIND_LOCK:
            if not _BEHIND:
                return
            thread = _BEHIND.pop()
        thread.join()
