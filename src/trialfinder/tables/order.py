"""The orders of a list of studies (``--sort``, ``sort=``, the page's Sort), one function for
the library, the command line and the dashboard alike: nearest first, newest, last updated,
the registry's, or the pre-screen's (:func:`sort_studies`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

__all__ = ["nearest_first", "sites_in_order", "sort_studies"]

#: The date column each date sort reads, newest first.
_DATE_COLUMNS: Final = {"newest": "first_posted", "updated": "last_update"}


def nearest_first(studies: pd.DataFrame) -> pd.DataFrame:
    """``studies`` by ``nearest_distance_mi`` (the nearest site with a known position), those
    without one last, with a fresh index. The sort is stable: studies at the same distance keep
    their order (the registry's). A frame without the column is returned as it is."""
    if "nearest_distance_mi" not in studies.columns:
        return studies.reset_index(drop=True)
    miles = pd.to_numeric(studies["nearest_distance_mi"], errors="coerce")
    key = np.asarray(miles.astype("float64").fillna(np.inf), dtype=float)
    return studies.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def sort_studies(studies: pd.DataFrame, how: str,
                 ranking: Sequence[str] | None = None) -> pd.DataFrame:
    """``studies`` in the order ``how`` names (a key of
    :data:`~trialfinder.options.choice.SORT_ORDERS`, or ``fit``), with a fresh index.

    - ``nearest``: :func:`~trialfinder.tables.order.nearest_first` (as the command line's
      table), by ``nearest_distance_mi``, studies without one last;
    - ``newest`` / ``updated``: by ``first_posted`` / ``last_update``, latest first, studies
      without the date last;
    - ``fit``: in the order of ``ranking`` (the pre-screen's ids, best first), studies it does
      not name last;
    - ``registry``, or a column the frame lacks: unchanged.
    """
    if how == "nearest":
        return nearest_first(studies)
    if how in _DATE_COLUMNS and _DATE_COLUMNS[how] in studies.columns:
        dates = pd.to_datetime(studies[_DATE_COLUMNS[how]], errors="coerce")
        stamps = np.asarray(dates.to_numpy(dtype="datetime64[ns]").astype("int64"), dtype=float)
        stamps[np.asarray(dates.isna())] = np.nan
        key = np.where(np.isnan(stamps), np.inf, -stamps)  # latest first, none last
        order = np.argsort(key, kind="stable")
    elif how == "fit" and ranking is not None:
        rank = {str(nct): i for i, nct in enumerate(ranking)}
        key = np.asarray([rank.get(str(n), len(rank)) for n in studies["nct_id"]], dtype=float)
        order = np.argsort(key, kind="stable")
    else:
        return studies.reset_index(drop=True)
    return studies.iloc[order].reset_index(drop=True)


def sites_in_order(sites: pd.DataFrame, studies: pd.DataFrame) -> pd.DataFrame:
    """``sites`` grouped in the order of ``studies`` (each study's sites keep their order;
    sites of a study not listed go last), with a fresh index."""
    place = {str(nct): i for i, nct in enumerate(studies["nct_id"].astype(object).tolist())}
    key = np.asarray([place.get(str(n), len(place))
                      for n in sites["nct_id"].astype(object).tolist()], dtype=np.int64)
    return sites.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)
