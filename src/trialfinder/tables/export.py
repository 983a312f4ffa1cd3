"""Exports: CSV and JSON lines as bytes, safe to open in a spreadsheet, plus provenance.

CSV (:func:`to_csv_bytes`; :func:`write_csv` streams the same bytes into a file)
    Plain UTF-8 **without** a byte-order mark, ``\\r\\n`` row ends (RFC 4180; line breaks
    inside a quoted cell are kept as they are), a header row, the frame's
    column order, no index. Missing values are empty cells; booleans are ``true``/``false``;
    dates are written at their precision when a ``<col>_precision`` column exists (``day``
    -> ``2023-05-31``, ``month`` -> ``2023-05``, ``year`` -> ``2023``), otherwise as
    ``YYYY-MM-DD`` (or full ISO when a time of day is present). List or tuple cells are
    joined with ``"|"`` like the tables' own joined columns.

    Formula-injection guard: every *text* cell (and header) that starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so spreadsheets show it as
    text. Numeric columns are written as numbers and never changed (``-5`` in an ``Int64``
    column stays ``-5``; the string ``"-5"`` in a text column becomes ``'-5``). A text cell
    longer than a spreadsheet cell holds (32,767 characters) is cut, and says so.

JSON lines (:func:`to_jsonl_bytes`; :func:`write_jsonl` streams the same bytes into a file)
    UTF-8, one JSON object per row and line, keys in column order; missing values are
    ``null``, dates as in CSV, numbers and booleans as JSON numbers and booleans, lists as
    arrays. No formula guard (JSON is not opened by spreadsheets), so values are exact.

Provenance (:func:`write_export`)
    Next to ``DIR/NAME.EXT`` a sidecar ``DIR/NAME.EXT.meta.json`` (the file's name +
    ``.meta.json``, see :func:`sidecar_path`) records the caller's ``meta`` (a
    :class:`~trialfinder.core.provenance.ResultMeta`, or a plain mapping: query, API version, data
    timestamp, fetched-at, total reported...) plus ``file``, ``format``, ``encoding``,
    ``written_at`` and ``rows_written`` / ``columns`` computed from the frame (these computed
    keys override the same keys in ``meta``).

Temporary files
    Both files are written to hidden temporary files in the same folder (flushed and synced)
    and only then renamed, so a reader never sees half a file, nor a table without its
    provenance (:func:`trialfinder.core.delivery.stage`; under the command line the renames wait
    until standard output is delivered too). Their names end in ``.trialfinder-PID-TOKEN.tmp``. A
    process killed mid-write leaves one behind; the next export into that folder removes such
    files once they are older than :data:`STALE_TMP_SECONDS` (never anyone else's files).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from trialfinder.core.delivery import stage
from trialfinder.core.errors import InvalidQueryError
from trialfinder.core.missing import is_blank
from trialfinder.core.provenance import ResultMeta
from trialfinder.core.textcap import CSV_CELL_CHARS, cap
from trialfinder.tables.arrowtext import arrow_strings
from trialfinder.tables.csvrows import arrow_rows, arrow_text, header_row, python_rows
from trialfinder.tables.datecells import date_strings, is_datetime
from trialfinder.tables.exportcells import guarded_text
from trialfinder.tables.exportpath import (
    SUFFIX_FORMATS,
    ExportFormat,
    check_output_path,
    format_for_path,
    sidecar_path,
)
from trialfinder.tables.jsonlines import to_jsonl_bytes, write_jsonl
from trialfinder.tables.sidecar import (
    STALE_TMP_SECONDS,
    clean_stale_tmp,
    meta_json_bytes,
)
from trialfinder.topics import demo
from trialfinder.topics.demo import honest_links

__all__ = [
    "CSV_CHUNK_ROWS",
    "FORMULA_PREFIXES",
    "STALE_TMP_SECONDS",
    "SUFFIX_FORMATS",
    "ExportFormat",
    "check_output_path",
    "clean_stale_tmp",
    "format_for_path",
    "formula_guard",
    "meta_json_bytes",
    "sidecar_path",
    "to_csv_bytes",
    "to_jsonl_bytes",
    "write_csv",
    "write_export",
    "write_jsonl",
]

#: A text cell starting with one of these is prefixed with ``'`` in CSV exports.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

logger = logging.getLogger(__name__)


# -- column conversion ---------------------------------------------------------------------


def _is_bool(series: pd.Series[Any]) -> bool:
    return bool(pd.api.types.is_bool_dtype(series.dtype))


def _is_number(series: pd.Series[Any]) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series.dtype)) and not _is_bool(series)


def _joined(value: Any) -> Any:
    if isinstance(value, list | tuple | np.ndarray):
        return "|".join("" if is_blank(v) else str(v) for v in value)
    return value


# a cut cell leaves room for the formula guard's quote: with it, at most CSV_CELL_CHARS
_CUT_AT = CSV_CELL_CHARS - 1


def formula_guard(text: str) -> str:
    """One text cell as it goes into a CSV (the one guard of every CSV trialfinder writes):
    capped at what a spreadsheet cell holds, then a leading ``'`` when it starts with one of
    :data:`FORMULA_PREFIXES`."""
    text = cap(text, _CUT_AT)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _capped(text: pd.Series[Any]) -> pd.Series[Any]:
    """A text column with each cell longer than a spreadsheet cell holds cut (and marked)."""
    if _fits_cells(text):
        return text
    long = (text.str.len() > _CUT_AT).fillna(False).to_numpy(dtype=bool)
    if long.any():
        text = text.copy()
        text[long] = [cap(v, _CUT_AT) for v in text[long]]
    return text


def _fits_cells(text: pd.Series[Any]) -> bool:
    """Whether no cell of an Arrow-backed text column can be longer than :data:`_CUT_AT`
    characters: a character takes one UTF-8 byte or more, so a column whose longest value in
    bytes fits (read from its offsets alone) needs no count of characters."""
    if not arrow_text(text):
        return False
    import pyarrow.compute as pc  # type: ignore[import-untyped]  # it holds this column

    longest = pc.max(pc.binary_length(arrow_strings(text, chunked=True))).as_py()
    return longest is None or longest <= _CUT_AT


def _csv_column(frame: pd.DataFrame, column: str) -> pd.Series[Any]:
    series = frame[column]
    if is_datetime(series):
        return pd.Series(date_strings(frame, column), index=frame.index, dtype=object)
    if _is_bool(series):
        values = series.astype(object).to_numpy(dtype=object)
        return pd.Series(
            [None if is_blank(v) else ("true" if v else "false") for v in values],
            index=frame.index, dtype=object,
        )
    if _is_number(series):
        return series
    if isinstance(series.dtype, pd.CategoricalDtype) and _is_number(
        pd.Series(series.cat.categories)
    ):
        return series
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        text = series.astype("string")
        safe = guarded_text(text, FORMULA_PREFIXES, _CUT_AT)
        if safe is not None:
            return safe
        text = _capped(text)
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            text = text.where(~risky, "'" + text)
        return text
    if isinstance(series.dtype, pd.CategoricalDtype):
        # categorical text: each category is converted once, then picked by its code (-1,
        # a missing cell, picks the ``None`` at the end)
        converted = [_joined(v) for v in series.cat.categories]
        guarded = [formula_guard(v) if isinstance(v, str) else v for v in converted]
        table = np.array([*guarded, None], dtype=object)
        return pd.Series(table[series.cat.codes.to_numpy()], index=frame.index, dtype=object)
    # object columns: text cells are guarded, other values kept
    values = series.astype(object).to_numpy(dtype=object)
    out = [None if is_blank(v) else _joined(v) for v in values]
    return pd.Series([formula_guard(v) if isinstance(v, str) else v for v in out],
                     index=frame.index, dtype=object)


# -- public --------------------------------------------------------------------------------


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every cell as it goes into the CSV (dates, booleans, guards, lists)."""
    columns = [str(c) for c in df.columns]
    prepared = pd.DataFrame(
        {i: _csv_column(df, c) for i, c in enumerate(df.columns)}, index=df.index
    )
    prepared.columns = pd.Index([formula_guard(c) for c in columns])
    return prepared


#: Rows formatted at a time: the CSV text of a whole table is never held at once.
CSV_CHUNK_ROWS = 1000


def _csv_text_pandas(prepared: pd.DataFrame) -> str:
    """The reference writer: pandas' ``to_csv`` (CRLF, as RFC 4180 asks, also makes it quote
    cells holding a bare ``\\r``)."""
    return prepared.to_csv(index=False, na_rep="", lineterminator="\r\n")


def _csv_pieces(df: pd.DataFrame, header: bool = True) -> Iterator[bytes | memoryview]:
    """The CSV bytes of ``df`` in pieces: the header, then :data:`CSV_CHUNK_ROWS` rows at a
    time (without the header: the rows only, for a later page). The bytes are exactly
    :func:`_csv_text_pandas` of the prepared frame in UTF-8 (the tests hold them together),
    several times faster (:mod:`trialfinder.tables.csvrows`)."""
    prepared = _csv_frame(df)
    if prepared.shape[1] < 2:
        # ``csv`` writes a row of one empty field as ``""``: such narrow frames go to pandas
        text = _csv_text_pandas(prepared)
        yield (text if header else text.split("\r\n", 1)[1]).encode("utf-8")
        return
    if header:
        yield header_row([str(c) for c in prepared.columns])
    fast = arrow_rows(prepared)
    for start in range(0, len(prepared), CSV_CHUNK_ROWS):
        stop = start + CSV_CHUNK_ROWS
        if fast is None:
            yield python_rows(prepared, start, stop)
        else:
            yield from fast.rows(start, stop)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as formula-safe CSV, plain UTF-8 (no BOM); see the module docstring."""
    return b"".join(_csv_pieces(df))


def write_csv(df: pd.DataFrame, handle: BinaryIO, *, header: bool = True) -> None:
    """Write :func:`to_csv_bytes` of ``df`` into the binary file ``handle`` piece by piece,
    so the whole CSV text is never held in memory (the same bytes; ``header=False``: the
    rows only, a later page of the same columns)."""
    for piece in _csv_pieces(df, header):
        handle.write(piece)


def write_export(
    path: Path | str, df: pd.DataFrame, meta: ResultMeta | Mapping[str, Any],
    fmt: ExportFormat | str = "csv",
) -> Path:
    """Write ``df`` to ``path`` as ``fmt`` (``"csv"``, ``"jsonl"`` or ``"parquet"``: see
    :mod:`trialfinder.tables.parquetout`) and its sidecar.

    The folder must exist and ``path`` must be a file name (an existing regular file is
    replaced). Both files are written atomically (temporary file, then rename); stale
    temporary files of killed exports in that folder are removed first. Returns
    ``path``. The sidecar is :func:`sidecar_path` of ``path``. Problems raise
    :class:`DataFileError` with one clear line.
    """
    path = check_output_path(path)  # decided on the name as written: "./-" is a file
    df = honest_links(df)  # an invented study's url would point at ClinicalTrials.gov
    data: bytes | Callable[[BinaryIO], None]
    if fmt == "csv":
        data = functools.partial(write_csv, df)  # streamed into the file, not held
    elif fmt == "jsonl":
        data = functools.partial(write_jsonl, df)
    elif fmt == "parquet":
        from trialfinder.tables.parquetout import write_parquet

        data = functools.partial(write_parquet, df)
    else:
        raise InvalidQueryError(f"export format must be csv, jsonl or parquet, not {fmt!r}")
    if path.name.endswith(".meta.json"):
        raise InvalidQueryError(f"{path.name!r} is reserved for provenance sidecars")
    record = meta.to_dict() if isinstance(meta, ResultMeta) else dict(meta)
    if "nct_id" in df.columns and demo.shows_fictional(df["nct_id"].astype(str)):
        record.setdefault("fictional", demo.FICTIONAL_PROVENANCE)  # as the command line's
    record.update(
        file=path.name,
        format=fmt,
        encoding="utf-8",
        written_at=datetime.now(UTC).isoformat(timespec="seconds"),
        rows_written=len(df),
        columns=[str(c) for c in df.columns],
    )
    sidecar = meta_json_bytes(record)
    clean_stale_tmp(path.parent)
    # both written before either is renamed into place: never a table without its provenance
    # (and under the command line, renamed only once standard output is delivered too)
    stage((path, data), (sidecar_path(path), sidecar))
    return path
