"""Saved tables read back a batch of studies at a time, for a search that streams its rows
(:mod:`trialfinder.service.streaming`): repeating an export of 100,000 studies answered from
saved tables holds one batch, not every table (754 MB at 100,000 studies when read whole).

Each table's files (its parts, in order) are opened once, each checked against its checksum
on that open handle (so the bytes read are the bytes checked), against the manifest's row count
and the declared columns, and against the first part's schema, all before the first row is
handed on. Then the studies are read ``size`` rows at a time, a batch running on into the
next part where one ends, and each child table (sites, conditions, ...) hands on the rows of
those studies: a search's tables are written in its studies' order, so they are the next
rows of each child table. Rows of a child table left over at the end belong to no study: the
entry is not what we wrote, and reading it fails (:class:`~trialfinder.core.errors.CacheError`).

Without pyarrow the tables are read whole (as :meth:`TableCache.get` reads them): without it
no page-by-page entry is ever written, so an entry holds what one in-memory search held.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
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


def open_files(folder: Path, key: str,
               manifest: Mapping[str, Any]) -> dict[str, list[BinaryIO]]:
    """Each table's parts of entry ``key``, open and checked against the manifest (checksum,
    row count, columns, the first part's schema); :class:`Unusable` when one fails, with
    every file closed again."""
    pq = arrow_parquet()
    handles: dict[str, list[BinaryIO]] = {}
    try:
        for name in TABLE_NAMES:
            opened = handles[name] = []
            schema = None
            for part in manifest["files"][name]["parts"]:
                path = folder / part["file"]
                handle = checked_file(path, part["sha256"])
                opened.append(handle)
                try:
                    meta = pq.ParquetFile(handle)
                    found, rows = meta.schema_arrow, meta.metadata.num_rows
                except (OSError, ValueError, TypeError, NotImplementedError) as exc:
                    raise Unusable(f"{path.name} is not readable Parquet: "
                                   f"{type(exc).__name__}") from None
                if list(found.names) != list(TABLE_DTYPES[name]):
                    raise Unusable(f"{path.name} does not hold the declared columns")
                if schema is not None and not found.equals(schema):
                    raise Unusable(f"{path.name} does not hold the types of the first part")
                if rows != part["rows"]:
                    raise Unusable(f"{path.name} does not hold the rows its manifest lists")
                schema = found
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


def _rows(handles: Sequence[BinaryIO], size: int, pq: Any) -> Iterator[Any]:
    """The rows of a table's parts, in order, as record batches of up to ``size`` rows (a
    part's last batch may be shorter); each part's footer read when its rows are, not all
    at once."""
    for handle in handles:
        yield from pq.ParquetFile(handle).iter_batches(batch_size=size)


def _studies(handles: Sequence[BinaryIO], size: int, schema: Any, pq: Any,
             pa: Any) -> Iterator[Any]:
    """The studies, ``size`` rows a table (the last one shorter), across the parts."""
    held: list[Any] = []
    count = 0
    for batch in _rows(handles, size, pq):
        held.append(batch)
        count += len(batch)
        while count >= size:
            table = pa.Table.from_batches(held, schema=schema)
            yield table.slice(0, size)
            rest = table.slice(size)
            held, count = rest.to_batches(), len(rest)
    if count:
        yield pa.Table.from_batches(held, schema=schema)


def read_batches(key: str, handles: Mapping[str, Sequence[BinaryIO]],
                 problems: Mapping[str, int], skipped: int, limit: int | None,
                 size: int) -> Iterator[Tables]:
    """The entry's tables, ``size`` studies at a time (the first ``limit`` studies when given),
    the problem counts and skipped records with the first batch; the files closed at the
    end, or when the reader stops early."""
    import pyarrow as pa  # type: ignore[import-untyped]  # open_files needed it
    import pyarrow.compute as pc  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        schemas = {name: pq.ParquetFile(opened[0]).schema_arrow  # the same in every part
                   for name, opened in handles.items()}
        children = {name: _Child(_rows(handles[name], _CHILD_ROWS, pq), pa, pc)
                    for name in TABLE_NAMES if name != "studies"}
        first, handed = True, 0
        for batch in _studies(handles["studies"], size, schemas["studies"], pq, pa):
            if limit is not None and handed + len(batch) > limit:
                batch = batch.slice(0, limit - handed)
            if not len(batch) and not first:
                break
            ids = batch.column(0).combine_chunks()
            frames = {"studies": _frame(key, "studies", batch)}
            for name, child in children.items():
                parts = child.take(ids)
                table = pa.Table.from_batches(parts, schema=schemas[name])
                frames[name] = _frame(key, name, table)
            yield Tables.of(frames, problems if first else {}, skipped if first else 0)
            first, handed = False, handed + len(batch)
            if limit is not None and handed >= limit:
                return
        if first:  # an entry of no studies: one batch of empty tables
            yield Tables.of({name: _frame(key, name, schemas[name].empty_table())
                             for name in TABLE_NAMES}, problems, skipped)
            return
        stray = [name for name, child in children.items() if child.left()]
        if stray:
            raise CacheError(f"the saved tables {key} could not be read: rows of "
                             f"{', '.join(stray)} belong to no saved study")
    finally:
        close_all(handles)


def close_all(handles: Mapping[str, Sequence[BinaryIO]]) -> None:
    for opened in handles.values():
        for handle in opened:
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
