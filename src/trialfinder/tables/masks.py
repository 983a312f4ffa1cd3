"""One boolean study mask per filter (the ``by_*`` functions), and the vectorised helpers
they share. Each mask is a boolean Series aligned with ``studies.index``; inputs are never
modified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from trialfinder.core.folding import fold
from trialfinder.tables.filterspec import date_bounds

__all__ = [
    "by_age",
    "by_date_range",
    "by_funder_type",
    "by_has_results",
    "by_healthy_volunteers",
    "by_intervention_type",
    "by_phase",
    "by_sex",
    "by_start_date",
    "by_status",
    "by_study_type",
]

BoolArray = npt.NDArray[np.bool_]


def fold_spaces(text: str) -> str:
    return " ".join(fold(text).split())


def per_unique(values: pd.Series[Any], test: Callable[[str], bool]) -> BoolArray:
    """``test`` run once per distinct non-missing value, broadcast back to every row."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        uniques: Iterable[Any] = values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lut = np.fromiter((test(str(u)) for u in uniques), dtype=np.bool_)
    lut = np.append(lut, False)  # code -1 (missing) -> last entry -> False
    result: BoolArray = lut[codes]
    return result


def _any_token(values: pd.Series[Any], wanted: Iterable[str]) -> BoolArray:
    """Rows whose ``"|"``-joined value holds any of ``wanted``."""
    targets = set(wanted)
    return per_unique(values, lambda v: not targets.isdisjoint(v.split("|")))


def floats(values: pd.Series[Any]) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = values.to_numpy(dtype=np.float64, na_value=np.nan)
    return result


def bools(values: pd.Series[Any]) -> tuple[BoolArray, BoolArray]:
    """(is True, is missing) of a boolean-ish column."""
    missing = values.isna().to_numpy()
    true = values.to_numpy(dtype=object, na_value=False).astype(bool) & ~missing
    return true, missing


def as_series(mask: BoolArray, like: pd.DataFrame) -> pd.Series[bool]:
    return pd.Series(mask, index=like.index, dtype=bool)


def by_status(studies: pd.DataFrame, statuses: Iterable[str]) -> pd.Series[bool]:
    """Overall status is one of ``statuses`` (API codes)."""
    return as_series(_isin_exact(studies["status"], statuses), studies)


def _isin_exact(values: pd.Series[Any], wanted: Iterable[str]) -> BoolArray:
    result: BoolArray = values.isin(list(wanted)).to_numpy(dtype=bool)
    return result


def by_phase(studies: pd.DataFrame, phases: Iterable[str]) -> pd.Series[bool]:
    """Any of the study's phases (``"PHASE2|PHASE3"``) is one of ``phases``."""
    return as_series(_any_token(studies["phases"], phases), studies)


def by_study_type(studies: pd.DataFrame, study_types: Iterable[str]) -> pd.Series[bool]:
    """Study type is one of ``study_types``."""
    return as_series(_isin_exact(studies["study_type"], study_types), studies)


def by_intervention_type(studies: pd.DataFrame, types: Iterable[str]) -> pd.Series[bool]:
    """Any of the study's intervention types (``"DRUG|DEVICE"``) is one of ``types``."""
    return as_series(_any_token(studies["intervention_types"], types), studies)


def by_sex(studies: pd.DataFrame, sex: str) -> pd.Series[bool]:
    """Open to ``sex`` (``FEMALE``/``MALE``): that sex, ``ALL``, or not stated."""
    column = studies["sex"]
    mask = _isin_exact(column, [sex, "ALL"]) | column.isna().to_numpy()
    return as_series(mask, studies)


def by_age(studies: pd.DataFrame, age: float) -> pd.Series[bool]:
    """``min_age_years <= age <= max_age_years``; a missing limit is no limit."""
    low, high = floats(studies["min_age_years"]), floats(studies["max_age_years"])
    with np.errstate(invalid="ignore"):
        mask = (np.isnan(low) | (low <= age)) & (np.isnan(high) | (age <= high))
    return as_series(mask, studies)


def by_healthy_volunteers(studies: pd.DataFrame, accepts: bool) -> pd.Series[bool]:
    """``True``: accepts healthy volunteers. ``False``: not stated to accept them."""
    true, _missing = bools(studies["healthy_volunteers"])
    return as_series(true if accepts else ~true, studies)


def by_has_results(studies: pd.DataFrame, has_results: bool) -> pd.Series[bool]:
    """Results posted (``True``) or not (``False``; missing counts as no results)."""
    true, _missing = bools(studies["has_results"])
    return as_series(true if has_results else ~true, studies)


def by_start_date(
    studies: pd.DataFrame, start_from: str | None = None, start_to: str | None = None
) -> pd.Series[bool]:
    """The start date, at its precision, overlaps ``start_from..start_to`` (inclusive).

    Without a ``start_date_precision`` column, dates are taken as exact days. Studies without
    a start date never match.
    """
    first = studies["start_date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    last = first
    if "start_date_precision" in studies.columns:
        precision = studies["start_date_precision"].astype(object).to_numpy()
        month_end = (first.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
        year_end = (first.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
        last = np.where(precision == "month", month_end,
                        np.where(precision == "year", year_end, first))
    mask = ~np.isnat(first)
    if start_from:
        mask &= last >= date_bounds(start_from, "start date (from)")[0]
    if start_to:
        mask &= first <= date_bounds(start_to, "start date (to)")[1]
    return as_series(mask, studies)


def by_funder_type(studies: pd.DataFrame, types: Iterable[str]) -> pd.Series[bool]:
    """The lead sponsor's class (``sponsor_class``) is one of ``types``."""
    return as_series(_isin_exact(studies["sponsor_class"], types), studies)


def by_date_range(studies: pd.DataFrame, column: str, low: str | None,
                  high: str | None) -> pd.Series[bool]:
    """The date in ``column`` lies within ``low..high`` (each ``YYYY``, ``YYYY-MM`` or
    ``YYYY-MM-DD``, inclusive, a partial bound covering its whole month or year). Studies
    without the date never match."""
    days = pd.to_datetime(studies[column], errors="coerce").to_numpy(dtype="datetime64[ns]")
    days = days.astype("datetime64[D]")
    mask = ~np.isnat(days)
    if low:
        mask &= days >= date_bounds(low, column)[0]
    if high:
        mask &= days <= date_bounds(high, column)[1]
    return as_series(mask, studies)
