"""Saved tables written a page at a time, for a search that streams its rows
(:mod:`trialfinder.service.streaming`): each page's tables are appended to the entry's
Parquet files as one row group each (:class:`~trialfinder.tables.parquetout.ParquetPages`,
categories stored as text, as every saved table has them), so the whole answer is never held.
Every :data:`PAGES_PER_PART` pages each table goes on in a new part (a file of its own), and
the entry is committed as :meth:`TableCache.put` commits one (check-summed, manifest
last) when the search ends whole. It needs pyarrow; without it (or once a write failed) the
pages are not saved and :meth:`PageSaver.commit` says why, which costs speed next time, never
the search.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any, Final

from trialfinder.cache.tablecache import TableCache
from trialfinder.cache.tableparquet import arrow_parquet
from trialfinder.tables.frames import TABLE_DTYPES, TABLE_NAMES, Tables
from trialfinder.tables.parquetout import ParquetPages

__all__ = ["PAGES_PER_PART", "PageSaver"]

logger = logging.getLogger(__name__)

#: Pages (of up to 1,000 studies) in one part of each saved table. A Parquet writer keeps the
#: footer of every row group (one a page) in memory until it closes, about 0.1 MB a page for
#: all the tables together: a search of 100,000 studies in one file per table peaked 30 MB
#: higher than one of 10,000. Ten pages bound that to about 1 MB, while 100,000 studies still
#: make only ten files a table to check and open when the entry is read.
PAGES_PER_PART: Final = 10


class PageSaver:
    """One entry of saved tables written page by page (see the module docstring)."""

    def __init__(self, cache: TableCache, key: str) -> None:
        self.cache, self.key = cache, key
        self.rows: dict[str, list[int]] = {name: [] for name in TABLE_NAMES}  # a part each
        self.pages = 0
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
        """The writer of table ``name``'s current part, made on first use."""
        writer = self.writers.get(name)
        if writer is None:
            part = len(self.rows[name])
            writer = self.writers[name] = ParquetPages(
                self.cache.temp(self.key, name, part), categories="text",
                dtypes=TABLE_DTYPES[name], compression="snappy")
            self.rows[name].append(0)
        return writer

    def add(self, tables: Tables) -> None:
        """One page's tables, appended (never raises: a failure stops the saving)."""
        if self.problem is not None:
            return
        name = "studies"
        try:
            if self.pages and not self.pages % PAGES_PER_PART:
                self._close(finish=True)  # the next part of every table begins
            for name in TABLE_NAMES:
                frame = getattr(tables, name)
                self._writer(name).write(frame)
                self.rows[name][-1] += len(frame)
            self.pages += 1
            self.problems.update(tables.problems)
            self.skipped += tables.skipped
        except (OSError, TypeError, ValueError, NotImplementedError,
                self.pa.ArrowException) as exc:
            self._fail(name, exc)

    def _close(self, *, finish: bool = False) -> None:
        """Close every file being written; ``finish``: each as a whole part (raises what
        closing raises), else as it stands (given up)."""
        writers, self.writers = self.writers, {}
        failure: Exception | None = None
        for writer in writers.values():
            try:
                if finish:
                    writer.end()
                else:
                    writer.close()
            except (OSError, self.pa.ArrowException) as exc:
                logger.debug("could not close a saved table being written: %s", exc)
                failure = failure or exc
        if finish and failure is not None:
            raise failure

    def _fail(self, name: str, exc: Exception) -> None:
        self._close()
        self.problem = self.cache.failed(self.key, f"{self.key}.{name}.parquet", exc)

    def discard(self) -> None:
        """The search did not end whole: nothing is saved."""
        if self.problem is None:
            self._close()
            self.cache.remove_temps(self.key)
            self.problem = "the search did not end"

    def commit(self, info: Mapping[str, Any]) -> str | None:
        """Every page is in: the entry renamed into place. ``None``, or why it was not
        saved."""
        if self.problem is not None:
            return None if self.problem == "pyarrow is not installed" else self.problem
        try:
            if not self.pages:  # no page came: the entry of an empty answer
                for name in TABLE_NAMES:
                    self._writer(name)
            self._close(finish=True)
            self.cache.commit(self.key, self.rows, self.problems, self.skipped, info)
        except (OSError, TypeError, ValueError, self.pa.ArrowException) as exc:
            self._fail("studies", exc)
            return self.problem
        return None
