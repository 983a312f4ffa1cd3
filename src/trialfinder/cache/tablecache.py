"""Saved search results: the normalized tables of a search, so repeating it is instant.

The HTTP cache (requests-cache) already keeps the API's answers, but a repeat would still parse
and normalize them: for 10,000 studies that is most of a second. This keeps the finished tables
in ``<cache folder>/tables`` and hands them back while they are fresh:

- no older than the cache's expiry (``Settings.expire_after``);
- not older than the API's last data refresh (``/version``'s ``dataTimestamp``).

Nothing here runs code when read. One saved search (an *entry*) is files named by its key
(32 hex digits): each table in one or more parts, and the manifest::

    <key>.studies.parquet  <key>.sites.parquet  <key>.contacts.parquet  <key>.officials.parquet
    <key>.conditions.parquet  <key>.interventions.parquet  <key>.json   (the manifest, written last)
    <key>.studies.1.parquet  <key>.sites.1.parquet ...  (the next parts of a long search)

A search that streams writes a new part of each table every
:data:`~trialfinder.cache.tablesaving.PAGES_PER_PART` pages, so that no Parquet writer keeps
the footer of a long search's every page in memory; :meth:`TableCache.put` writes one part.

The Parquet files are written by pyarrow when it is installed (else by DuckDB) and read by
DuckDB. The manifest is plain JSON: a format marker,
:data:`SCHEMA_VERSION`, a fingerprint of the declared columns, when the entry was made, each
table's rows and its parts in order (each part's file, SHA-256 and row count), the
normalizer's problem counts and the search's own report (``info``). On reading, every part
must match its checksum and row count and hold exactly the declared columns, which get their
declared dtypes back. Anything else (a changed byte, a missing part or one the manifest does
not list, another schema, a manifest that is not ours) drops the entry: :meth:`get` returns
:class:`Dropped` with the reason, the caller warns and fetches again.

Files are 0600 in a 0700 folder (see :mod:`trialfinder.core.folders`); at most
``max_entries`` are kept, least recently used first out. :meth:`TableCache.clear` removes only
entries it recognises by name *and* manifest, the temporary files of unfinished writes and the
pickles that earlier builds of trialfinder wrote (never read, only removed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from trialfinder.cache.tablekey import manifest_name
from trialfinder.cache.tablemanifest import (
    COLUMNS_ID,
    DATA_NAME,
    FORMAT,
    LEGACY_NAME,
    MANIFEST_NAME,
    SCHEMA_VERSION,
    TEMP_NAME,
    checked_file,
    named_files,
    part_name,
    read_manifest,
)
from trialfinder.cache.tablepages import (
    SavedPages,
    close_all,
    open_files,
    read_batches,
    whole_pages,
)
from trialfinder.cache.tableparquet import Unusable as _Unusable
from trialfinder.cache.tableparquet import arrow_parquet
from trialfinder.cache.tableparquet import frame_of as _frame
from trialfinder.cache.tableparquet import joined as _joined
from trialfinder.cache.tableparquet import kind_of as _kind
from trialfinder.cache.tableparquet import read_parquet as _read_parquet
from trialfinder.cache.tableparquet import row_count as _row_count
from trialfinder.cache.tableparquet import write_parquet as _write_parquet
from trialfinder.core.folders import FILE_MODE, os_reason
from trialfinder.core.lazy import LazyModule
from trialfinder.tables.frames import TABLE_DTYPES, TABLE_NAMES, Tables

if TYPE_CHECKING:
    import duckdb
else:  # DuckDB loads with the first saved table read or written, not with every search
    duckdb = LazyModule("duckdb")

__all__ = ["FORMAT", "SCHEMA_VERSION", "Cleared", "Dropped", "Saved", "SavedPages",
           "TableCache"]

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class Saved:
    """A usable entry: the tables, what the search reported, and when it was made."""

    tables: Tables
    info: dict[str, Any]  # what the search reported (total_count, truncated, fetched_at, ...)
    created: datetime

    @property
    def age(self) -> float:
        return max(0.0, (datetime.now(UTC) - self.created).total_seconds())


@dataclass(frozen=True)
class Dropped:
    """An entry that could not be trusted and was removed; ``reason`` says why."""

    reason: str


@dataclass(frozen=True)
class Cleared:
    files: int
    nbytes: int


class TableCache:
    def __init__(self, folder: Path, max_entries: int = 32) -> None:
        self.folder = folder
        self.max_entries = max_entries

    def _manifest(self, key: str) -> Path:
        return self.folder / manifest_name(key)

    def _parts(self, manifest: Mapping[str, Any], table: str) -> list[Path]:
        """The files of ``table``'s parts, in order, as the (checked) manifest lists them."""
        return [self.folder / part["file"] for part in manifest["files"][table]["parts"]]

    def _data_files(self, key: str) -> list[Path]:
        return named_files(self.folder, DATA_NAME, key)

    # -- reading -------------------------------------------------------------------------------

    def get(
        self, key: str, *, max_age: timedelta | None, newer_than: datetime | None
    ) -> Saved | Dropped | None:
        """The saved tables for ``key`` if fresh enough (``max_age=None``: any age); ``None``
        when there are none (or they are too old); :class:`Dropped` when they failed a check."""
        manifest = self._fresh(key, max_age=max_age, newer_than=newer_than)
        if not isinstance(manifest, dict):
            return manifest
        return self._whole(key, manifest)

    def _whole(self, key: str, manifest: Mapping[str, Any]) -> Saved | Dropped:
        """Entry ``key`` of ``manifest`` (checked and fresh) with its tables read whole."""
        try:
            tables = self._read_tables(key, manifest)
        except _Unusable as exc:
            return self.drop(key, str(exc))
        except duckdb.Error as exc:  # DuckDB itself failed (memory, a broken install)
            return self.drop(key, f"DuckDB could not read it: {_kind(exc)}")
        self._used(key)
        logger.debug("saved tables %s used (%d studies)", key, len(tables.studies))
        return Saved(tables=tables, info=manifest["info"], created=manifest["created"])

    def get_pages(
        self, key: str, *, max_age: timedelta | None, newer_than: datetime | None
    ) -> SavedPages | Dropped | None:
        """As :meth:`get`, for a search that streams: the entry's files checked and open, its
        tables read a batch of studies at a time (:mod:`trialfinder.cache.tablepages`)."""
        manifest = self._fresh(key, max_age=max_age, newer_than=newer_than)
        if not isinstance(manifest, dict):
            return manifest
        problems, skipped = dict(manifest["problems"]), manifest["skipped"]
        if arrow_parquet() is None:
            whole = self._whole(key, manifest)  # the manifest is read once
            if not isinstance(whole, Saved):
                return whole
            batches = whole_pages(whole.tables)
        else:
            try:
                handles = open_files(self.folder, key, manifest)
            except _Unusable as exc:
                return self.drop(key, str(exc))
            self._used(key)

            def batches(limit: int | None, size: int) -> Iterator[Tables]:
                return read_batches(key, handles, problems, skipped, limit, size)

            logger.debug("saved tables %s used a batch at a time", key)
            return SavedPages(studies=manifest["files"]["studies"]["rows"],
                              info=manifest["info"], created=manifest["created"],
                              batches=batches, close=lambda: close_all(handles))
        return SavedPages(studies=manifest["files"]["studies"]["rows"], info=manifest["info"],
                          created=manifest["created"], batches=batches)

    def _fresh(self, key: str, *, max_age: timedelta | None,
               newer_than: datetime | None) -> dict[str, Any] | Dropped | None:
        """The manifest of entry ``key`` when it is ours and fresh enough."""
        try:
            manifest = self._read_manifest(key)
        except FileNotFoundError:
            return None
        except _Unusable as exc:
            return self.drop(key, str(exc))
        listed = {part["file"] for name in TABLE_NAMES for part in manifest["files"][name]["parts"]}
        extra = [p.name for p in self._data_files(key) if p.name not in listed]
        if extra:
            return self.drop(key, f"{extra[0]} is not listed in its manifest")
        created = manifest["created"]
        age = (datetime.now(UTC) - created).total_seconds()
        if max_age is not None and age > max_age.total_seconds():
            logger.debug("saved tables %s are %.0f s old: too old", key, age)
            return None
        if newer_than is not None and created < newer_than:
            logger.debug("saved tables %s predate the API's data of %s", key, newer_than)
            return None
        return manifest

    def _used(self, key: str) -> None:
        with contextlib.suppress(OSError):
            os.utime(self._manifest(key))  # recently used: kept longest

    def _read_manifest(self, key: str) -> dict[str, Any]:
        return read_manifest(self._manifest(key), key)

    def _read_tables(self, key: str, manifest: Mapping[str, Any]) -> Tables:
        frames: dict[str, pd.DataFrame] = {}
        for name in TABLE_NAMES:
            sources = []
            parts = manifest["files"][name]["parts"]
            for part, path in zip(parts, self._parts(manifest, name), strict=True):
                checked_file(path, part["sha256"]).close()
                source = _read_parquet(path)
                if _row_count(source) != part["rows"]:
                    raise _Unusable(f"{path.name} does not hold the rows its manifest lists")
                sources.append(source)
            try:
                frames[name] = _frame(_joined(sources), TABLE_DTYPES[name])
            except (duckdb.Error, TypeError, ValueError, NotImplementedError) as exc:
                raise _Unusable(f"{path.name} has values of the wrong type: {_kind(exc)}") \
                    from None
        return Tables(**frames, problems=dict(manifest["problems"]),
                      skipped=manifest["skipped"])

    def drop(self, key: str, reason: str) -> Dropped:
        """Remove the entry ``key`` (whatever state it is in) and say why: the caller warns
        with the reason (a log line at warning level too said it twice on the command line)."""
        logger.info("saved tables %s dropped: %s", key, reason)
        self._remove_entry(key)
        return Dropped(reason)

    # -- writing -------------------------------------------------------------------------------

    def put(self, key: str, tables: Tables, info: Mapping[str, Any]) -> str | None:
        """Save the tables of a search. Returns ``None``, or why they could not be saved (a
        full disk only costs speed later, so this never raises)."""
        current = f"{key}.json"
        try:
            for name in TABLE_NAMES:
                current = part_name(key, name, 0)
                _write_parquet(getattr(tables, name), self.temp(key, name, 0))
            rows = {name: [len(getattr(tables, name))] for name in TABLE_NAMES}
            self.commit(key, rows, tables.problems, tables.skipped, info)
            return None
        except (OSError, duckdb.Error, TypeError, ValueError, NotImplementedError) as exc:
            return self.failed(key, current, exc)

    def temp(self, key: str, name: str, part: int = 0) -> Path:
        """The temporary file part ``part`` of table ``name`` (or ``"json"``, the manifest) of
        entry ``key`` is written to, by this thread, before it is renamed into place."""
        tag = f"{os.getpid()}-{threading.get_ident()}"
        return self.folder / f"{part_name(key, name, part).removesuffix('.parquet')}.{tag}.tmp"

    def commit(self, key: str, rows: Mapping[str, Sequence[int]],
               problems: Mapping[str, int], skipped: int, info: Mapping[str, Any]) -> None:
        """Every table of ``key`` is written to its temporary files (:meth:`temp`), one a
        part, ``rows[name]`` their rows in order: check-summed, the manifest written, the
        entry there before removed, all renamed into place (the manifest last) and the folder
        trimmed. Raises what writing raises (:meth:`failed` says it)."""
        files: dict[str, dict[str, Any]] = {}
        for name in TABLE_NAMES:
            parts = []
            for n, count in enumerate(rows[name]):
                temp = self.temp(key, name, n)
                os.chmod(temp, FILE_MODE)
                with temp.open("rb") as handle:
                    digest = hashlib.file_digest(handle, "sha256").hexdigest()
                parts.append({"file": part_name(key, name, n), "sha256": digest, "rows": count})
            files[name] = {"rows": sum(rows[name]), "parts": parts}
        manifest = {
            "format": FORMAT, "schema_version": SCHEMA_VERSION, "columns": COLUMNS_ID,
            "key": key, "created": datetime.now(UTC).isoformat(), "files": files,
            "problems": dict(problems), "skipped": skipped, "info": dict(info),
        }
        body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
        fd = os.open(self.temp(key, "json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        self._remove_entry(key)  # an older entry's parts beyond this one's would be extra
        for name in TABLE_NAMES:
            for n, part in enumerate(files[name]["parts"]):
                os.replace(self.temp(key, name, n), self.folder / part["file"])
        os.replace(self.temp(key, "json"), self._manifest(key))  # last: the entry is whole
        self._trim()
        logger.debug("saved tables %s written (%d studies)", key, files["studies"]["rows"])

    def failed(self, key: str, current: str, exc: Exception) -> str:
        """Why an entry could not be saved (logged, this thread's temporary files of it
        removed)."""
        self.remove_temps(key)
        why = os_reason(exc) if isinstance(exc, OSError) else _kind(exc)
        reason = f"{self.folder / current}: {why}"
        logger.warning("saved tables %s not written: %s", key, reason)
        return reason

    def remove_temps(self, key: str) -> None:
        """This thread's temporary files of entry ``key`` (an unfinished write), removed."""
        tag = f".{os.getpid()}-{threading.get_ident()}.tmp"
        for temp in named_files(self.folder, TEMP_NAME, key):
            if temp.name.endswith(tag):
                _unlink(temp)

    def _remove_entry(self, key: str) -> int:
        """Entry ``key``'s manifest (first: the entry is no longer whole) and every part."""
        removed = _unlink(self._manifest(key))
        for path in self._data_files(key):
            removed += _unlink(path)
        return removed

    def _manifests(self) -> list[Path]:
        try:
            return [p for p in self.folder.iterdir() if MANIFEST_NAME.fullmatch(p.name)]
        except OSError:
            return []

    def _trim(self) -> None:
        def used(path: Path) -> float:
            try:
                return path.stat().st_mtime
            except OSError:
                return 0.0

        # Only entries with a manifest of ours count and go: a foreign file that merely has
        # our kind of name is left alone here as in clear().
        manifests = sorted((self._manifest(key) for key in self.entries()), key=used)
        for old in manifests[: max(0, len(manifests) - self.max_entries)]:
            self._remove_entry(old.name[:32])

    # -- looking after the folder --------------------------------------------------------------

    def entries(self) -> list[str]:
        """The keys of the entries whose manifest is ours (checked or not for freshness)."""
        keys = []
        for path in self._manifests():
            try:
                self._read_manifest(path.name[:32])
            except (OSError, _Unusable):
                continue
            keys.append(path.name[:32])
        return sorted(keys)

    def recognised(self) -> list[Path]:
        """Every file in the folder this module wrote and can tell apart by name and manifest:
        entries with a manifest of ours, temporary files of unfinished writes, old pickles."""
        found: list[Path] = []
        for key in self.entries():
            found.append(self._manifest(key))
            found.extend(self._data_files(key))
        try:
            names = [p for p in self.folder.iterdir()
                     if TEMP_NAME.fullmatch(p.name) or LEGACY_NAME.fullmatch(p.name)]
        except OSError:
            names = []
        return found + sorted(names)

    def clear(self) -> Cleared:
        """Remove every file :meth:`recognised` lists; anything else in the folder stays."""
        files = nbytes = 0
        for path in self.recognised():
            try:
                size = path.lstat().st_size
            except OSError:
                continue
            if _unlink(path):
                files, nbytes = files + 1, nbytes + size
        return Cleared(files, nbytes)


def _unlink(path: Path) -> int:
    try:
        path.unlink()
    except OSError:
        return 0
    return 1
