"""Dates as an export writes them: text at the precision the registry gave (``2024``,
``2024-05``, ``2024-05-31``), read from a table's date column and its ``<name>_precision``
column when it has one. CSV and JSON lines write the same text (:mod:`trialfinder.tables.export`,
:mod:`trialfinder.tables.jsonlines`).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = ["date_strings", "is_datetime"]

_PRECISION_SUFFIX = "_precision"
_WIDTH = {"year": 4, "month": 7}


def is_datetime(series: pd.Series[Any]) -> bool:
    return bool(pd.api.types.is_datetime64_any_dtype(series.dtype))


def date_strings(frame: pd.DataFrame, column: str) -> np.ndarray[Any, np.dtype[np.object_]]:
    """Dates as text at their precision (object array, ``None`` where missing)."""
    dates = frame[column]
    missing = dates.isna().to_numpy()
    days = _day_strings(dates, missing)
    if days is not None:  # naive nanosecond dates (every table's): numpy formats them in C
        midnight = True
    elif not isinstance(dates.dtype, pd.DatetimeTZDtype):
        midnight = bool((dates.dropna() == dates.dropna().dt.normalize()).all())
    else:
        midnight = False
    if midnight:
        if days is None:
            days = np.asarray(dates.dt.strftime("%Y-%m-%d").astype(object), dtype=object)
        out = np.array(days, dtype=object)
    else:
        out = np.array(dates.dt.strftime("%Y-%m-%dT%H:%M:%S%z").astype(object), dtype=object)
    precision_column = column + _PRECISION_SUFFIX
    if precision_column in frame.columns:
        precision = frame[precision_column].astype(object).to_numpy(dtype=object)
        if days is None:
            days = np.asarray(dates.dt.strftime("%Y-%m-%d").astype(object), dtype=object)
        for level, width in _WIDTH.items():
            rows = (precision == level) & ~missing
            out[rows] = (days[rows].astype(f"<U{width}") if days.dtype.kind == "U"
                         else [value[:width] for value in days[rows]])
        rows = ~np.isin(precision, list(_WIDTH)) & ~missing
        out[rows] = days[rows]
    out[missing] = None
    return out


_DAY_NS: Final = 86_400 * 10**9


def _day_strings(dates: pd.Series[Any],
                 missing: np.ndarray[Any, np.dtype[np.bool_]]) -> np.ndarray[Any, Any] | None:
    """``YYYY-MM-DD`` of each date when the column holds naive
    nanosecond dates, each at midnight (what ``strftime`` gives them: years 1677 to 2262 all
    have four digits), as a numpy text array; else ``None``, and the caller asks pandas."""
    if dates.dtype != np.dtype("M8[ns]"):
        return None
    nanoseconds = dates.to_numpy().view(np.int64)
    if (nanoseconds[~missing] % _DAY_NS).any():
        return None
    # whole days by integer division: numpy's own M8[ns] -> M8[D] wraps 1677-09-22 round
    # to 2262-04-11
    days: np.ndarray[Any, Any] = np.datetime_as_string((nanoseconds // _DAY_NS).view("M8[D]"),
                                                       unit="D")
    return days
