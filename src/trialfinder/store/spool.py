"""Every search adds what it fetched to the study store, at almost no cost to the search.

A search does not open the store: it appends each page it got from the API, as one JSON line,
to a file of its own in the store's *incoming* folder (``studies.duckdb.incoming/`` beside the
store file), and renames the file into place when the search ends. Writing a page costs one
``orjson.dumps`` and one file write; the search never waits for DuckDB and never holds it in
memory. Whoever opens the store next (``sql``, ``store info``, ``sync``, a watch, the dashboard's
saved searches; see :func:`trialfinder.store.db.open_store`) first adds the waiting files, a
page at a time, each file as one ``search`` run with the studies it found, then deletes them.

The incoming files are read back as hostile input: each line is size-capped before it is
parsed, only files of the expected shape are added, and a file that is not is moved to
``rejected/`` with a warning, never executed (JSON only). While the folder holds more than
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
from typing import IO, TYPE_CHECKING, Any, Final

import orjson

from trialfinder.core.delivery import after_delivery
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.folders import private_folder
from trialfinder.core.wording import plural, skipped_notes
from trialfinder.registries import DEFAULT_REGISTRY, get_registry
from trialfinder.store.datadir import (
    folder_problem,
    open_own_file,
    own_files,
    subfolder_problem,
    warn_once,
)

if TYPE_CHECKING:
    from trialfinder.store.db import Store

__all__ = [
    "MAX_PENDING_MB",
    "Ingested",
    "SpoolWriter",
    "Spooled",
    "incoming_dir",
    "ingest",
    "pending",
    "pending_bytes",
]

logger = logging.getLogger(__name__)

FORMAT: Final = "trialfinder-search-pages"
#: 2: a page line may hold the API's page as it came (``"page"``); 1: parsed studies only.
#: The head line names the registry of the records (``"source"``; none: ClinicalTrials.gov).
VERSION: Final = 2
_READS: Final = (1, 2)
#: A line longer than this is refused before it is parsed (a 1,000-study page of full records
#: is about 20 MB; searches ask for the list view, about 8 MB).
MAX_LINE_BYTES: Final = 128 * 1024 * 1024
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


# -- the store's side --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ingested:
    """What :func:`ingest` added."""

    files: int = 0
    studies: int = 0
    new_versions: int = 0
    rejected: int = 0
    skipped: int = 0  # records without a valid NCT id, left out


class _BadFile(Exception):
    """An incoming file that is not what a search writes."""


def _lines(handle: IO[bytes]) -> Any:
    while True:
        line = handle.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES:
            raise _BadFile(f"a line longer than {MAX_LINE_BYTES // 2**20} MB")
        try:
            yield orjson.loads(line)
        except orjson.JSONDecodeError:
            raise _BadFile("a line that is not JSON") from None


def _when(value: object) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise _BadFile("a time that is not text")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _BadFile(f"an unreadable time {value[:40]!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _records(item: Mapping[str, Any]) -> object:
    """The studies of one page line: ``{"studies": [...]}`` (written from parsed records) or
    ``{"page": {"studies": [...], ...}}`` (the API's page as it came)."""
    if "page" in item:
        page = item["page"]
        return page.get("studies") if isinstance(page, dict) else None
    return item.get("studies")


#: The most a search's recorded query may hold; a larger or odd one is not kept (the run is).
_MAX_PARAMS: Final = 64
_MAX_PARAM_CHARS: Final = 4000


def _params(value: object) -> dict[str, str] | None:
    """The query a file says its search ran, when it is a small mapping of text to text;
    otherwise ``None``: an odd value costs that value, not the pages."""
    if not isinstance(value, dict) or len(value) > _MAX_PARAMS:
        return None
    if not all(isinstance(k, str) and isinstance(v, str) and len(k) + len(v) <= _MAX_PARAM_CHARS
               for k, v in value.items()):
        return None
    return dict(value)


def _when_or_none(value: object) -> datetime | None:
    """When the search ended, if the file says so readably (older files do not: then the
    run is closed at the time it is added)."""
    try:
        return _when(value)
    except _BadFile:
        return None


def _source(value: object) -> str:
    """The registry whose records a file holds (files of trialfinder before the registry seam
    say none: ClinicalTrials.gov's); one this trialfinder does not know is a bad file."""
    if not isinstance(value, str) or len(value) > 40:
        raise _BadFile("a registry name that is not text")
    try:
        return get_registry(value).name
    except InvalidQueryError:
        raise _BadFile(f"records of a registry this trialfinder does not know ({value!r})"
                       ) from None


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _BadFile("a count that is not a whole number")
    return value


def ingest(store: Store, *, chunk: int = 250) -> Ingested:
    """Add every finished incoming file to ``store`` (opened for writing), oldest first."""
    files = pending(store.path)
    if not files:
        return Ingested()
    logger.info("adding %s left by earlier searches to the study store",
                plural(len(files), "search", "searches"))
    added = studies = new_versions = rejected = skipped = 0
    for file in files:
        try:
            got = _ingest_file(store, file, chunk)
        except _BadFile as exc:
            rejected += 1
            _reject(file, str(exc))
            continue
        except OSError as exc:
            # gone meanwhile, unreadable, or swapped for a link or another user's file since
            # it was listed: left where it is
            logger.warning("could not read %s: %s", file, exc.strerror or exc)
            continue
        file.unlink(missing_ok=True)
        added += 1
        studies += got[0]
        new_versions += got[1]
        skipped += got[2]
    for note in skipped_notes(skipped, skipped):
        logger.warning("adding earlier searches to the study store: %s", note)
    return Ingested(added, studies, new_versions, rejected, skipped)


def _ingest_file(store: Store, file: Path, chunk: int) -> tuple[int, int, int]:
    with os.fdopen(open_own_file(file), "rb") as handle:
        lines = _lines(handle)
        head = next(lines, None)
        if not isinstance(head, dict) or head.get("format") != FORMAT \
                or head.get("version") not in _READS:
            raise _BadFile("not a file of search pages")
        started = _when(head.get("started"))
        source = _source(head.get("source", DEFAULT_REGISTRY))
        run_id: int | None = None  # started with the first good page
        studies = new_versions = skipped = 0
        end: dict[str, Any] | None = None
        try:
            for item in lines:
                if end is not None or not isinstance(item, dict):
                    raise _BadFile("lines after the end, or a line that is not an object")
                if item.get("end") is True:
                    end = item
                    continue
                records, fetched = _records(item), _when(item.get("fetched"))
                if not isinstance(records, list):
                    raise _BadFile("a page without a list of studies")
                if run_id is None:
                    run_id = store.start_run(None, "search", started,
                                             params=_params(head.get("params")))
                for start in range(0, len(records), chunk):
                    stats = store.add_records(records[start:start + chunk], source=source,
                                              seen=fetched, run_id=run_id)
                    studies += stats.studies
                    new_versions += stats.new_versions
                    skipped += stats.skipped
        except BaseException:
            # Ctrl-C, or a bad line: the pages added stay (they are real), the run does not
            # (an interrupted file is added again, whole, next time)
            if run_id is not None:
                store.drop_run(run_id)
            raise
        if run_id is not None and end is not None and end.get("complete") is True:
            store.finish_run(run_id, requests=_count(end.get("requests")),
                             nbytes=_count(end.get("bytes")),
                             finished=_when_or_none(end.get("finished")))
        elif run_id is not None:  # the search was interrupted: its pages stay, its run aborted
            store.abort_run(run_id)
        return studies, new_versions, skipped


def _reject(file: Path, reason: str) -> None:
    """Move a file we cannot add aside (kept for a person to look at), with one warning."""
    folder = file.parent / "rejected"
    try:
        if subfolder_problem(folder, create=True) is not None:
            raise PermissionError  # never moved through a link or into a shared folder
        file.rename(folder / file.name)
        where = f"moved to {folder}"
    except OSError:
        file.unlink(missing_ok=True)
        where = "deleted"
    logger.warning("an incoming file of search pages was not added to the store (%s); %s",
                   reason, where)
