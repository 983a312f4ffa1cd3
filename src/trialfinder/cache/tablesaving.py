"""Saved tables written a page at a time, for a search that streams its rows
(:mod:`trialfinder.service.streaming`): each page's tables are appended to the entry's
Parquet files as one row group each, so the whole answer is never held, and the entry is
committed as :meth:`TableCache.put` commits one (check-summed, manifest last) when the search
ends whole. It needs pyarrow; without it (or once a write failed) the pages are not saved and
:meth:`PageSaver.commit` says why, which costs speed next time, never the search.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any

from trialfinder.cache.tablecache import TableCache
from trialfinder.cache.tableparquet import arrow_parquet, arrow_table
from trialfinder.tables.frames import TABLE_DTYPES, TABLE_NAMES, Tables

__all__ = ["PageSaver"]

logger = logging.getLogger(__name__)


def _schema(pa: Any, table: str) -> Any:
    """The Arrow schema a saved table is written with: its spec's dtypes, categories as
    text (:func:`~trialfinder.cache.tableparquet.arrow_table` stores them so)."""
    kinds = {"string": pa.string(), "category": pa.string(), "Int64": pa.int64(),
             "Float64": pa.float64(), "boolean": pa.bool_(),
             "datetime64[ns]": pa.timestamp("ns")}
    return pa.schema([pa.field(name, kinds[dtype])
                      for name, dtype in TABLE_DTYPES[table].items()])


class PageSaver:
    """One entry of saved tables written page by page (see the module docstring)."""

    def __init__(self, cache: TableCache, key: str) -> None:
        self.cache, self.key = cache, key
        self.temps = cache.temps(key)
        self.rows: Counter[str] = Counter()
        self.problems: Counter[str] = Counter()
        self.skipped = 0
        self.writers: dict[str, Any] = {}
        self.problem: str | None = None
        self.pq = arrow_parquet()
        if self.pq is None:
            self.problem = "pyarrow is not installed"
            return
        import pyarrow as pa  # type: ignore[import-untyped]

        self.pa = pa
        self.schemas = {name: _schema(pa, name) for name in TABLE_NAMES}

    def add(self, tables: Tables) -> None:
        """One page's tables, appended (never raises: a failure stops the saving)."""
        if self.problem is not None:
            return
        name = "studies"
        try:
            for name in TABLE_NAMES:
                frame = getattr(tables, name)
                table = arrow_table(frame).cast(self.schemas[name])
                if name not in self.writers:
                    self.writers[name] = self.pq.ParquetWriter(
                        str(self.temps[name]), self.schemas[name])
                if len(frame):
                    self.writers[name].write_table(table)
                self.rows[name] += len(frame)
            self.problems.update(tables.problems)
            self.skipped += tables.skipped
        except (OSError, TypeError, ValueError, NotImplementedError,
                self.pa.ArrowException) as exc:
            self._fail(name, exc)

    def _close(self) -> None:
        writers, self.writers = self.writers, {}
        for writer in writers.values():
            try:
                writer.close()
            except (OSError, self.pa.ArrowException) as exc:
                logger.debug("could not close a saved table being written: %s", exc)

    def _fail(self, name: str, exc: Exception) -> None:
        self._close()
        self.problem = self.cache.failed(self.key, self.temps, f"{self.key}.{name}.parquet",
                                         exc)

    def discard(self) -> None:
        """The search did not end whole: nothing is saved."""
        if self.problem is None:
            self._close()
            for temp in self.temps.values():
                temp.unlink(missing_ok=True)
            self.problem = "the search did not end"

    def commit(self, info: Mapping[str, Any]) -> str | None:
        """Every page is in: the entry renamed into place. ``None``, or why it was not
        saved."""
        if self.problem is not None:
            return None if self.problem == "pyarrow is not installed" else self.problem
        try:
            if not self.writers:  # no page came: the entry of an empty answer
                for name in TABLE_NAMES:
                    self.writers[name] = self.pq.ParquetWriter(
                        str(self.temps[name]), self.schemas[name])
            self._close()
            self.cache.commit(self.key, self.temps, self.rows, self.problems, self.skipped,
                              info)
        except (OSError, TypeError, ValueError, self.pa.ArrowException) as exc:
            self._fail("studies", exc)
            return self.problem
        return None
