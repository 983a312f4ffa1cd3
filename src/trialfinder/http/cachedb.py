"""The HTTP cache's SQLite file, where a failure costs the cache, never the search.

requests-cache's SQLite backend retries ``BEGIN IMMEDIATE`` for as long as it fails and
rolls back a write that fails without a word. On a full disk (or a file over the size limit,
or a read-only one) ``BEGIN IMMEDIATE`` fails every time, so opening the cache spun forever;
and a table whose creation failed unseen broke the next read with "no such table". Here:

- a write transaction is begun once (SQLite's busy timeout is the wait for another writer)
  and any failure in it is rolled back and raised;
- the one connection is used by one thread at a time, reads included (requests-cache lets
  reads run on it at once; Python's sqlite3 does not promise that is safe, and it crashed);
- an answer of ours (:mod:`trialfinder.http.cachefile`) is written into its row in parts, the
  body as it came in slices, not joined into one value that SQLite then copies twice: for a
  page of 1,000 studies (about 4.5 MB) that is about 13 MB less at the top of each write,
  which the fetching thread makes while the page before is being written out; the body is
  the table's last column, without which SQLite makes the whole ``zeroblob`` in its memory
  anyway (:meth:`GuardedDict.init_db`);
- :class:`GuardedCache` catches every SQLite error of a read, a write or a delete during a
  search: the first one is one warning (a note on the command line), after which the cache is
  left alone for the rest of the run (reads miss, writes are skipped) and the search goes on
  from the API.

requests-cache is imported here, so code without the cache never loads it; this module is
imported only when a cached session is made (:func:`trialfinder.http.session.make_session`).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from typing import Any

from requests_cache.backends.base import BaseCache
from requests_cache.backends.sqlite import SQLiteCache, SQLiteDict

from trialfinder.core.errors import CacheError
from trialfinder.http.cachefile import stored_parts

__all__ = ["GuardedCache", "GuardedDict", "sqlite_reason"]

#: An answer's body is written into its row this many bytes at a time.
_SLICE = 1 << 20

logger = logging.getLogger(__name__)


def sqlite_reason(exc: sqlite3.Error) -> str:
    """SQLite's words for a failure, with what they usually mean on this cache."""
    text = str(exc) or type(exc).__name__
    if "disk i/o error" in text.lower():
        return f"{text} (is the disk full?)"
    return text


class GuardedDict(SQLiteDict):
    """A requests-cache SQLite table whose write transactions are begun once and whose
    failures are raised, not retried forever nor rolled back unseen."""

    def init_db(self) -> None:
        """The table requests-cache makes, with the body as its last column: SQLite writes a
        row's ``zeroblob`` without making it only when nothing follows it in the row, so with
        requests-cache's order (the body, then ``expires``) each answer stored cost the body's
        size twice in SQLite's memory (31 MB for a page of 1,000 multi-centre studies). A
        table made before keeps its order (and that cost) until the cache file is cleared."""
        with self.connection(commit=True) as con:
            con.execute(f"CREATE TABLE IF NOT EXISTS {self.table_name} "
                        "(key TEXT PRIMARY KEY, expires INTEGER, value BLOB)")
        super().init_db()  # type: ignore[no-untyped-call]

    @contextlib.contextmanager
    def connection(self, commit: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = self._open()
        if not commit or getattr(self, "_active_transaction", False):
            # one thread at a time on the connection, reads too: requests-cache lets reads
            # share it at once, and a test of twenty threads on one session crashed the
            # interpreter there (a segmentation fault in a read, another read under way)
            with self._lock:
                yield connection
            return
        with self._lock:
            connection = self._open()
            connection.execute("BEGIN IMMEDIATE")  # waits out another writer, then raises
            self._active_transaction = True
            try:
                yield connection
                connection.commit()
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    connection.rollback()
                raise
            finally:
                self._active_transaction = False

    def _write(self, key: str, value: Any) -> None:
        """``value`` stored under ``key``: an answer of ours in parts (see the module
        docstring), anything else as requests-cache stores it."""
        parts = stored_parts(self.serializer, value)
        if parts is None:
            super()._write(key, value)  # type: ignore[no-untyped-call]
            return
        head, body = parts
        expires = getattr(value, "expires_unix", None)
        with self.connection(commit=True) as con:
            row = con.execute(f"INSERT OR REPLACE INTO {self.table_name} (key,value,expires) "
                              "VALUES (?,zeroblob(?),?)", (key, len(head) + len(body), expires))
            with con.blobopen(self.table_name, "value", row.lastrowid or 0) as blob:
                blob.write(head)
                view = memoryview(body)
                for start in range(0, len(body), _SLICE):
                    blob.write(view[start:start + _SLICE])

    def _open(self) -> sqlite3.Connection:
        """Connect once (WAL, SQLite's busy timeout); a failure leaves no connection."""
        if self._connection is not None:
            return self._connection
        connection = sqlite3.connect(self.db_path, isolation_level=None,
                                     **self.connection_kwargs)
        try:
            if self.busy_timeout is not None:
                connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout)}")
            if self.wal:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error:
            connection.close()
            raise
        self._connection = connection
        return connection


class GuardedCache(SQLiteCache):
    """requests-cache's SQLite backend over :class:`GuardedDict` tables; an SQLite error of a
    read, write or delete is one warning and ends the use of the cache for this run."""

    def __init__(self, db_path: str, serializer: Any = None, **kwargs: Any) -> None:
        BaseCache.__init__(self, cache_name=str(db_path), **kwargs)
        options = {"serializer": serializer, **kwargs} if serializer else kwargs
        self.broken = False
        try:
            self.responses = GuardedDict(db_path, table_name="responses", **options)
            self.redirects = GuardedDict(db_path, table_name="redirects",
                                         lock=self.responses._lock, serializer=None, **kwargs)
        except sqlite3.Error as exc:
            raise CacheError(f"cannot use the cache file {db_path}: {sqlite_reason(exc)}; "
                             "not using the cache") from None

    def _give_up(self, exc: sqlite3.Error, doing: str) -> None:
        if not self.broken:
            self.broken = True
            logger.warning("the cache file %s failed while %s (%s); not using the cache for "
                           "the rest of this run", self.db_path, doing, sqlite_reason(exc))
        tables: tuple[Any, ...] = (self.responses, self.redirects)
        for table in tables:
            with contextlib.suppress(sqlite3.Error):
                table.close()

    def get_response(self, key: str, default: Any = None) -> Any:
        if self.broken:
            return default
        try:
            return super().get_response(key, default)
        except sqlite3.Error as exc:
            self._give_up(exc, "reading an answer")
            return default

    def save_response(self, *args: Any, **kwargs: Any) -> None:
        if self.broken:
            return
        try:
            super().save_response(*args, **kwargs)
        except sqlite3.Error as exc:
            self._give_up(exc, "saving an answer")

    def delete(self, *args: Any, **kwargs: Any) -> None:
        if self.broken:
            return
        try:
            super().delete(*args, **kwargs)
        except sqlite3.Error as exc:
            self._give_up(exc, "deleting an answer")

    def contains(self, *args: Any, **kwargs: Any) -> bool:
        if self.broken:
            return False
        try:
            return bool(super().contains(*args, **kwargs))
        except sqlite3.Error as exc:
            self._give_up(exc, "looking up an answer")
            return False
