"""Saved tables read back a batch of studies at a time, for a search that streams its rows
(:mod:`trialfinder.service.streaming`): repeating an export of 100,000 studies answered from
saved tables holds one batch, not every table (754 MB at 100,000 studies when read whole).

Each table's file is opened once, checked against its checksum on that open handle (so the
bytes read are the bytes checked) and against the manifest's row count and the declared
columns, all before the first row is handed on. Then the studies are read ``size`` rows at a
time, and each child table (sites, conditions, ...) hands on the rows of those studies: a
search's tables are written in its studies' order, so they are the next rows of each child
file. Rows of a child table left over at the end belong to no study: the entry is not what we
wrote, and reading it fails (:class:`~trialfinder.core.errors.CacheError`).

Without pyarrow the tables are read whole (as :meth:`TableCache.get` reads them): without it
no page-by-page entry is ever written, so an entry holds what one in-memory search held.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from trialfinder.cache.tablemanifest import checked_file
from trialfinder.cache.tableparquet import Unusable, arrow_parquet, frame_of, kind_of
from trialfinder.core.errors import CacheError
from trialfinder.tables.frames import TABLE_DTYPES, TABLE_NAMES, Tables

__all__ = ["SavedPages", "open_files", "whole_pages"]

logger = logging.getLogger(__name__)

#: Rows of a child table read from its file at a time.
_CHILD_ROWS = 8192


@dataclass(frozen=True)
class SavedPages:
    """A usable entry read a batch at a time: ``batches(limit, size)`` hands its tables on
    (once) and closes its files; ``studies`` is how many it holds; ``info`` and ``created``
    as :class:`~trialfinder.cache.tablecache.Saved` has them."""

    studies: int
    info: dict[str, Any]
    created: datetime
    batches: Callable[[int | None, int], Iterator[Tables]]
    close: Callable[[], None] = lambda: None  # its files, when it is not read after all

    @property
    def age(self) -> float:
        return max(0.0, (datetime.now(UTC) - self.created).total_seconds())


def open_files(folder: Path, key: str, manifest: Mapping[str, Any]) -> dict[str, BinaryIO]:
    """Each table's file of entry ``key``, open and checked against the manifest (checksum,
    row count, columns); :class:`Unusable` when one fails, with every file closed again."""
    pq = arrow_parquet()
    handles: dict[str, BinaryIO] = {}
    try:
        for name in TABLE_NAMES:
            path = folder / f"{key}.{name}.parquet"
            handle = handles[name] = checked_file(path, manifest["files"][name]["sha256"])
            try:
                meta = pq.ParquetFile(handle)
                columns, rows = list(meta.schema_arrow.names), meta.metadata.num_rows
            except (OSError, ValueError, TypeError, NotImplementedError) as exc:
                raise Unusable(f"{path.name} is not readable Parquet: "
                               f"{type(exc).__name__}") from None
            if columns != list(TABLE_DTYPES[name]):
                raise Unusable(f"{path.name} does not hold the declared columns")
            if rows != manifest["files"][name]["rows"]:
                raise Unusable(f"{path.name} does not hold the rows its manifest lists")
            handle.seek(0)
    except BaseException:
        close_all(handles)
        raise
    return handles


class _Child:
    """One child table's rows, handed on study batch by study batch (see the module
    docstring)."""

    def __init__(self, batches: Iterator[Any], pa: Any, pc: Any) -> None:
        self.batches, self.pa, self.pc = batches, pa, pc
        self.pending: Any = None

    def take(self, ids: Any) -> list[Any]:
        """The next rows whose study is one of ``ids`` (an Arrow array), as record batches."""
        out: list[Any] = []
        while True:
            if self.pending is None or not len(self.pending):
                self.pending = next(self.batches, None)
                if self.pending is None:
                    return out
                continue
            inside = self.pc.is_in(self.pending.column(0), value_set=ids)
            first_out = self.pc.index(inside, self.pa.scalar(False)).as_py()
            count = len(self.pending) if first_out < 0 else first_out
            if count:
                out.append(self.pending.slice(0, count))
            if count < len(self.pending):
                self.pending = self.pending.slice(count)
                return out
            self.pending = None

    def left(self) -> bool:
        """Whether rows are left that no study took."""
        if self.pending is not None and len(self.pending):
            return True
        return any(len(batch) for batch in self.batches)


def _frame(key: str, name: str, table: Any) -> Any:
    try:
        return frame_of(table, TABLE_DTYPES[name])
    except (TypeError, ValueError, NotImplementedError) as exc:
        raise CacheError(f"the saved tables {key} could not be read: {name} has values of "
                         f"the wrong type ({kind_of(exc)})") from None


def read_batches(key: str, handles: Mapping[str, BinaryIO], problems: Mapping[str, int],
                 skipped: int, limit: int | None, size: int) -> Iterator[Tables]:
    """The entry's tables, ``size`` studies at a time (the first ``limit`` studies when given),
    the problem counts and skipped records with the first batch; the files closed at the
    end, or when the reader stops early."""
    import pyarrow as pa  # type: ignore[import-untyped]  # open_files needed it
    import pyarrow.compute as pc  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        files = {name: pq.ParquetFile(handle) for name, handle in handles.items()}
        children = {name: _Child(iter(files[name].iter_batches(batch_size=_CHILD_ROWS)), pa, pc)
                    for name in TABLE_NAMES if name != "studies"}
        first, handed = True, 0
        for batch in files["studies"].iter_batches(batch_size=size):
            if limit is not None and handed + len(batch) > limit:
                batch = batch.slice(0, limit - handed)
            if not len(batch) and not first:
                break
            ids = batch.column(0)
            frames = {"studies": _frame(key, "studies", pa.Table.from_batches([batch]))}
            for name, child in children.items():
                parts = child.take(ids)
                table = pa.Table.from_batches(parts, schema=files[name].schema_arrow)
                frames[name] = _frame(key, name, table)
            yield Tables.of(frames, problems if first else {}, skipped if first else 0)
            first, handed = False, handed + len(batch)
            if limit is not None and handed >= limit:
                return
        if first:  # an entry of no studies: one batch of empty tables
            yield Tables.of({name: _frame(key, name, files[name].schema_arrow.empty_table())
                             for name in TABLE_NAMES}, problems, skipped)
            return
        stray = [name for name, child in children.items() if child.left()]
        if stray:
            raise CacheError(f"the saved tables {key} could not be read: rows of "
                             f"{', '.join(stray)} belong to no saved study")
    finally:
        close_all(handles)


def close_all(handles: Mapping[str, BinaryIO]) -> None:
    for handle in handles.values():
        with contextlib.suppress(OSError):
            handle.close()


def whole_pages(tables: Tables) -> Callable[[int | None, int], Iterator[Tables]]:
    """Batches of tables read whole (no pyarrow): the tables once, cut to their first
    ``limit`` studies when given."""

    def batches(limit: int | None, size: int) -> Iterator[Tables]:
        if limit is None or len(tables.studies) <= limit:
            yield tables
            return
        studies = tables.studies.iloc[:limit].reset_index(drop=True)
        ids = set(studies["nct_id"])
        yield replace(tables, studies=studies, **{
            name: getattr(tables, name).pipe(
                lambda f: f[f["nct_id"].isin(ids)].reset_index(drop=True))
            for name in TABLE_NAMES if name != "studies"})

    return batches
