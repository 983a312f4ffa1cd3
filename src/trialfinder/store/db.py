"""The local study store: one DuckDB file that remembers every study fetched.

Tables (the first six are the search tables, in the columns of the column spec
:mod:`trialfinder.tables.schema`; one row set per study, its latest version):

- ``studies``, ``sites``, ``contacts``, ``officials``, ``conditions``, ``interventions``;
- ``versions``: every distinct version of each study (``hash`` of its record as received),
  with ``first_seen``/``last_seen`` and the record itself as JSON text, for ``history``: a
  view joining the parts of each text in ``version_records`` (:mod:`.bounded`);
- ``searches``: saved searches (watches), their options as JSON;
- ``runs`` and ``run_studies``: each run of a saved search or sync, and which studies it found;
  ``runs.outcome`` is ``finished``, ``aborted`` (it stopped part-way), or empty while it runs
  (:mod:`trialfinder.store.runs`, mixed into :class:`Store`);
- ``migrations``: the schema changes the store has had (:mod:`trialfinder.store.migrations`,
  applied when the store is opened), and ``store_info`` (key, value).

The file lives in the user's data folder (``TRIALFINDER_DATA_DIR`` overrides it), created 0700;
a data folder others can write to, or a store file that is a link or another user's, is
refused (:mod:`trialfinder.store.datadir`).
Records are added a page at a time (:meth:`Store.add_records`), so memory stays bounded
whatever the number of studies. Nothing read back is executed: records are JSON text.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import duckdb
import pandas as pd

from trialfinder.core.config import default_data_dir
from trialfinder.core.errors import (
    StoreBusyError,
    StoreError,
    StoreOutdatedError,
)
from trialfinder.core.folders import private_folder
from trialfinder.registries import DEFAULT_REGISTRY, get_registry
from trialfinder.store import ingest, spool
from trialfinder.store.aact.install import install as install_aact
from trialfinder.store.bounded import cut_frame, say_cut
from trialfinder.store.datadir import store_problem
from trialfinder.store.migrations import VERSION_TABLE, upgrade
from trialfinder.store.reading import StoreReading
from trialfinder.store.runs import RunLog, _now, naive_utc
from trialfinder.store.versions import VersionRows, version_rows
from trialfinder.tables.frames import Tables

__all__ = [
    "AddStats",
    "Store",
    "StoreBusyError",
    "StoreError",
    "StoreOutdatedError",
    "data_dir",
    "default_store_path",
    "interrupted",
    "naive_utc",
    "open_store",
]

logger = logging.getLogger(__name__)

STORE_FILE: Final = "studies.duckdb"


def data_dir() -> Path:
    """The folder of the store: ``TRIALFINDER_DATA_DIR`` or the user's data folder."""
    return default_data_dir()


def default_store_path() -> Path:
    return data_dir() / STORE_FILE


@dataclass(frozen=True, slots=True)
class AddStats:
    """What one :meth:`Store.add_records` call did."""

    studies: int
    new_versions: int
    skipped: int
    hashes: dict[str, str]  # nct_id -> hash of the version just stored
    cut: int = 0  # texts of the search tables longer than the store keeps, cut (store.bounded)


class Store(StoreReading, RunLog):
    """A DuckDB study store. Use as a context manager; one writer at a time."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False,
                 memory_limit: str | None = None,
                 config: Mapping[str, Any] | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.read_only = read_only
        folder = self.path.parent
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"the data folder {folder} is not a folder (set "
                             "TRIALFINDER_DATA_DIR or --store to another place)")
        if read_only and not self.path.exists():
            raise StoreError(_no_store_yet(self.path))
        if not read_only:
            try:
                private_folder(folder)
            except OSError as exc:
                raise StoreError(f"cannot use the data folder {folder}: "
                                 f"{exc.strerror or exc}") from None
        problem = store_problem(self.path)  # the cache folder's rules (store.datadir)
        if problem is not None:
            raise StoreError(problem)
        # Writers append a page at a time and need little; readers may scan big tables.
        limit = memory_limit or ("256MB" if read_only else "64MB")
        settings: dict[str, Any] = {"threads": 2, "memory_limit": limit, **(config or {}),
                                    # nothing is fetched: what a store needs is built in
                                    "autoinstall_known_extensions": False,
                                    "autoload_known_extensions": False}
        if read_only:
            settings |= {"enable_external_access": False}
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only, config=settings)
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if "Could not set lock" in first or "different configuration" in first:
                raise StoreBusyError(f"the study store {self.path} is in use by another "
                                     "program or task; try again when it is done") from None
            raise StoreError(f"cannot open the study store {self.path}: {first}") from None
        # No progress bars on the terminal; a reader's SQL cannot change settings afterwards.
        self.con.execute("SET enable_progress_bar = false").fetchall()
        if read_only:
            self.con.execute("SET lock_configuration = true").fetchall()
        self._lock = threading.Lock()
        self._key = os.path.realpath(self.path)
        self._columns: dict[str, list[str]] = {}
        if not read_only:
            os.chmod(self.path, 0o600)
        try:
            upgrade(self.con, self.path, read_only=read_only)
            if not read_only:
                self._abort_abandoned()
                install_aact(self)  # the aact schema of views (store/aact/), renewed when stale
        except duckdb.Error as exc:  # a damaged file
            self.con.close()
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(f"the study store {self.path} failed: {first}") from None
        except BaseException:
            self.con.close()
            raise

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def columns(self, table: str) -> list[str]:
        cached = self._columns.get(table)
        if cached is not None:
            return cached
        rows = self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = 'main' ORDER BY ordinal_position", [table]).fetchall()
        self._columns[table] = [str(r[0]) for r in rows]
        return self._columns[table]

    # -- writing ------------------------------------------------------------------------------

    def add_records(self, records: Sequence[Mapping[str, Any]], *,
                    source: str = DEFAULT_REGISTRY, seen: datetime | None = None,
                    run_id: int | None = None) -> AddStats:
        """Add one page of raw records of the registry ``source``, read by that registry's
        reader and named by its ids: each study's rows are replaced by this version, and the
        version is recorded (new, or ``last_seen`` moved on). With ``run_id`` the studies are
        also recorded as found by that run. A record without a valid id (the registry's rule)
        is skipped and counted."""
        registry = get_registry(source)
        latest: dict[str, Mapping[str, Any]] = {}
        skipped = 0
        for record in records:
            nct = registry.record_id(record)
            if nct is None:
                skipped += 1
                continue
            latest[nct] = record  # a repeat within a page: the last one wins
        if not latest:
            return AddStats(0, 0, skipped, {})
        kept = list(latest.values())
        reader = registry.reader()
        reader.add(kept)
        tables = reader.tables()
        stats = self.add_tables(tables, version_rows(kept, registry.record_id), seen=seen,
                                run_id=run_id)
        return AddStats(stats.studies, stats.new_versions, skipped + stats.skipped, stats.hashes,
                        stats.cut)

    def add_tables(self, tables: Tables, versions: VersionRows, *,
                   seen: datetime | None = None, run_id: int | None = None) -> AddStats:
        """Add one page already made into tables (``tables``, from the records behind
        ``versions``): the studies' old rows are replaced, their versions recorded."""
        when = naive_utc(seen or _now())
        if not len(versions):
            return AddStats(0, 0, tables.skipped, {})
        page = versions.relation()
        cut: list[str] = []
        with self._lock:
            con = self.con
            self.execute("BEGIN TRANSACTION")
            try:
                con.register("page_versions", page)
                replace = self._to_replace(when)
                for name, frame in tables.frames().items():
                    if replace is not None:
                        self.execute(f'DELETE FROM "{name}" WHERE nct_id IN '
                                     "(SELECT nct_id FROM replaced_ids)")
                        frame = frame[frame["nct_id"].isin(replace)]
                    held = self.columns(name)
                    if frame.empty:
                        continue
                    frame, named = cut_frame(frame)
                    cut += [f"{name}.{c}" for c in named]
                    cols = [str(c) for c in frame.columns]
                    lacking = [c for c in cols if c not in held]
                    if lacking:  # never narrowed to the columns the store happens to have
                        raise StoreError(f"the study store {self.path} has no column "
                                         f"{', '.join(name + '.' + c for c in lacking)}")
                    con.register("page_rows", frame)
                    listed = ", ".join(f'"{c}"' for c in cols)
                    self.execute(f'INSERT INTO "{name}" ({listed}) SELECT {listed} FROM page_rows')
                    con.unregister("page_rows")
                if replace is not None:
                    con.unregister("replaced_ids")
                    self.execute(
                        f"UPDATE {VERSION_TABLE} v SET last_seen = greatest(last_seen, ?) "
                        "FROM page_versions p "
                        "WHERE v.nct_id = p.nct_id AND v.hash = p.hash", [when])
                    row = self.first_row(
                        f"INSERT INTO {VERSION_TABLE} SELECT p.nct_id, p.hash, ?, ?, "
                        "p.record_parts::VARCHAR[] FROM page_versions p WHERE NOT EXISTS "
                        f"(SELECT 1 FROM {VERSION_TABLE} v "
                        "WHERE v.nct_id = p.nct_id AND v.hash = p.hash)", [when, when])
                else:
                    row = self.first_row(
                        f"INSERT INTO {VERSION_TABLE} SELECT nct_id, hash, ?, ?, "
                        "record_parts::VARCHAR[] FROM page_versions", [when, when])
                added = int(row[0]) if row else 0
                if run_id is not None:
                    self.execute("INSERT INTO run_studies SELECT ?, nct_id, hash "
                                 "FROM page_versions", [run_id])
                con.unregister("page_versions")
                self.execute("COMMIT")
            except BaseException as exc:
                self._roll_back()
                if interrupted(exc):  # Ctrl-C while DuckDB read the page: still Ctrl-C
                    raise KeyboardInterrupt from None
                raise
        hashes = versions.hashes
        logger.debug("stored %d studies (%d new versions)", len(hashes), added)
        say_cut(cut)
        return AddStats(len(hashes), added, tables.skipped, hashes, len(cut))

    def _to_replace(self, when: datetime) -> set[str] | None:
        """Of the page in ``page_versions``, the studies whose rows must be written: new to
        the store, or seen now in another version than the one their rows hold (their latest).
        A study seen again in the version it holds keeps its rows (only ``last_seen`` moves), and
        an older page (``when`` before the latest sighting) does not overwrite newer rows.
        ``None`` when the store holds none of the page's studies: write them all, delete none.
        The ids are also registered as ``replaced_ids`` for the deletes."""
        rows = self.con.execute(
            "SELECT p.nct_id, c.hash, c.seen FROM page_versions p JOIN ("
            "  SELECT nct_id, arg_max(hash, last_seen) AS hash, max(last_seen) AS seen"
            "  FROM versions WHERE nct_id IN (SELECT nct_id FROM page_versions)"
            "  GROUP BY nct_id) c USING (nct_id)").fetchall()
        if not rows:
            return None
        held = {str(n): (str(h), seen) for n, h, seen in rows}
        page = self.con.execute("SELECT nct_id, hash FROM page_versions").fetchall()
        replace = {str(n) for n, h in page
                   if str(n) not in held or (held[str(n)][0] != h and held[str(n)][1] <= when)}
        self.con.register("replaced_ids", pd.DataFrame(
            {"nct_id": pd.array(sorted(replace), dtype="string")}))
        return replace

    def _roll_back(self) -> None:
        """Undo the transaction under way; DuckDB may have ended it already (an interrupt)."""
        try:
            self.execute("ROLLBACK")
        except duckdb.Error:
            logger.debug("no transaction left to roll back")

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run one statement to its end (DuckDB keeps a statement's result open otherwise)."""
        self.con.execute(sql, params).fetchall()

    def first_row(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """The first row of a query (read to its end), or ``None``."""
        rows = self.con.execute(sql, params).fetchall()
        return rows[0] if rows else None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything done inside is committed at the end, or rolled back on an error."""
        with self._lock:
            self.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            with self._lock:
                self._roll_back()
            raise
        with self._lock:
            self.execute("COMMIT")


def interrupted(exc: BaseException) -> bool:
    """Ctrl-C, also as DuckDB reports it when it came while DuckDB was reading Python data."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    return isinstance(exc, duckdb.Error) and ("KeyboardInterrupt" in str(exc)
                                              or "INTERRUPT" in str(exc).upper())


def _no_store_yet(path: Path) -> str:
    return (f"no study store at {path} yet (a search, `trialfinder sync` or `trialfinder watch "
            "run` fills it)")


def open_store(path: Path | None = None, *, read_only: bool = False, wait: float = 3.0,
               sleep: Callable[[float], None] = time.sleep,
               config: Mapping[str, Any] | None = None, create: bool = True) -> Store:
    """:class:`Store`, after adding the pages earlier searches left for it
    (:mod:`trialfinder.store.spool`). While another program or task has the file open (DuckDB
    lets one writer in at a time) it waits up to ``wait`` seconds, then raises
    :class:`StoreBusyError`; a reader that cannot add the waiting pages reads without them.
    A store made by an earlier trialfinder is upgraded first (:mod:`trialfinder.store.migrations`),
    also for a reader, which opens it for writing once to do so.
    ``config``: DuckDB settings of the connection returned (``memory_limit``...). Without
    ``create``, a store that is not there yet (no file, no pages waiting) is an error, as for a
    reader, rather than a new empty store."""
    path = Path(path) if path is not None else default_store_path()
    waiting = spool.pending(path)
    if not (create or waiting or path.exists() or path.is_symlink()
            or path.parent.is_file()):  # (a file as the data folder: Store says so)
        raise StoreError(_no_store_yet(path))
    if waiting:
        try:
            writer = _open_waiting(path, False, wait, sleep)
        except StoreBusyError:
            if not read_only:
                raise
            logger.info("the study store is busy; read without the latest searches")
        else:
            try:
                ingest.ingest(writer)
            except BaseException:
                writer.close()
                raise
            if not read_only:
                return writer
            writer.close()
    try:
        return _open_waiting(path, read_only, wait, sleep, config)
    except StoreOutdatedError as outdated:  # read-only: a writer upgrades it, then read
        try:
            _open_waiting(path, False, wait, sleep).close()
        except StoreBusyError:
            raise
        except StoreError as exc:
            raise StoreOutdatedError(f"{outdated}, but it cannot be opened for writing: {exc}"
                                     ) from None
    return _open_waiting(path, read_only, wait, sleep, config)


def _open_waiting(path: Path, read_only: bool, wait: float,
                  sleep: Callable[[float], None],
                  config: Mapping[str, Any] | None = None) -> Store:
    waited, pause = 0.0, 0.05
    while True:
        try:
            return Store(path, read_only=read_only, config=config)
        except StoreBusyError:
            if waited + pause > wait:
                raise
            waited += pause
            logger.debug("the study store is busy; trying again in %.2f s", pause)
            sleep(pause)
            pause = min(pause * 2, 0.5)
