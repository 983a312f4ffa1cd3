"""JSON lines of a table: one object per row and line, compact UTF-8 written by orjson,
``null`` for a missing value, dates at their precision (:mod:`trialfinder.tables.datecells`).
A page's text that pyarrow holds becomes Python strings a few hundred rows at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

import orjson
import pandas as pd

from trialfinder.tables.arrowtext import arrow_strings
from trialfinder.tables.csvrows import arrow_text
from trialfinder.tables.datecells import date_strings, is_datetime
from trialfinder.tables.exportcells import json_cells
from trialfinder.tables.sidecar import json_default

__all__ = ["json_line", "to_jsonl_bytes", "write_jsonl"]


def _json_column(frame: pd.DataFrame, column: str) -> list[Any]:
    series = frame[column]
    if is_datetime(series):
        return list(date_strings(frame, column))
    return json_cells(series)


def to_jsonl_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as JSON lines (one object per row, ``null`` for missing), UTF-8."""
    return b"".join(_jsonl_pieces(df))


def write_jsonl(df: pd.DataFrame, handle: BinaryIO) -> None:
    """Write :func:`to_jsonl_bytes` of ``df`` into the binary file ``handle`` a few hundred
    rows at a time, so the whole text is never held (the same bytes)."""
    for piece in _jsonl_pieces(df):
        handle.write(piece)


def json_line(record: Mapping[str, Any]) -> bytes:
    """One JSON lines record, without its line end: compact UTF-8 (orjson, several times
    quicker than the json module's encoder), ``null`` for a missing or non-finite number."""
    try:
        return orjson.dumps(record, default=json_default)
    except orjson.JSONEncodeError:
        # what orjson has no form for (a whole number past 64 bits, as SQL's HUGEINT gives, a
        # key that is not text): the json module, in the same compact form
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                          default=json_default).encode("utf-8")


def _json_cells_of(frame: pd.DataFrame, column: str) -> Callable[[int, int], list[Any]]:
    """The JSON cells of rows ``start:stop`` of one column. Text that pyarrow holds becomes
    Python strings only for those rows (a page's long free texts all at once, about 10 MB at
    the peak); the other columns' short values are converted once, whole."""
    series = frame[column]
    if arrow_text(series) and not is_datetime(series):
        values = arrow_strings(series, chunked=True)
        return lambda start, stop: list(values.slice(start, stop - start).to_pylist())
    cells = _json_column(frame, column)
    return lambda start, stop: cells[start:stop]


def _jsonl_pieces(df: pd.DataFrame, rows: int = 250) -> Iterator[bytes]:
    names = [str(c) for c in df.columns]
    if not names:
        yield from (b"{}\n" * min(rows, len(df) - start) for start in range(0, len(df), rows))
        return
    cells = [_json_cells_of(df, c) for c in df.columns]
    for start in range(0, len(df), rows):
        columns = [take(start, start + rows) for take in cells]
        yield b"\n".join(json_line(dict(zip(names, row, strict=True)))
                         for row in zip(*columns, strict=True)) + b"\n"
