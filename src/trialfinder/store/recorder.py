"""Every search adds what it fetched to the study store, without slowing the search down.

A :class:`Recorder` takes each page's tables (already built for the search) and the page's
record versions, and writes them on one background thread, so the write of page *k* overlaps the
request and the tables of page *k + 1*. At most ``ahead`` pages wait for the writer; a slower
writer makes the search wait rather than hold more pages in memory.

The store is a convenience beside the search, never a condition of it: when it cannot be opened
(another program writing to it, a damaged file, a folder we may not use) or a write fails, the
search goes on and :meth:`Recorder.finish` returns the one line that says what was not stored.
Each search is recorded as a run (mode ``search``) with the studies it found, and pages keep
the time they were fetched from the API, so a page from the HTTP cache does not pass for news.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from trialfinder.store.db import Store, StoreError, VersionRows, open_store, version_rows
from trialfinder.tables.normalize import Tables
from trialfinder.wording import plural

__all__ = ["Recorded", "Recorder"]

logger = logging.getLogger(__name__)

#: Within one process, one recorder writes at a time (DuckDB allows one writer per file).
_WRITING: Final = threading.Lock()

#: One queued page: its tables, its versions and when it came from the API; ``None`` ends.
_Page = tuple[Tables, VersionRows, datetime]


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a search added to the store."""

    studies: int = 0
    new_versions: int = 0
    problem: str | None = None  # one line for people when something was not stored


class Recorder:
    """Writes one search's pages to the study store at ``path`` on a background thread.

    ``add`` is called once per page, in order; ``finish`` waits for the writer and closes the
    run; ``abandon`` (an interrupted search) stops after the page being written. ``wait`` is
    how long to wait, in seconds, for a store another program or task is using."""

    def __init__(self, path: Path, *, mode: str = "search", wait: float = 5.0,
                 ahead: int = 1, open_store: Callable[..., Store] = open_store) -> None:
        self.path = path
        self._mode = mode
        self._wait = wait
        self._open_store = open_store
        self._pages: queue.Queue[_Page | None] = queue.Queue(maxsize=ahead)
        self._studies = self._new = 0
        self._problem: str | None = None
        self._failed = threading.Event()
        self._run_closed = False
        self._totals: tuple[int, int] = (0, 0)
        self._thread = threading.Thread(target=self._work, name="trialfinder-store",
                                        daemon=True)
        self._thread.start()

    # -- the caller's side -------------------------------------------------------------------

    def add(self, tables: Tables, records: Sequence[Mapping[str, Any]],
            fetched: datetime | None = None) -> None:
        """Queue one page: its tables and the raw records they came from. ``fetched`` is when
        the page came from the API (``None``: now)."""
        if self._failed.is_set():
            return  # the store is out of reach for this search; keep the search fast
        item: _Page = (tables, version_rows(records), fetched or datetime.now(UTC))
        while not self._failed.is_set():
            try:
                self._pages.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def finish(self, *, requests: int = 0, nbytes: int = 0, timeout: float = 120.0) -> Recorded:
        """Wait for every queued page to be written and close the run."""
        self._totals = (requests, nbytes)
        self._run_closed = True
        self._put_stop()
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._failed.set()
            self._note(f"the study store took longer than {timeout:g} s; "
                       "part of this search may be missing from it")
        return Recorded(self._studies, self._new, self._problem)

    def abandon(self, timeout: float = 10.0) -> None:
        """Stop after the page being written (the run is left unfinished)."""
        self._failed.set()
        self._put_stop()
        self._thread.join(timeout)

    def _put_stop(self) -> None:
        while True:
            try:
                self._pages.put(None, timeout=0.2)
                return
            except queue.Full:
                if not self._thread.is_alive():
                    return

    def _note(self, problem: str) -> None:
        if self._problem is None:
            self._problem = problem
            logger.info("%s", problem)

    # -- the writer's side -------------------------------------------------------------------

    def _work(self) -> None:
        store: Store | None = None
        run_id: int | None = None
        locked = False
        try:
            while True:
                item = self._pages.get()
                if item is None:
                    break
                if self._failed.is_set():
                    continue
                if store is None:
                    locked = _WRITING.acquire(timeout=self._wait)
                    store = self._open() if locked else None
                    if store is None:
                        if not locked:
                            self._note("this search was not added to the study store: another "
                                       "task of this program is writing to it")
                        self._failed.set()
                        continue
                    run_id = store.start_run(None, self._mode)
                tables, versions, fetched = item
                stats = store.add_tables(tables, versions, seen=fetched, run_id=run_id)
                self._studies += stats.studies
                self._new += stats.new_versions
            if store is not None and run_id is not None and self._run_closed \
                    and not self._failed.is_set():
                requests, nbytes = self._totals
                store.finish_run(run_id, requests=requests, nbytes=nbytes)
                logger.debug("search stored as run %d: %s, %s", run_id,
                             plural(self._studies, "study", "studies"),
                             plural(self._new, "new version"))
        except Exception as exc:  # a write that failed costs the store, never the search
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self._note(f"this search was only partly added to the study store: {first}")
            self._failed.set()
        finally:
            if store is not None:
                store.close()
            if locked:
                _WRITING.release()
            self._drain()

    def _open(self) -> Store | None:
        """The store, waiting up to ``wait`` seconds while another program has it open."""
        try:
            return self._open_store(self.path, wait=self._wait)
        except (StoreError, OSError) as exc:
            self._note(f"this search was not added to the study store: {exc}")
            return None

    def _drain(self) -> None:
        """Let a caller blocked on a full queue go on once the writer has stopped."""
        self._failed.set()
        while True:
            try:
                self._pages.get_nowait()
            except queue.Empty:
                return
