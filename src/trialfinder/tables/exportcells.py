"""Cells of whole columns as they go into an export, the quick way for the column kinds a
search's tables hold (Arrow-backed text, categories, masked integers and flags), with the
cell-by-cell rule as the reference: :func:`json_cells` gives exactly what
:func:`json_value` gives each cell, and :func:`guarded_text` the formula guard
:mod:`trialfinder.tables.export` applies to a text column. A page of 1,000 studies has some
fifty columns, so what a column costs besides its cells (pandas' accessors, one Python call a
cell) is most of an export's CPU: each kind here is converted by Arrow or once per category.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from trialfinder.core.missing import is_blank
from trialfinder.tables.arrowtext import arrow_strings
from trialfinder.tables.csvrows import arrow_text

__all__ = ["guarded_text", "json_cells", "json_value"]


def json_value(value: Any) -> Any:
    """One cell as JSON data: missing -> ``None``, numpy scalars and arrays as Python's,
    dates in ISO form."""
    if is_blank(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value
    if isinstance(value, np.ndarray):
        return [json_value(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


#: Masked pandas dtypes whose Arrow values are the Python values :func:`json_value` gives
#: (``int`` or ``bool``, ``None`` for a missing cell).
_PLAIN_MASKED = ("Int64", "Int32", "Int16", "Int8", "boolean")


def json_cells(series: pd.Series[Any]) -> list[Any]:
    """:func:`json_value` of every cell of ``series`` (not of a datetime column: the caller
    writes those at their precision)."""
    dtype = series.dtype
    if arrow_text(series):
        # text or None, as json_value gives a str or NA
        cells: list[Any] = arrow_strings(series, chunked=True).to_pylist()
        return cells
    if isinstance(dtype, pd.CategoricalDtype):
        # each category converted once, picked by its code (-1, a missing cell, picks None)
        table = [json_value(v) for v in dtype.categories.tolist()]
        table.append(None)
        return [table[code] for code in series.cat.codes.tolist()]
    if str(dtype) in _PLAIN_MASKED:
        # int or bool, None for a missing cell (no pyarrow needed: the core install has none)
        return list(series.array.to_numpy(dtype=object, na_value=None).tolist())
    return [json_value(v) for v in series.astype(object).to_numpy(dtype=object)]


def _prefix_pattern(prefixes: tuple[str, ...]) -> str:
    """An RE2 pattern matching text that begins with one of ``prefixes`` (each character
    written as a code point, so none has a meaning in the pattern)."""
    def literal(text: str) -> str:
        return "".join(f"\\x{{{ord(char):x}}}" for char in text)

    return "^(?:" + "|".join(literal(p) for p in prefixes) + ")"


def guarded_text(series: pd.Series[Any], prefixes: tuple[str, ...],
                 longest: int) -> pd.Series[Any] | None:
    """An Arrow-backed text column with a ``'`` before each cell that starts with one of
    ``prefixes`` (what ``text.where(~text.str.startswith(prefixes), "'" + text)`` gives);
    ``None`` when the column is not Arrow text or a cell may be longer than ``longest``
    characters (then the caller cuts the cells first)."""
    if not arrow_text(series) or not prefixes:
        return None
    import pyarrow as pa  # type: ignore[import-untyped]  # it holds this column
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    values = arrow_strings(series, chunked=True)
    widest = pc.max(pc.binary_length(values)).as_py()
    if widest is not None and widest > longest:
        return None
    risky = pc.fill_null(pc.match_substring_regex(values, _prefix_pattern(prefixes)), False)
    if not pc.any(risky).as_py():
        return series
    text = pa.large_string()
    quoted = pc.binary_join_element_wise(pa.scalar("'", text), values, pa.scalar("", text))
    return pd.Series(pd.arrays.ArrowStringArray(pc.if_else(risky, quoted, values)),
                     index=series.index, dtype=series.dtype, name=series.name)
