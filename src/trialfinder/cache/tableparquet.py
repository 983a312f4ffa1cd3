"""The saved tables' Parquet files: one table written by pyarrow (or by DuckDB without it),
read back and checked against the spec (:mod:`trialfinder.cache.tablecache` keeps the
entries; :mod:`trialfinder.cache.tablesaving` writes one a page at a time).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from trialfinder.core.lazy import LazyModule
from trialfinder.tables.frames import TABLE_DTYPES

if TYPE_CHECKING:
    import duckdb
else:
    duckdb = LazyModule("duckdb")

__all__ = ["Unusable", "arrow_parquet", "arrow_table", "frame_of", "joined", "kind_of",
           "read_parquet", "row_count", "write_parquet"]

# DuckDB must never reach the network (it could fetch extensions); Parquet is built in.
_DUCKDB_CONFIG: Final[dict[str, str | bool | int | float | list[str]]] = {
    "autoinstall_known_extensions": False, "autoload_known_extensions": False, "threads": 2}


class Unusable(Exception):
    """An entry failed a check; the message is the reason."""


_local = threading.local()


def arrow_parquet() -> Any:
    """``pyarrow.parquet`` when pyarrow is installed (the optional speed-up), else ``None``."""
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError:
        return None
    return pq


#: Rows per Parquet row group: the writer buffers one group's encoded pages at a time.
_ROWS_PER_GROUP: Final = 65536


def arrow_table(frame: pd.DataFrame) -> Any:
    """``frame`` as a pyarrow table, column by column: Arrow-backed text is handed over without
    a copy, the masked numbers, dates and flags are converted, and categories are stored as
    text (the reader encodes them again); only those converted columns are copies, for the
    whole table at once. ``pa.Table.from_pandas`` in slices did the same with several times
    the overhead per column, which a search's six small tables mostly are."""
    import pyarrow as pa

    columns = []
    for name in frame.columns:
        values = frame[name].array
        if isinstance(values, pd.Categorical):
            columns.append(pa.array(values).cast(pa.string()))
        else:
            columns.append(pa.array(values, from_pandas=True))
    return pa.Table.from_arrays(columns, names=[str(name) for name in frame.columns])


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """One table as a Parquet file: by pyarrow when installed (it is loaded already behind
    pandas' strings, where DuckDB would add about 40 MB to the search that saves), else by
    DuckDB. Either way the file is read back by DuckDB and checked against the spec."""
    pq = arrow_parquet()
    if pq is not None:
        with path.open("wb") as handle:
            pq.write_table(arrow_table(frame), handle, row_group_size=_ROWS_PER_GROUP)
        return
    con = _connection()
    con.register("frame", frame)
    try:
        quoted = str(path).replace("'", "''")
        con.execute(f"COPY frame TO '{quoted}' (FORMAT parquet)")
    finally:
        with contextlib.suppress(duckdb.Error):
            con.unregister("frame")


def _connection() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory DuckDB connection (made once: connecting costs ~10 ms)."""
    con: duckdb.DuckDBPyConnection | None = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect(":memory:", config=_DUCKDB_CONFIG)
    return con


def read_parquet(path: Path) -> Any:
    """A checked Parquet file as a pyarrow table (pyarrow installed: DuckDB need not load) or a
    DuckDB relation; :class:`Unusable` when it is not readable Parquet with our columns."""
    pq = arrow_parquet()
    try:
        if pq is not None:
            table = pq.read_table(str(path))
            columns = list(table.column_names)
        else:
            table = _connection().read_parquet(str(path))
            columns = list(table.columns)
    except duckdb.Error as exc:
        raise Unusable(f"{path.name} is not readable Parquet: {kind_of(exc)}") from None
    except (OSError, ValueError, TypeError, NotImplementedError) as exc:  # pyarrow's errors
        raise Unusable(f"{path.name} is not readable Parquet: {type(exc).__name__}") \
            from None
    if columns != list(TABLE_DTYPES[path.name.split(".")[1]]):
        raise Unusable(f"{path.name} does not hold the declared columns")
    return table


def row_count(source: Any) -> int:
    """The rows of what :func:`read_parquet` read (a pyarrow table or a DuckDB relation)."""
    return int(source.num_rows if hasattr(source, "num_rows") else len(source))


def joined(sources: list[Any]) -> Any:
    """The parts of one table (as :func:`read_parquet` read them) one after another: one
    pyarrow table, or (without pyarrow) one DataFrame, for :func:`frame_of`."""
    if len(sources) == 1:
        return sources[0]
    if arrow_parquet() is None:  # DuckDB relations
        return pd.concat([source.df() for source in sources], ignore_index=True)
    import pyarrow as pa

    return pa.concat_tables(sources)


def frame_of(source: Any, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """A pyarrow table (or, without pyarrow, a DuckDB relation or a DataFrame) as a DataFrame
    with the declared dtypes. Categories come out as the normalizer makes them (sorted; object
    when none)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc  # type: ignore[import-untyped]
    except ImportError:
        pa = None
    if isinstance(source, pd.DataFrame):
        frame: pd.DataFrame = source
    elif pa is None:
        frame = source.df()
    else:
        table = source if isinstance(source, pa.Table) else source.to_arrow_table()
        for index, column in enumerate(table.column_names):
            if dtypes.get(column) == "category":
                encoded = pc.dictionary_encode(table.column(index))
                table = table.set_column(index, column, encoded)
        mapping = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(),
                   pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype(),
                   pa.large_string(): pd.StringDtype()}
        frame = table.to_pandas(types_mapper=mapping.get)
    if list(frame.columns) != list(dtypes):
        raise ValueError("not the declared columns")
    plain = {c: d for c, d in dtypes.items()
             if d != "category" and frame[c].dtype != pd.api.types.pandas_dtype(d)}
    out = frame.astype(plain) if plain else frame
    for column, dtype in dtypes.items():
        if dtype != "category":
            continue
        values = out[column]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object).astype("category")
        found = sorted(str(c) for c in values.cat.categories)
        out[column] = values.cat.set_categories(
            pd.Index(found) if found else pd.Index([], dtype=object))
    return out


def kind_of(exc: Exception) -> str:
    """A DuckDB or pandas error in a few words: its first line up to the first colon (the rest
    repeats paths and query text)."""
    first = (str(exc).splitlines() or [""])[0]
    return first.split(":")[0].strip() or type(exc).__name__
