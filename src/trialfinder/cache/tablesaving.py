"""Saved tables written a page at a time, for a search that streams its rows
(:mod:`trialfinder.service.streaming`): each page's tables are appended to the entry's
Parquet files as one row group each (:class:`~trialfinder.tables.parquetout.ParquetPages`,
categories stored as text, as every saved table has them), so the whole answer is never held,
and the entry is committed as :meth:`TableCache.put` commits one (check-summed, manifest
last) when the search ends whole. It needs pyarrow; without it (or once a write failed) the
pages are not saved and :meth:`PageSaver.commit` says why, which costs speed next time, never
the search.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any

from trialfinder.cache.tablecache import TableCache
from trialfinder.cache.tableparquet import arrow_parquet
from trialfinder.tables.frames import TABLE_DTYPES, TABLE_NAMES, Tables
from trialfinder.tables.parquetout import ParquetPages

__all__ = ["PageSaver"]

logger = logging.getLogger(__name__)


class PageSaver:
    """One entry of saved tables written page by page (see the module docstring)."""

    def __init__(self, cache: TableCache, key: str) -> None:
        self.cache, self.key = cache, key
        self.temps = cache.temps(key)
        self.rows: Counter[str] = Counter()
        self.problems: Counter[str] = Counter()
        self.skipped = 0
        self.writers: dict[str, ParquetPages] = {}
        self.problem: str | None = None
        if arrow_parquet() is None:
            self.problem = "pyarrow is not installed"
            return
        import pyarrow as pa  # type: ignore[import-untyped]

        self.pa = pa

    def _writer(self, name: str) -> ParquetPages:
        """The writer of table ``name``, made on first use."""
        writer = self.writers.get(name)
        if writer is None:
            writer = self.writers[name] = ParquetPages(
                self.temps[name], categories="text", dtypes=TABLE_DTYPES[name],
                compression="snappy")
        return writer

    def add(self, tables: Tables) -> None:
        """One page's tables, appended (never raises: a failure stops the saving)."""
        if self.problem is not None:
            return
        name = "studies"
        try:
            for name in TABLE_NAMES:
                frame = getattr(tables, name)
                self._writer(name).write(frame)
                self.rows[name] += len(frame)
            self.problems.update(tables.problems)
            self.skipped += tables.skipped
        except (OSError, TypeError, ValueError, NotImplementedError,
                self.pa.ArrowException) as exc:
            self._fail(name, exc)

    def _close(self, *, finish: bool = False) -> None:
        """Close every file being written; ``finish``: each as a whole table (an empty one
        when no page came), else as it stands (given up)."""
        writers, self.writers = self.writers, {}
        for writer in writers.values():
            try:
                if finish:
                    writer.end()
                else:
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
            for name in TABLE_NAMES:  # no page came: the entry of an empty answer
                self._writer(name)
            self._close(finish=True)
            self.cache.commit(self.key, self.temps, self.rows, self.problems, self.skipped,
                              info)
        except (OSError, TypeError, ValueError, self.pa.ArrowException) as exc:
            self._fail("studies", exc)
            return self.problem
        return None
