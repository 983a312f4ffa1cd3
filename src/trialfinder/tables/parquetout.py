"""Parquet a page at a time, typed like the tables, one row group a page.

:class:`ParquetPages` writes frames into a binary file (or a path) as they come (``begin``,
``write`` once or a page at a time, ``end``), each frame one row group through
``pyarrow.parquet``'s ``ParquetWriter``, so a search that streams holds one page at a time.
It is the one page writer of Parquet: a search's ``--output x.parquet`` (categories stored as
dictionaries, zstd) and the saved tables a streaming search leaves for the next one
(:mod:`trialfinder.cache.tablesaving`: categories stored as text, as every saved table has
them, snappy, the schema fixed by the spec's dtypes before the first page). The Parquet types
come from the tables' dtypes (:mod:`trialfinder.tables.schema`), the same on every page:

==================  ===========================================
table dtype         Parquet (Arrow) type
==================  ===========================================
``string``          ``string``
``category``        ``dictionary<int32, string>`` (pandas reads it back as ``category``),
                    or ``string`` when the writer is asked to store categories as text
``Int64``           ``int64``
``Float64``         ``double``
``boolean``         ``bool``
``datetime64[ns]``  ``timestamp[ns]`` (no time zone)
==================  ===========================================

Missing values are Parquet nulls. Values are kept as they are: no formula guard (Parquet is
not opened by spreadsheets) and no cut of long text. Parquet needs ``pyarrow`` (installed with
``trialfinder[fast]`` and with the dashboard); without it writing one is a one-line error.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO, Literal

import pandas as pd

from trialfinder.core.errors import InvalidQueryError

__all__ = ["CategoryStorage", "ParquetPages", "arrow_schema", "dtypes_schema", "write_parquet"]

#: How a writer stores the tables' categories: as Parquet dictionaries, or as plain text.
CategoryStorage = Literal["dictionary", "text"]

#: Each table dtype's Arrow type, by name (see the module docstring).
_TYPES: dict[str, str] = {
    "string": "string", "category": "dictionary", "Int64": "int64", "Float64": "float64",
    "boolean": "bool_", "datetime64[ns]": "timestamp",
}


def _pyarrow() -> tuple[Any, Any]:
    try:
        pa = importlib.import_module("pyarrow")
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise InvalidQueryError("writing Parquet needs pyarrow: pip install "
                                "'trialfinder[fast]', or write .csv or .jsonl") from None
    return pa, pq


def _arrow_type(pa: Any, series: pd.Series[Any], categories: CategoryStorage) -> Any:
    dtype = series.dtype
    name = "category" if isinstance(dtype, pd.CategoricalDtype) else str(dtype)
    if name.startswith("string"):
        name = "string"
    kind = _TYPES.get(name)
    if kind == "dictionary":
        return pa.dictionary(pa.int32(), pa.string()) if categories == "dictionary" \
            else pa.string()
    if kind == "timestamp":
        return pa.timestamp("ns")
    if kind is not None:
        return getattr(pa, kind)()
    if pd.api.types.is_bool_dtype(dtype):
        return pa.bool_()
    if pd.api.types.is_integer_dtype(dtype):
        return pa.int64()
    if pd.api.types.is_float_dtype(dtype):
        return pa.float64()
    return pa.string()  # anything else (object columns of a caller's frame) as text


def arrow_schema(frame: pd.DataFrame, categories: CategoryStorage = "dictionary") -> Any:
    """The Arrow schema a frame of the tables is written with (see the module docstring).
    With categories stored as dictionaries (an export), it carries pandas' description of
    the frame's dtypes, so a plain ``pandas.read_parquet`` gives back ``Int64``, ``boolean``,
    ``string`` and ``category`` columns, not floats for whole numbers with a gap."""
    pa, _ = _pyarrow()
    schema = pa.schema([pa.field(str(c), _arrow_type(pa, frame[c], categories))
                        for c in frame.columns])
    if categories != "dictionary" or not frame.columns.is_unique:
        return schema
    try:
        described = pa.Schema.from_pandas(frame.iloc[:0], preserve_index=False).metadata
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return schema  # a caller's frame pandas cannot describe: types as above, no more
    return schema.with_metadata(described) if described else schema


def dtypes_schema(dtypes: Mapping[str, str], categories: CategoryStorage = "dictionary") -> Any:
    """The Arrow schema of a table whose columns have ``dtypes`` (a table's spec), as
    :func:`arrow_schema` makes it from a frame of those dtypes."""
    empty = pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()})
    return arrow_schema(empty, categories)


def _column(pa: Any, series: pd.Series[Any], kind: Any) -> Any:
    """One column of a page as an Arrow array of ``kind``."""
    if pa.types.is_dictionary(kind):
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy()  # -1 where the value is missing
            words = pa.array([str(c) for c in series.cat.categories], type=pa.string())
            return pa.DictionaryArray.from_arrays(
                pa.array(codes.astype("int32"), mask=codes < 0), words)
        series = series.astype("string")
        return pa.array(series, type=pa.string(), from_pandas=True).dictionary_encode()
    if pa.types.is_string(kind) and series.dtype == object:
        series = series.map(lambda v: v if v is None or isinstance(v, str) or pd.isna(v)
                            else str(v))
    return pa.array(series, type=kind, from_pandas=True)


def _as_it_is(pa: Any, series: pd.Series[Any]) -> Any:
    """One column of a page as Arrow holds it (Arrow-backed text without a copy; categories as
    text), to be cast to the schema's types with the whole page: where categories are stored as
    text this costs less than :func:`_column` for each column."""
    values = series.array
    if isinstance(values, pd.Categorical):
        return pa.array(values).cast(pa.string())
    return pa.array(values, from_pandas=True)


class ParquetPages:
    """Frames into a binary file (or the file at a path) as Parquet, one row group each (see
    the module docstring). ``begin`` names the columns; the first frame fixes the schema,
    unless ``dtypes`` fixed it before (a table's spec); a frame of no rows still fixes it, so
    an empty answer is a file of its columns and no rows. ``categories`` says how category
    columns are stored, ``compression`` names Parquet's codec."""

    def __init__(self, handle: BinaryIO | Path, *, categories: CategoryStorage = "dictionary",
                 dtypes: Mapping[str, str] | None = None, compression: str = "zstd") -> None:
        self.handle = handle
        self.pa, self.pq = _pyarrow()
        self.categories, self.compression = categories, compression
        self.columns: list[str] = list(dtypes or ())
        self.schema: Any = None if dtypes is None else dtypes_schema(dtypes, categories)
        self.writer: Any = None
        self.rows = 0
        self.closed = False

    def _open(self) -> None:
        where = str(self.handle) if isinstance(self.handle, Path) else self.handle
        self.writer = self.pq.ParquetWriter(where, self.schema, compression=self.compression)

    def begin(self, columns: list[str]) -> None:
        self.columns = [str(c) for c in columns]

    def write(self, frame: pd.DataFrame) -> None:
        if self.closed:
            raise ValueError("a page written after the Parquet file was closed")
        if self.schema is None:
            self.schema = arrow_schema(frame, self.categories)
        if self.writer is None:
            self._open()
        if self.categories == "text":
            names = [f.name for f in self.schema]
            table = self.pa.Table.from_arrays([_as_it_is(self.pa, frame[n]) for n in names],
                                              names=names).cast(self.schema)
        else:
            arrays = [_column(self.pa, frame[f.name], f.type) for f in self.schema]
            table = self.pa.Table.from_arrays(arrays, schema=self.schema)
        if len(frame):
            self.writer.write_table(table)
        self.rows += len(frame)

    def end(self) -> None:
        """Every frame is in: the file's footer written (a file of no rows when none came)."""
        if self.writer is None:  # nothing came at all: the columns named (as text, unless
            pa = self.pa         # their dtypes were given)
            if self.schema is None:
                self.schema = pa.schema([pa.field(c, pa.string()) for c in self.columns])
            self._open()
        self.close()

    def close(self) -> None:
        """Close the file as it stands (a writing given up); nothing when none was opened."""
        writer, self.writer, self.closed = self.writer, None, True
        if writer is not None:
            writer.close()


def write_parquet(frame: pd.DataFrame, handle: BinaryIO) -> None:
    """``frame`` as Parquet into the binary file ``handle`` (one row group)."""
    out = ParquetPages(handle)
    out.begin([str(c) for c in frame.columns])
    out.write(frame)
    out.end()
