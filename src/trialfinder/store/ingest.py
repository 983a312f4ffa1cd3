"""The study store's side of the search pages searches leave (:mod:`trialfinder.store.spool`):
:func:`ingest` adds every finished incoming file, a page at a time, each file as one
``search`` run with the studies it found, read by the reader of the registry the file names
(a file that names none holds ClinicalTrials.gov's records, as every file written before the
registry seam did), then deletes it.

The files are read back as hostile input: each line is size-capped before it is parsed, only
files of the expected shape are added, and a file that is not is moved to ``rejected/`` with a
warning, never executed (JSON only).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import orjson

from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.wording import plural, skipped_notes
from trialfinder.registries import DEFAULT_REGISTRY, get_registry
from trialfinder.store.datadir import open_own_file, subfolder_problem
from trialfinder.store.spool import FORMAT, pending

if TYPE_CHECKING:
    from trialfinder.store.db import Store

__all__ = ["MAX_LINE_BYTES", "Ingested", "ingest"]

logger = logging.getLogger(__name__)

#: The versions of the file format read: 2 (a page line may hold the registry's page as it
#: came), 1 (parsed studies only).
_READS: Final = (1, 2)
#: A line longer than this is refused before it is parsed (a 1,000-study page of full records
#: is about 20 MB; searches ask for the list view, about 8 MB).
MAX_LINE_BYTES: Final = 128 * 1024 * 1024


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
