"""Exports written a page at a time: a search's rows go into the file as each page is read,
so memory stays flat whatever the number of rows.

    with export_pages(path, "csv") as out:      # the folder checked, the file staged
        for frame in pages:
            out.write(frame)                     # CSV, JSON lines or Parquet, as they come
        out.finish(meta)                         # the provenance sidecar, counts at the end

The bytes are those :func:`trialfinder.tables.export.write_export` writes for the whole
table at once (CSV and JSON lines byte for byte; Parquet the same types and values, one row
group a page). The file goes to a hidden temporary file beside ``path``, renamed into place
with its sidecar on delivery (:func:`trialfinder.core.delivery.staged_file`); an error or
Ctrl-C on the way leaves neither.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from trialfinder.core.delivery import stage, staged_file
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.provenance import ResultMeta
from trialfinder.tables.export import write_csv, write_jsonl
from trialfinder.tables.exportpath import ExportFormat, check_output_path, sidecar_path
from trialfinder.tables.sidecar import clean_stale_tmp, meta_json_bytes

__all__ = ["PageExport", "export_pages"]


class PageExport:
    """One export being written: :meth:`write` each page's frame (the same columns every
    time), then :meth:`finish` with the provenance once every page is in."""

    def __init__(self, path: Path, fmt: ExportFormat, handle: BinaryIO) -> None:
        self.path, self.fmt, self.handle = path, fmt, handle
        self.rows = 0
        self.columns: list[str] | None = None
        self.record: dict[str, Any] | None = None
        self.parquet: Any = None
        if fmt == "parquet":
            from trialfinder.tables.parquetout import ParquetPages

            self.parquet = ParquetPages(handle)

    def write(self, frame: pd.DataFrame) -> None:
        """One page of rows; the first fixes the columns (and the header)."""
        names = [str(c) for c in frame.columns]
        first = self.columns is None
        if first:
            self.columns = names
            if self.parquet is not None:
                self.parquet.begin(names)
        elif names != self.columns:
            raise ValueError(f"a page with other columns than the first: {names}")
        if self.parquet is not None:
            self.parquet.write(frame)
        elif self.fmt == "csv":
            write_csv(frame, self.handle, header=first)
        else:
            write_jsonl(frame, self.handle)
        self.rows += len(frame)

    def abandon(self) -> None:
        """The export is given up (an error, Ctrl-C): a Parquet writer is closed now, while
        its file is still open, never later by the garbage collector, when it is not."""
        if self.parquet is not None:
            with contextlib.suppress(Exception):
                self.parquet.close()

    def finish(self, meta: ResultMeta | Mapping[str, Any]) -> None:
        """Every page is in: the provenance to write beside the file (``rows_written`` and
        ``columns`` from the pages)."""
        if self.columns is None:
            raise ValueError("finish() before any page: write the (empty) first page")
        if self.parquet is not None:
            self.parquet.end()
        record = meta.to_dict() if isinstance(meta, ResultMeta) else dict(meta)
        record.update(file=self.path.name, format=self.fmt, encoding="utf-8",
                      written_at=datetime.now(UTC).isoformat(timespec="seconds"),
                      rows_written=self.rows, columns=self.columns)
        self.record = record


@contextlib.contextmanager
def export_pages(path: Path | str, fmt: ExportFormat) -> Iterator[PageExport]:
    """An export of ``path`` as ``fmt`` written page by page (see the module docstring). The
    block must call :meth:`PageExport.finish`; the file and its sidecar are staged together
    when it ends, and neither is kept when it raises."""
    path = check_output_path(path)  # decided on the name as written: "./-" is a file
    if path.name.endswith(".meta.json"):
        raise InvalidQueryError(f"{path.name!r} is reserved for provenance sidecars")
    if fmt not in ("csv", "jsonl", "parquet"):
        raise InvalidQueryError(f"export format must be csv, jsonl or parquet, not {fmt!r}")
    clean_stale_tmp(path.parent)
    with staged_file(path) as handle:
        out = PageExport(path, fmt, handle)
        try:
            yield out
        except BaseException:
            out.abandon()  # before the file closes: a writer left open wrote into it later
            raise
        if out.record is None:
            raise ValueError("an export ended without finish()")
    stage((sidecar_path(path), meta_json_bytes(out.record)))
