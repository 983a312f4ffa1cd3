"""The local study store: one DuckDB file that remembers every study fetched.

Tables (the first six are the search tables, in the columns of the column spec
:mod:`trialfinder.tables.schema`; one row set per study, its latest version):

- ``studies``, ``sites``, ``contacts``, ``officials``, ``conditions``, ``interventions``;
- ``versions``: every distinct version of each study (``hash`` of its record as received),
  with ``first_seen``/``last_seen`` and the record itself as JSON text, for ``history``;
- ``searches``: saved searches (watches), their options as JSON;
- ``runs`` and ``run_studies``: each run of a saved search or sync, and which studies it found;
  ``runs.outcome`` is ``finished``, ``aborted`` (it stopped part-way), or empty while it runs
  (:mod:`trialfinder.store.runs`, mixed into :class:`Store`).

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
import orjson
import pandas as pd

from trialfinder.core.config import default_data_dir
from trialfinder.core.delivery import staged_folder
from trialfinder.core.errors import DataFileError
from trialfinder.core.folders import private_folder
from trialfinder.registries.ctgov.normalize import Tables, normalize
from trialfinder.store import spool
from trialfinder.store.datadir import store_problem
from trialfinder.store.runs import FINISHED, RunLog, _now, naive_utc
from trialfinder.store.versions import VersionRows, nct_of, version_rows
from trialfinder.tables.frames import TABLE_DTYPES

__all__ = [
    "DATA_TABLES",
    "AddStats",
    "Store",
    "StoreBusyError",
    "StoreError",
    "data_dir",
    "default_store_path",
    "naive_utc",
    "open_store",
]

logger = logging.getLogger(__name__)

STORE_FILE: Final = "studies.duckdb"
SCHEMA_VERSION: Final = "1"
#: The study tables, in the column order (and dtypes) of the search tables.
DATA_TABLES: Final[dict[str, dict[str, str]]] = TABLE_DTYPES

_SQL_TYPES: Final[dict[str, str]] = {
    "string": "VARCHAR",
    "category": "VARCHAR",
    "Int64": "BIGINT",
    "Float64": "DOUBLE",
    "boolean": "BOOLEAN",
    "datetime64[ns]": "TIMESTAMP",
}

_BOOK_TABLES: Final[dict[str, str]] = {
    "versions": "nct_id VARCHAR, hash VARCHAR, first_seen TIMESTAMP, last_seen TIMESTAMP, "
                "record VARCHAR",
    "searches": "name VARCHAR, options VARCHAR, created TIMESTAMP",
    "runs": "run_id BIGINT, name VARCHAR, mode VARCHAR, started TIMESTAMP, finished TIMESTAMP, "
            "requests BIGINT, bytes BIGINT, studies BIGINT, params VARCHAR, outcome VARCHAR",
    "run_studies": "run_id BIGINT, nct_id VARCHAR, hash VARCHAR",
    "store_info": "key VARCHAR, value VARCHAR",
}


class StoreError(DataFileError):
    """The store file cannot be opened or used (locked, damaged, from a newer version)."""


class StoreBusyError(StoreError):
    """Another program (or another task of this one) has the store open; DuckDB allows one
    writer at a time."""


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


class Store(RunLog):
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
            raise StoreError(f"no study store at {self.path} yet (a search, `trialfinder sync` "
                             "or `trialfinder watch run` fills it)")
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
        settings: dict[str, Any] = {"threads": 2, "memory_limit": limit, **(config or {})}
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
            self._ensure_schema()
        else:
            self._check_version()

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _tables_present(self) -> set[str]:
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
        return {str(r[0]) for r in rows}

    def _ensure_schema(self) -> None:
        present = self._tables_present()
        for name, dtypes in DATA_TABLES.items():
            if name not in present:
                cols = ", ".join(f'"{c}" {_SQL_TYPES[d]}' for c, d in dtypes.items())
                self.execute(f'CREATE TABLE "{name}" ({cols})')
        for name, cols in _BOOK_TABLES.items():
            if name not in present:
                self.execute(f"CREATE TABLE {name} ({cols})")
        if "store_info" not in present:
            self.execute("INSERT INTO store_info VALUES ('schema', ?)", [SCHEMA_VERSION])
        # added since the first stores were made (each run's query): older files gain it
        self.execute("ALTER TABLE runs ADD COLUMN IF NOT EXISTS params VARCHAR")
        if "outcome" not in self.columns("runs"):  # added later still: closed runs finished
            self.execute("ALTER TABLE runs ADD COLUMN outcome VARCHAR")
            self.execute(f"UPDATE runs SET outcome = '{FINISHED}' WHERE finished IS NOT NULL")
            self._columns.pop("runs", None)
        self._check_version()
        self._abort_abandoned()

    def _check_version(self) -> None:
        try:
            row = self.first_row("SELECT value FROM store_info WHERE key = 'schema'")
        except duckdb.CatalogException:
            raise StoreError(f"{self.path} is not a trialfinder study store") from None
        except duckdb.Error as exc:  # a damaged file
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(f"the study store {self.path} failed: {first}") from None
        if row is None or row[0] != SCHEMA_VERSION:
            raise StoreError(f"{self.path} is a study store of another version "
                             f"({row[0] if row else 'unknown'}); move it aside to start anew")

    def columns(self, table: str) -> list[str]:
        cached = self._columns.get(table)
        if cached is not None:
            return cached
        rows = self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall()
        self._columns[table] = [str(r[0]) for r in rows]
        return self._columns[table]

    # -- writing ------------------------------------------------------------------------------

    def add_records(self, records: Sequence[Mapping[str, Any]], *,
                    seen: datetime | None = None, run_id: int | None = None) -> AddStats:
        """Add one page of raw study records: each study's rows are replaced by this version,
        and the version is recorded (new, or ``last_seen`` moved on). With ``run_id`` the
        studies are also recorded as found by that run."""
        latest: dict[str, Mapping[str, Any]] = {}
        skipped = 0
        for record in records:
            nct = nct_of(record)
            if nct is None:
                skipped += 1
                continue
            latest[nct] = record  # a repeat within a page: the last one wins
        if not latest:
            return AddStats(0, 0, skipped, {})
        kept = list(latest.values())
        tables = normalize(kept)
        stats = self.add_tables(tables, version_rows(kept), seen=seen, run_id=run_id)
        return AddStats(stats.studies, stats.new_versions, skipped + stats.skipped, stats.hashes)

    def add_tables(self, tables: Tables, versions: VersionRows, *,
                   seen: datetime | None = None, run_id: int | None = None) -> AddStats:
        """Add one page already made into tables (``tables``, from the records behind
        ``versions``): the studies' old rows are replaced, their versions recorded."""
        when = naive_utc(seen or _now())
        if not len(versions):
            return AddStats(0, 0, tables.skipped, {})
        page = versions.relation()
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
                    cols = [c for c in self.columns(name) if c in frame.columns]
                    if frame.empty or not cols:
                        continue
                    con.register("page_rows", frame[cols])
                    listed = ", ".join(f'"{c}"' for c in cols)
                    self.execute(f'INSERT INTO "{name}" ({listed}) SELECT {listed} FROM page_rows')
                    con.unregister("page_rows")
                if replace is not None:
                    con.unregister("replaced_ids")
                    self.execute(
                        "UPDATE versions SET last_seen = greatest(last_seen, ?) "
                        "FROM page_versions p "
                        "WHERE versions.nct_id = p.nct_id AND versions.hash = p.hash", [when])
                    row = self.first_row(
                        "INSERT INTO versions SELECT p.nct_id, p.hash, ?, ?, p.record "
                        "FROM page_versions p WHERE NOT EXISTS (SELECT 1 FROM versions v "
                        "WHERE v.nct_id = p.nct_id AND v.hash = p.hash)", [when, when])
                else:
                    row = self.first_row("INSERT INTO versions SELECT nct_id, hash, ?, ?, record "
                                         "FROM page_versions", [when, when])
                added = int(row[0]) if row else 0
                if run_id is not None:
                    self.execute("INSERT INTO run_studies SELECT ?, nct_id, hash "
                                 "FROM page_versions", [run_id])
                con.unregister("page_versions")
                self.execute("COMMIT")
            except BaseException as exc:
                self._roll_back()
                if _interrupted(exc):  # Ctrl-C while DuckDB read the page: still Ctrl-C
                    raise KeyboardInterrupt from None
                raise
        hashes = versions.hashes
        logger.debug("stored %d studies (%d new versions)", len(hashes), added)
        return AddStats(len(hashes), added, tables.skipped, hashes)

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

    def _count(self, table: str) -> int:
        row = self.first_row(f'SELECT count(*) FROM "{table}"')
        return int(row[0]) if row else 0

    # -- reading ------------------------------------------------------------------------------

    def _per_study(self, ids: Sequence[str], value: str) -> list[tuple[Any, Any]]:
        """``(nct_id, value)`` over the versions of those of ``ids`` the store holds;
        ``value`` is one of this module's own aggregate expressions, never user text."""
        if not ids:
            return []
        frame = pd.DataFrame({"nct_id": pd.array(list(ids), dtype="string")})
        with self._lock:
            self.con.register("wanted_ids", frame)
            rows = self.con.execute(
                f"SELECT nct_id, {value} FROM versions "
                "WHERE nct_id IN (SELECT nct_id FROM wanted_ids) GROUP BY nct_id").fetchall()
            self.con.unregister("wanted_ids")
        return rows

    def current_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        """The latest stored version of each of ``ids`` that the store holds."""
        rows = self._per_study(ids, "arg_max(hash, last_seen)")
        return {str(n): str(h) for n, h in rows}

    def last_seen(self, ids: Sequence[str]) -> dict[str, datetime]:
        """When each of ``ids`` was last seen (any version), for those the store holds."""
        return {str(n): moment for n, moment in self._per_study(ids, "max(last_seen)")}

    def record(self, nct_id: str, hash_: str) -> dict[str, Any] | None:
        row = self.first_row("SELECT record FROM versions WHERE nct_id = ? AND hash = ?",
                               [nct_id, hash_])
        if row is None:
            return None
        value = orjson.loads(row[0])
        return value if isinstance(value, dict) else None

    def versions(self, nct_id: str) -> list[tuple[str, datetime, datetime, dict[str, Any]]]:
        """Every version seen of one study, oldest first: (hash, first_seen, last_seen, record)."""
        rows = self.con.execute(
            "SELECT hash, first_seen, last_seen, record FROM versions WHERE nct_id = ? "
            "ORDER BY first_seen, last_seen", [nct_id]).fetchall()
        return [(str(h), f, last, orjson.loads(r)) for h, f, last, r in rows]

    def tables_for(self, ids: Sequence[str]) -> Tables:
        """The stored tables of the given studies, typed as the search tables."""
        frame = pd.DataFrame({"nct_id": pd.array(list(ids), dtype="string")})
        out: dict[str, pd.DataFrame] = {}
        with self._lock:
            self.con.register("wanted_ids", frame)
            for name in ("studies", "sites", "conditions", "interventions"):
                dtypes = DATA_TABLES[name]
                got = self.con.execute(
                    f'SELECT * FROM "{name}" WHERE nct_id IN (SELECT nct_id FROM wanted_ids)'
                ).df()
                out[name] = got.reindex(columns=list(dtypes)).astype(dict(dtypes))
            self.con.unregister("wanted_ids")
        return Tables(studies=out["studies"], sites=out["sites"], conditions=out["conditions"],
                      interventions=out["interventions"])

    def info(self) -> dict[str, int]:
        """Rows per table, plus the file's size in bytes (``file_bytes``)."""
        counts = {name: self._count(name) for name in (*DATA_TABLES, "versions", "searches",
                                                       "runs")}
        if not self.read_only:
            self.execute("CHECKPOINT")
        counts["file_bytes"] = self.path.stat().st_size if self.path.exists() else 0
        return counts

    def export(self, folder: Path, *, partitioned: bool = False) -> list[Path]:
        """Write every table as Parquet: one file per table (``folder/<table>.parquet``), or
        with ``partitioned`` one Hive-style folder per table split by ``id_block`` (the first
        three digits of the NCT number: ``folder/studies/id_block=051/*.parquet``), which
        Spark, Trino and DuckDB read as one table and prune by id."""
        written: list[Path] = []
        # written aside, moved into place whole (under the command line, once its output
        # is delivered); an export that fails leaves nothing behind
        with staged_folder(folder) as work:
            for name in (*DATA_TABLES, "versions", "searches", "runs", "run_studies"):
                by_id = partitioned and "nct_id" in self.columns(name)
                target = name if by_id else f"{name}.parquet"
                quoted = str(work / target).replace("'", "''")
                try:
                    if by_id:
                        self.execute(
                            f"COPY (SELECT *, substr(nct_id, 4, 3) AS id_block FROM \"{name}\")"
                            f" TO '{quoted}' (FORMAT parquet, COMPRESSION zstd, "
                            "PARTITION_BY (id_block), OVERWRITE_OR_IGNORE)")
                    else:
                        self.execute(f"COPY \"{name}\" TO '{quoted}' (FORMAT parquet, "
                                     "COMPRESSION zstd)")
                except duckdb.Error as exc:
                    raise DataFileError(f"cannot write the export into {folder}: "
                                        f"{str(exc).splitlines()[0]}") from None
                written.append(folder / target)
        return written

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


def _interrupted(exc: BaseException) -> bool:
    """Ctrl-C, also as DuckDB reports it when it came while DuckDB was reading Python data."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    return isinstance(exc, duckdb.Error) and ("KeyboardInterrupt" in str(exc)
                                              or "INTERRUPT" in str(exc).upper())


def open_store(path: Path | None = None, *, read_only: bool = False, wait: float = 3.0,
               sleep: Callable[[float], None] = time.sleep,
               config: Mapping[str, Any] | None = None) -> Store:
    """:class:`Store`, after adding the pages earlier searches left for it
    (:mod:`trialfinder.store.spool`). While another program or task has the file open (DuckDB
    lets one writer in at a time) it waits up to ``wait`` seconds, then raises
    :class:`StoreBusyError`; a reader that cannot add the waiting pages reads without them.
    ``config``: DuckDB settings of the connection returned (``memory_limit``...)."""
    path = Path(path) if path is not None else default_store_path()
    if spool.pending(path):
        try:
            writer = _open_waiting(path, False, wait, sleep)
        except StoreBusyError:
            if not read_only:
                raise
            logger.info("the study store is busy; read without the latest searches")
        else:
            try:
                spool.ingest(writer)
            except BaseException:
                writer.close()
                raise
            if not read_only:
                return writer
            writer.close()
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
