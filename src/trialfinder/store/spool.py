"""Every search adds what it fetched to the study store, at almost no cost to the search.

A search does not open the store: it appends each page it got from the API, as one JSON line,
to a file of its own in the store's *incoming* folder (``studies.duckdb.incoming/`` beside the
store file), and renames the file into place when the search ends. Writing a page costs one
``orjson.dumps`` and one file write; the search never waits for DuckDB and never holds it in
memory. Whoever opens the store next (``sql``, ``store info``, ``sync``, a watch, the dashboard's
saved searches; see :func:`trialfinder.store.db.open_store`) first adds the waiting files
(:mod:`trialfinder.store.ingest`: a page at a time, each file as one ``search`` run with the
studies it found, read back as hostile input), then deletes them. Each file names the
registry whose records it holds. While the folder holds more than
``MAX_PENDING_MB``, searches leave nothing more and say so in one line (opening the store adds
what waits), so the folder never grows without bound and no search stalls to empty it. When
the folder cannot be written, the search goes on and says so in one line.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final

import orjson

from trialfinder.core.delivery import after_delivery
from trialfinder.core.folders import private_folder
from trialfinder.registries import DEFAULT_REGISTRY
from trialfinder.store.datadir import (
    folder_problem,
    own_files,
    subfolder_problem,
    warn_once,
)

__all__ = [
    "MAX_PENDING_MB",
    "SpoolWriter",
    "Spooled",
    "incoming_dir",
    "pending",
    "pending_bytes",
]

logger = logging.getLogger(__name__)

FORMAT: Final = "trialfinder-search-pages"
#: 2: a page line may hold the API's page as it came (``"page"``); 1: parsed studies only.
#: The head line names the registry of the records (``"source"``; none: ClinicalTrials.gov).
VERSION: Final = 2
#: Past this many MB waiting, searches leave no more pages (and say so) until the store is
#: opened, which adds what waits: the folder stays bounded and no search stalls to add them.
MAX_PENDING_MB: Final = 1024
_READY: Final = ".jsonl"
_PART: Final = ".jsonl.part"


def incoming_dir(store_path: Path) -> Path:
    """The folder where searches leave their pages for the store at ``store_path``."""
    return store_path.with_name(store_path.name + ".incoming")


def pending(store_path: Path) -> list[Path]:
    """The finished incoming files, oldest first (a file still being written is not listed).
    Only this user's own regular files in a private incoming folder are listed: a folder that
    breaks the data folder's rule, a symbolic link or another user's file is left alone and
    named in a warning (:mod:`trialfinder.store.datadir`)."""
    folder = incoming_dir(store_path)
    problem = subfolder_problem(folder)
    if problem is not None:
        warn_once(f"{problem}; searches left there are not added to the study store")
        return []
    return sorted(own_files(folder, _READY))


def pending_bytes(store_path: Path) -> int:
    total = 0
    for file in pending(store_path):
        try:
            total += file.stat().st_size
        except OSError:
            continue
    return total


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class Spooled:
    """What a search left for the store."""

    studies: int = 0
    pages: int = 0
    problem: str | None = None  # one line for people when something was not kept


class SpoolWriter:
    """Keeps one search's pages for the store at ``store_path``.

    ``add`` writes one page, ``finish`` closes the file and hands it to the store once the
    command's output is delivered (:func:`trialfinder.core.delivery.after_delivery`; at once for a
    library caller); an interrupted search calls ``finish(complete=False)``: its pages are real
    and are added at once, its run marked aborted. Errors never reach the caller: they end the
    spooling and become the one line of :attr:`Spooled.problem`."""

    def __init__(self, store_path: Path, *, params: Mapping[str, str] | None = None,
                 source: str = DEFAULT_REGISTRY, now: datetime | None = None) -> None:
        self.store_path = store_path
        self._lock = threading.Lock()  # pages may come from a search's prefetch thread
        self._studies = self._pages = 0
        self._problem: str | None = None
        self._file: IO[bytes] | None = None
        started = now or datetime.now(UTC)
        folder = incoming_dir(store_path)
        name = f"{started.strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}-{secrets.token_hex(4)}"
        self._part = folder / f"{name}{_PART}"
        try:
            private_folder(folder.parent)
            problem = folder_problem(folder.parent) or subfolder_problem(folder, create=True)
            if problem is not None:
                raise PermissionError(problem)
            fd = os.open(self._part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self._file = os.fdopen(fd, "wb")
            self._write({"format": FORMAT, "version": VERSION, "started": _stamp(started),
                         "params": dict(params or {}), "source": source})
        except OSError as exc:
            self._fail(exc)

    def _write(self, item: Mapping[str, Any]) -> None:
        assert self._file is not None
        self._file.write(orjson.dumps(item) + b"\n")

    def add_body(self, body: bytes, fetched: datetime | None,
                 records: Sequence[Mapping[str, Any]]) -> None:
        """One page as the API sent it: ``body``, the JSON text whose studies are ``records``
        (already parsed), written as it is, so no JSON is made again. It may come from another
        thread than the one that finishes the search. A body spread over several lines (JSON
        may hold line breaks between its values) is written from ``records`` instead."""
        if not records:
            return
        if b"\n" in body:
            self.add(records, fetched)
            return
        with self._lock:
            if self._file is None:
                return
            try:
                head = orjson.dumps({"fetched": _stamp(fetched or datetime.now(UTC))})
                # {"fetched": ..., "page": BODY}: the body is written in place, not copied
                self._file.write(head[:-1] + b',"page":')
                self._file.write(body)
                self._file.write(b"}\n")
            except OSError as exc:
                self._fail(exc)
                return
            self._studies += len(records)
            self._pages += 1

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, PermissionError) and not exc.strerror:  # a folder we refuse
            self._problem = f"this search was not added to the study store: {exc}"
        else:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._problem = (f"this search was not added to the study store: cannot write to "
                             f"{incoming_dir(self.store_path)} ({reason})")
        logger.info("%s", self._problem)
        try:
            if self._file is not None:
                self._file.close()
            self._part.unlink(missing_ok=True)
        except OSError:
            pass  # nothing was written there, or it cannot be removed either
        self._file = None

    def add(self, records: Sequence[Mapping[str, Any]], fetched: datetime | None = None) -> None:
        """One page of records, and when it came from the API (``None``: just now)."""
        if not records:
            return
        with self._lock:
            if self._file is None:
                return
            try:
                self._write({"fetched": _stamp(fetched or datetime.now(UTC)),
                             "studies": list(records)})
            except (OSError, TypeError) as exc:  # TypeError: a record orjson cannot write
                self._fail(exc)
                return
            self._studies += len(records)
            self._pages += 1

    def finish(self, *, requests: int = 0, nbytes: int = 0, complete: bool = True) -> Spooled:
        """Close the file and hand it to the store (an empty search leaves nothing)."""
        with self._lock:
            return self._finish(requests=requests, nbytes=nbytes, complete=complete)

    def _finish(self, *, requests: int, nbytes: int, complete: bool) -> Spooled:
        if self._file is not None:
            try:
                self._write({"end": True, "complete": complete, "requests": requests,
                             "bytes": nbytes, "finished": _stamp(datetime.now(UTC))})
                self._file.close()
                self._file = None
                if not self._pages:
                    self._part.unlink(missing_ok=True)
                elif complete:  # handed over once the command's output is delivered
                    after_delivery(self._hand_over, lambda: self._part.unlink(missing_ok=True))
                else:  # an interrupted search: the pages that came are real, the store gets them
                    self._hand_over()
            except OSError as exc:
                self._fail(exc)
        return Spooled(self._studies, self._pages, self._problem)

    def _hand_over(self) -> None:
        try:
            self._part.rename(self._part.with_name(self._part.name.removesuffix(_PART) + _READY))
        except OSError as exc:
            self._fail(exc)
            logger.warning("%s", self._problem)
